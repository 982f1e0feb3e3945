import GRDB
import TFSCore

/// What `tfs apply` changes to make the store match a task file.
public struct TaskPlan: Sendable {
  public struct Change: Sendable {
    public var old: TaskSpec
    public var new: TaskSpec
    public var diff: [(field: String, old: String, new: String)] { old.diff(to: new) }
  }

  public var added: [TaskSpec] = []
  public var changed: [Change] = []
  public var removed: [TaskSpec] = []
  public var unchanged: [TaskName] = []

  public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

  /// The plan that turns `current` into `wanted`; of the current tasks `wanted` lacks, those
  /// `inScope` says may go are removed (none when nil).
  public init(current: [TaskSpec], wanted: [TaskSpec], removing inScope: ((TaskName) -> Bool)?) {
    let byName = Dictionary(current.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    for spec in wanted {
      guard let old = byName[spec.name] else {
        added.append(spec)
        continue
      }
      if old.diff(to: spec).isEmpty {
        unchanged.append(spec.name)
      } else {
        changed.append(Change(old: old, new: spec))
      }
    }
    guard let inScope else { return }
    let kept = Set(wanted.map(\.name))
    removed = current.filter { !kept.contains($0.name) && inScope($0.name) }.sorted { $0.name < $1.name }
  }
}

/// Why `Store.apply` wrote nothing.
public enum ApplyRefusal: Error, Sendable, Equatable {
  /// A task the plan removes has runs queued or running.
  case busy(TaskName, [RunID])
  /// A task changed (or appeared, or went) after the plan was made.
  case stale(TaskName)
}

extension Store {
  /// Applies every change of `plan` in one transaction, each audited as `add`, `modify` and
  /// `remove` record it — or nothing, when a task the plan read has changed since or a task it
  /// removes has a live run.
  public func apply(_ plan: TaskPlan, actor: String, now: Int64) throws(StoreError) -> ApplyRefusal? {
    try sqlWrite { db in
      for spec in plan.added where try Store.fetchTask(db, spec.name) != nil { return .stale(spec.name) }
      for spec in plan.changed.map(\.old) + plan.removed {
        guard let stored = try Store.fetchTask(db, spec.name), stored.spec.diff(to: spec).isEmpty else {
          return .stale(spec.name)
        }
      }
      for spec in plan.removed {
        let live = try Store.liveRunIDs(db, spec.name, now: now)
        if !live.isEmpty { return .busy(spec.name, live) }
      }
      for spec in plan.added { try Store.insertTask(db, spec, actor: actor, now: now) }
      for change in plan.changed {
        try Store.writeUpdate(
          db, from: change.old, to: change.new, actor: actor, now: now, eventType: .modified)
      }
      for spec in plan.removed {
        _ = try Store.deleteTask(db, spec.name, purge: false, actor: actor, now: now)
      }
      return nil
    }
  }
}
