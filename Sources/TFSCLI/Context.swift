import Foundation
import TFSCore
import TFSEngine
import TFSStore

/// What a command needs once its input is valid: the store, the clock, the settings.
struct Context {
  let home: Home
  let store: Store
  let clock: any TFSCore.Clock
  let settings: EffectiveSettings

  init(_ options: GlobalOptions, create: Bool = true) throws {
    home = try options.resolvedHome()
    clock = try options.clock()
    store = try options.store(create: create)
    settings = EffectiveSettings(stored: try store.settings(), home: home)
  }

  var now: Int64 { clock.nowMs() }

  /// Whether a daemon will pick up what this command asks: the home's daemon holds its lock; on
  /// a cluster, a node holds a lease (SPEC §10: a command works the same from any host).
  func daemonRunning() throws -> Bool {
    if let nodes = try store.nodes() {
      return nodes.contains { $0.state == "live" && $0.leaseAgeMs < 10_000 }
    }
    return DaemonLock.holder(home) != nil
  }

  func task(_ name: TaskName) throws -> TaskRecord {
    guard let record = try store.task(name) else { throw StoreError.noSuchTask(name.rawValue) }
    return record
  }

  /// Zone rules of the local zone, for human-readable times.
  var localZone: ZoneRules { ZoneRules.forZone(TimeZone.current) }
}

/// Parses a positional task name, mapping its error to exit 64.
func taskName(_ text: String) throws -> TaskName { try TaskName(text) }
