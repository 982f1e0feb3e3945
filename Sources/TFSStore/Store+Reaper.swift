import TFSCore

extension Store {
  /// On the cluster store, a node's reaping (every 2 s, docs/CLUSTER.md "Reaping"), in one fenced
  /// transaction: the peers whose lease ended are declared dead, and the live runs of dead nodes
  /// and of older epochs of a node are recorded `lost` through the same end as any run (the
  /// task's last run and failing streak, a `lost` alert under the task's alert policy). A run
  /// whose task opts in (`--rerun-lost`) is queued again, for any node it may run on. Safe on
  /// every node at once: a run ends once (the second reaper's end finds it no longer live).
  public func reapDeadNodes() throws(StoreError) -> [LostRun] {
    guard member != nil else { return [] }
    return try sqlWrite { db in
      let now = try db.int("SELECT tfs_now_ms()") ?? 0
      try db.execute(
        """
        UPDATE node SET state = 'dead'
        WHERE state = 'live' AND lease_until <= ? AND name <> current_setting('tfs.node')
        """, [.int(now)])
      let rows = try db.rows(
        """
        SELECT \(Store.qualifiedRunColumns), run.node, run.epoch AS run_epoch, n.epoch AS node_epoch, n.state AS node_state,
          t.rerun_lost, t.enabled AS task_enabled
        FROM run JOIN node AS n ON n.name = run.node LEFT JOIN task AS t ON t.name = run.task
        WHERE run.status IN ('queued', 'running') AND (n.epoch <> run.epoch OR n.state <> 'live')
        ORDER BY run.id FOR UPDATE OF run
        """, [])
      var lost: [LostRun] = []
      for row in rows {
        let run = Store.runValue(row)
        let node = row.text("node") ?? ""
        let restarted = row.text("node_state") == "live"
        let reason =
          restarted
          ? "node \(node) restarted (epoch \(row.int("run_epoch") ?? 0) → \(row.int("node_epoch") ?? 0))"
          : "node \(node) stopped renewing its lease"
        let event = Event(
          at: now, type: EventType.lost.rawValue, task: run.task.rawValue, runID: run.id,
          actor: "node:\(member?.name ?? "")", title: "run \(run.id) of '\(run.task)' lost: \(reason)",
          details: JSON.object([
            "run_id": String(run.id), "version": run.version, "node": node, "reason": reason,
          ]),
          delivery: "pending")
        guard try Store.finish(db, run.id, RunEnd(status: .lost, endedAt: now, reason: reason), [event])
        else {
          continue
        }
        lost.append(LostRun(id: run.id, task: run.task.rawValue, node: node))
        if row.int("rerun_lost") == 1 && row.int("task_enabled") == 1 {
          try rerun(db, run, lostOn: node, now: now)
        }
      }
      return lost
    }
  }

  /// Queues a run lost with its node again (`--rerun-lost`), held by no node: the first node the
  /// task may run on takes it (`queuedRuns`).
  private func rerun(_ db: any SQLDatabase, _ lost: Run, lostOn node: String, now: Int64) throws {
    let again = Run(
      task: lost.task, version: lost.version, trigger: .retry, status: .queued, queuedAt: now,
      attempt: lost.attempt + 1, reason: "run again: run \(lost.id) was lost with node \(node)",
      actor: "node:\(member?.name ?? "")")
    guard let inserted = try Store.insertRun(db, again, force: false, executorPid: nil) else { return }
    try db.execute("UPDATE run SET node = NULL, epoch = NULL WHERE id = ?", [.int(inserted.id)])
    // A daemon's writes do not count as commands' (`tfs_change`): this one must wake the nodes.
    try db.execute("UPDATE tfs_change SET version = version + 1 WHERE id = 1", [])
    _ = try db.rows("SELECT pg_notify('tfs_change', '')", [])
  }
}
