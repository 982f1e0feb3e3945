import TFSCore

/// The cluster-wide load of the tasks of a claim batch, read under their locks.
struct ClusterLoads {
  var now: Int64
  var clusterRunning: Int
  /// Per task: running and queued runs.
  var byTask: [String: (running: Int, queued: Int)]
  /// The occurrences already recorded, as "task\u{0}at".
  var taken: Set<String>

  static func read(_ db: PGConnection, _ batch: [ClaimRequest], globalLock: Bool) throws -> ClusterLoads {
    let tasks = Array(Set(batch.map(\.task))).sorted()
    let perTask = try db.query(
      """
      SELECT t.task, tfs_now_ms() AS now,
        (SELECT count(*) FROM run WHERE task = t.task AND status = 'running') AS running,
        (SELECT count(*) FROM run WHERE task = t.task AND status = 'queued') AS queued,
        (SELECT count(*) FROM run WHERE status = 'running' AND $2) AS cluster_running
      FROM unnest($1::text[]) AS t(task)
      """, [PGArray.text(tasks), globalLock ? "true" : "false"])
    let taken = try db.query(
      """
      SELECT r.task, r.at FROM unnest($1::text[], $2::bigint[]) AS r(task, at)
      WHERE EXISTS (SELECT 1 FROM run WHERE run.task = r.task AND run.scheduled_at = r.at AND trigger = 'schedule')
      """, [PGArray.text(batch.map(\.task)), PGArray.ints(batch.map(\.at))])
    var loads = ClusterLoads(
      now: perTask.int(0, "now") ?? 0, clusterRunning: Int(perTask.int(0, "cluster_running") ?? 0),
      byTask: [:],
      taken: [])
    for row in 0..<perTask.count {
      loads.byTask[perTask.text(row, "task") ?? ""] = (
        Int(perTask.int(row, "running") ?? 0), Int(perTask.int(row, "queued") ?? 0)
      )
    }
    for row in 0..<taken.count {
      loads.taken.insert((taken.text(row, "task") ?? "") + "\u{0}" + (taken.text(row, "at") ?? ""))
    }
    return loads
  }
}

/// What a claim batch decided, request by request, and the runs to insert for it.
struct ClaimDecisions {
  let batch: [ClaimRequest]
  var loads: ClusterLoads
  var outcomes: [Outcome]

  enum Outcome {
    case early
    case taken
    case record(RunStatus, FireDecision)
  }

  init(batch: [ClaimRequest], loads: ClusterLoads) {
    self.batch = batch
    self.loads = loads
    outcomes = Array(repeating: .taken, count: batch.count)
  }

  /// Decides request `index`, then counts what it adds to the load (later requests of the same
  /// task, or under `max-parallel`, see it).
  mutating func decide(
    _ index: Int, _ request: ClaimRequest, _ decide: (ClaimRequest, ClusterLoad) -> FireDecision
  ) {
    if loads.now < request.at {
      outcomes[index] = .early
      return
    }
    let key = request.task + "\u{0}" + String(request.at)
    guard !loads.taken.contains(key) else { return }
    loads.taken.insert(key)
    let task = loads.byTask[request.task] ?? (0, 0)
    let load = ClusterLoad(
      running: task.running, queued: task.queued, clusterRunning: loads.clusterRunning, now: loads.now)
    let decision = decide(request, load)
    switch decision {
    case .start, .replace:
      outcomes[index] = .record(.running, decision)
      loads.byTask[request.task] = (decision == .replace ? 1 : task.running + 1, task.queued)
      loads.clusterRunning += 1
    case .queue:
      outcomes[index] = .record(.queued, decision)
      loads.byTask[request.task] = (task.running, task.queued + 1)
    case .skip: outcomes[index] = .record(.skipped, decision)
    }
  }

  /// Inserts the runs decided, in one statement, and returns each request's claim.
  func record(_ db: PGConnection, node: String, epoch: Int64) throws -> [Claim] {
    let rows = batch.indices.compactMap { index -> (Int, RunStatus)? in
      if case .record(let status, _) = outcomes[index] { return (index, status) }
      return nil
    }
    var ids: [Int: Int64] = [:]
    if !rows.isEmpty {
      let inserted = try db.query(
        """
        INSERT INTO run (task, version, trigger, status, scheduled_at, queued_at, started_at, ended_at, node, epoch)
        SELECT r.task, r.version, 'schedule', r.status, r.at, $5, CASE WHEN r.status = 'running' THEN $5::bigint END,
          CASE WHEN r.status = 'skipped' THEN $5::bigint END,
          CASE WHEN r.status = 'skipped' THEN NULL ELSE $6 END, CASE WHEN r.status = 'skipped' THEN NULL ELSE $7::bigint END
        FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $8::int[]) AS r(task, version, status, at, n)
        ORDER BY r.n
        RETURNING id
        """,
        [
          PGArray.text(rows.map { batch[$0.0].task }), PGArray.text(rows.map { batch[$0.0].version }),
          PGArray.text(rows.map { $0.1.rawValue }), PGArray.ints(rows.map { batch[$0.0].at }),
          String(loads.now), node, String(epoch), PGArray.ints(rows.map { Int64($0.0) }),
        ])
      // RETURNING gives the rows in the order they were inserted, which ORDER BY fixed.
      for (position, row) in rows.enumerated() { ids[row.0] = inserted.int(position, "id") }
    }
    return try batch.indices.map { index -> Claim in
      switch outcomes[index] {
      case .early: return .early(now: loads.now)
      case .taken: return .taken
      case .record(_, let decision):
        guard let id = ids[index] else { throw ClusterError.protocolError("no run id") }
        switch decision {
        case .start, .queue: return .won(runID: id, status: decision == .queue ? .queued : .running)
        case .skip: return .skipped(runID: id)
        case .replace:
          let stopping = try db.query(
            "SELECT id FROM run WHERE task = $1 AND status = 'running' AND id <> ALL($2::bigint[]) ORDER BY id",
            [batch[index].task, PGArray.ints(Array(ids.values))])
          return .replace(runID: id, stopping: (0..<stopping.count).compactMap { stopping.int($0, "id") })
        }
      }
    }
  }
}

/// PostgreSQL array literals for `$n::text[]` and `$n::bigint[]` parameters.
enum PGArray {
  static func text(_ values: [String]) -> String {
    "{"
      + values.map {
        "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
          + "\""
      }
      .joined(separator: ",") + "}"
  }

  static func ints(_ values: [Int64]) -> String {
    "{" + values.map(String.init).joined(separator: ",") + "}"
  }
}
