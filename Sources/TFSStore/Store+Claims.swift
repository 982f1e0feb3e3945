import TFSCore

extension Store {
  /// Records the runs a daemon decided for occurrences of `tasks`, where the decision (the
  /// overlap policy) depends on the runs the tasks have elsewhere. `plan` decides and returns the
  /// runs and the alerts about them; the result has each run with its id, or nil for a
  /// scheduled run whose occurrence already has one (whoever recorded it first handles it).
  ///
  /// On SQLite, `plan(nil)`: the daemon knows what runs elsewhere (`tfs run --here`). On the
  /// cluster store, one fenced transaction (docs/CLUSTER.md, "Claims"): the tasks' locks, in
  /// name order so that two nodes never wait on each other in a cycle; then, read after the
  /// locks are held, the tasks' live runs on other nodes and in other processes, which `plan`
  /// gets; then the insert. Two nodes deciding occurrences of one task thus decide one after
  /// the other, each seeing the other's runs: the overlap policy holds across the cluster.
  /// With `everyTask` (`max-parallel` is set), the cluster's lock comes first and `plan` gets
  /// the live runs elsewhere of every task: the claims of the cluster are serialised, so the
  /// count of its running runs is exact.
  public func claimRuns(
    tasks: [TaskName], pid: Int32, everyTask: Bool = false,
    plan: ([TaskName: [Run]]?) throws -> (runs: [Run], events: [Event])
  ) throws(StoreError) -> [Run?] {
    guard member != nil else {
      let planned: (runs: [Run], events: [Event])
      do { planned = try plan(nil) } catch { throw .database(path: path, message: "\(error)") }
      guard !planned.runs.isEmpty || !planned.events.isEmpty else { return [] }
      return try insertRunsReturning(planned.runs, executorPid: nil, events: planned.events)
    }
    return try sqlWrite { db in
      let names = Set(tasks.map(\.rawValue)).sorted()
      try db.execute(
        """
        SELECT CASE WHEN ? = 1 THEN pg_advisory_xact_lock(7370737301) END,
          (SELECT count(pg_advisory_xact_lock(hashtextextended('tfs.task.' || l.t, 0)))
           FROM unnest(?::text[]) WITH ORDINALITY AS l(t, n))
        """, [SQLValue(everyTask), .text(PGArray.text(names))])
      var elsewhere: [TaskName: [Run]] = [:]
      for row in try db.rows(
        """
        SELECT \(Store.runColumns) FROM run
        WHERE status IN ('queued', 'running') AND (? = 1 OR task = ANY(?::text[]))
          AND ((node IS DISTINCT FROM current_setting('tfs.node') AND \(Store.heldElsewhere))
            OR (executor_pid IS NOT NULL AND executor_pid != ?))
        ORDER BY id
        """, [SQLValue(everyTask), .text(PGArray.text(names)), .int(Int64(pid))])
      {
        let run = Store.runValue(row)
        elsewhere[run.task, default: []].append(run)
      }
      let planned = try plan(elsewhere)
      let inserted = try planned.runs.map { try Store.insertRun(db, $0, force: false, executorPid: nil) }
      for event in planned.events { try Store.insertEvent(db, event) }
      return inserted
    }
  }
}
