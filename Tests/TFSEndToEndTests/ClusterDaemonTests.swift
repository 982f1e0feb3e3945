import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

extension ClusterScenarios {
  /// SPEC §10 through real daemons: three `tfs daemon --database … --node …` on one PostgreSQL.
  /// Each scenario checks that no occurrence started twice (the tasks' own witness lines, with no
  /// unique key), that every occurrence of the window has one record, and that `skip` holds across
  /// nodes.
  @Suite(.serialized, .timeLimit(.minutes(4)))
  struct ClusterDaemonTests {
    @Test func threeNodesRunEachOccurrenceOnceAndSkipHoldsAcrossThem() throws {
      let cluster = try ClusterHarness()
      defer { cluster.stop() }
      for task in ["t1", "t2", "t3"] { try cluster.addTask(task, rule: "* * * * * *", sleep: 0.2) }
      try cluster.addTask("slow", rule: "* * * * * *", sleep: 2.5, extra: ["--overlap", "skip"])
      // c's own clock runs 1.5 s fast: it still fires on the database's clock.
      _ = cluster.dir.write("offset", "1500")
      try cluster.start("a")
      try cluster.start("b")
      try cluster.start("c", ["--clock-offset-file", cluster.dir.file("offset")])
      #expect(
        waitUntil(timeout: 40) {
          cluster.count("SELECT count(DISTINCT node) AS n FROM run WHERE status = 'succeeded'") == 3
        }, "not every node ran something: \(cluster.log("a"))")
      let from = cluster.count("SELECT tfs_now_ms() AS n") + 1_000
      // A manual run, asked from any host, starts once, on one node.
      let asked = try cluster.tfs(["run", "t1"])
      #expect(asked.status == 0, "\(asked)")
      #expect(waitUntil(timeout: 20) { cluster.starts().byRun.values.contains { $0.trigger == "manual" } })
      #expect(waitUntil(timeout: 20) { cluster.count("SELECT tfs_now_ms() AS n") > from + 6_000 })
      let to = cluster.count("SELECT tfs_now_ms() AS n") - 1_000
      let nodes = try cluster.tfs(["nodes", "--json"])
      #expect(nodes.stdout.components(separatedBy: #""state":"live""#).count - 1 == 3, "\(nodes)")
      let status = try cluster.tfs(["status"])
      #expect(status.stdout.contains("up (3 of 3 nodes live: a, b, c)"), "\(status)")
      for node in cluster.nodes.values { node.stop(grace: 10) }
      let check = try cluster.tfs(["status", "--check"])
      #expect(check.status == 1 && check.stderr.contains("no node of the cluster"), "\(check)")

      let (starts, twice) = cluster.starts()
      #expect(twice.isEmpty, "runs started twice: \(twice)")
      #expect(cluster.occurrencesRecordedTwice() == 0)
      #expect(starts.values.filter { $0.trigger == "manual" }.count == 1)
      for task in ["t1", "t2", "t3", "slow"] {
        let missing = cluster.occurrencesWithoutRecord(task, from: from, to: to, everyMs: 1_000)
        #expect(missing.isEmpty, "\(task): occurrences without a record: \(missing)")
      }
      // Every started run has a record that ended; no run of the window was missed or lost.
      #expect(cluster.count("SELECT count(*) AS n FROM run WHERE status IN ('queued', 'running')") == 0)
      #expect(
        cluster.count(
          "SELECT count(*) AS n FROM run WHERE status IN ('missed', 'lost') AND scheduled_at BETWEEN \(from) AND \(to)"
        )
          == 0)
      // No run started before its occurrence on the database's clock (c's clock is 1.5 s fast).
      let scheduled = try cluster.db.query("SELECT id, scheduled_at FROM run WHERE trigger = 'schedule'")
      for row in 0..<scheduled.count {
        guard let id = scheduled.int(row, "id"), let at = scheduled.int(row, "scheduled_at"),
          let start = starts[id]
        else { continue }
        #expect(start.at >= at - 50, "run \(id) on \(start.node) started \(at - start.at) ms early")
      }
      // `slow` never ran twice at once, whichever node ran it.
      #expect(
        cluster.count(
          "SELECT count(DISTINCT node) AS n FROM run WHERE task = 'slow' AND status = 'succeeded'")
          >= 1)
      let slow = try cluster.db.query(
        "SELECT started_at, ended_at FROM run WHERE task = 'slow' AND status = 'succeeded' ORDER BY started_at"
      )
      let spans = (0..<slow.count).map { (slow.int($0, "started_at") ?? 0, slow.int($0, "ended_at") ?? 0) }
      for (earlier, later) in zip(spans, spans.dropFirst()) {
        #expect(later.0 >= earlier.1, "two runs of 'slow' overlapped: \(earlier) and \(later)")
      }
      #expect(cluster.count("SELECT count(*) AS n FROM node WHERE state = 'left'") == 3)

      // `tfs logs` from a host without the log file: the copy the node kept in the database.
      let ran = try cluster.db.query(
        "SELECT id, node, log_path FROM run WHERE task = 't2' AND status = 'succeeded' AND node = 'b' LIMIT 1"
      )
      let id = try #require(ran.int(0, "id"))
      try FileManager.default.removeItem(atPath: cluster.taskRoot + "/t2/" + (ran.text(0, "log_path") ?? ""))
      let logs = try cluster.tfs(["logs", "t2", String(id)])
      #expect(logs.status == 0 && logs.stdout == "log of run \(id) on b\n", "\(logs)")
      let files = try cluster.tfs(["history", "t2", String(id), "--files"])
      #expect(files.stdout.hasPrefix("run \(id) (") && files.stdout.contains("/ on node b\n"), "\(files)")
    }

    @Test func aKilledNodesRunsAreRecordedLostInTimeAndItRejoins() throws {
      let cluster = try ClusterHarness()
      defer { cluster.stop() }
      try cluster.addTask("long", rule: "*/2 * * * * *", sleep: 60, extra: ["--overlap", "allow"])
      try cluster.addTask("tick", rule: "* * * * * *", sleep: 0.1)
      for name in ["a", "b", "c"] { try cluster.start(name) }
      #expect(
        waitUntil(timeout: 40) {
          cluster.count(
            "SELECT count(*) AS n FROM run WHERE node = 'b' AND task = 'long' AND status = 'running'") >= 1
        }, "b never ran 'long': \(cluster.log("b"))")
      kill(cluster.nodes["b"]!.pid, SIGKILL)
      _ = cluster.nodes["b"]!.poll()
      #expect(
        waitUntil(timeout: 30) {
          cluster.count("SELECT count(*) AS n FROM run WHERE node = 'b' AND status = 'lost'") >= 1
        }, "no run of b recorded lost")
      let timing = try cluster.db.query(
        """
        SELECT max(run.ended_at) - min(node.renewed_at) AS after_renewal
        FROM run JOIN node ON node.name = run.node WHERE run.node = 'b' AND run.status = 'lost'
        """)
      let afterRenewal = timing.int(0, "after_renewal") ?? -1
      print("C2 through daemons: b's runs recorded lost \(afterRenewal) ms after its last renewal")
      #expect(
        afterRenewal >= 8_000 && afterRenewal <= 12_000, "lost \(afterRenewal) ms after b's last renewal")
      #expect(
        cluster.count("SELECT count(*) AS n FROM event WHERE type = 'lost' AND details LIKE '%\"b\"%'") >= 1)
      let nodes = try cluster.tfs(["nodes"])
      #expect(nodes.stdout.contains("dead"), "\(nodes)")

      // b comes back under epoch 2 and runs again; what its killed daemon left is killed.
      try cluster.start("b")
      #expect(waitUntil(timeout: 20) { cluster.count("SELECT epoch AS n FROM node WHERE name = 'b'") == 2 })
      let lostIDs = try cluster.db.query("SELECT id FROM run WHERE node = 'b' AND status = 'lost'")
      for row in 0..<lostIDs.count {
        let id = lostIDs.int(row, "id") ?? 0
        #expect(
          waitUntil(timeout: 10) { !cluster.runIsAlive(id) },
          "the process of lost run \(id) still runs after b restarted")
      }
      #expect(
        waitUntil(timeout: 20) {
          cluster.count(
            "SELECT count(*) AS n FROM run WHERE node = 'b' AND epoch = 2 AND status = 'succeeded'")
            >= 1
        }, "\(cluster.log("b"))")
      // `tfs kill` from any host: the run's node hears it through the database and stops it.
      let killed = try cluster.tfs(["kill", "long"])
      #expect(killed.status == 0, "\(killed)")
      let lines = killed.stdout.split(separator: "\n")
      #expect(!lines.isEmpty && lines.allSatisfy { $0.hasSuffix("(killed)") }, "\(killed)")
      #expect(
        cluster.count("SELECT count(*) AS n FROM run WHERE task = 'long' AND status = 'killed'")
          == lines.count)
      for node in cluster.nodes.values { node.stop(grace: 10) }
      let (_, twice) = cluster.starts()
      #expect(twice.isEmpty, "runs started twice: \(twice)")
      #expect(cluster.occurrencesRecordedTwice() == 0)
      #expect(cluster.count("SELECT count(*) AS n FROM run WHERE status IN ('queued', 'running')") == 0)
    }

    @Test func pinnedTasksRunOnlyOnTheirNodesAndALostRunIsRunAgainWhereAsked() throws {
      let cluster = try ClusterHarness()
      defer { cluster.stop() }
      try cluster.addTask("gpu-only", rule: "* * * * * *", extra: ["--on-label", "gpu"])
      try cluster.addTask("on-b", rule: "* * * * * *", extra: ["--on-node", "b"])
      try cluster.addTask("ghost", rule: "* * * * * *", extra: ["--on-node", "z"])
      try cluster.addTask(
        "again", rule: "0 0 0 1 1 *", sleep: 60, extra: ["--on-label", "worker", "--rerun-lost", "yes"])
      try cluster.start("a", ["--label", "gpu"])
      try cluster.start("b", ["--label", "worker"])
      try cluster.start("c", ["--label", "worker", "--label", "eu"])
      // A node that never comes: its task's occurrences are recorded missed, once each.
      #expect(
        waitUntil(timeout: 40) {
          cluster.count("SELECT count(*) AS n FROM run WHERE task = 'ghost' AND status = 'missed'") >= 3
        }, "\(cluster.log("a"))")
      #expect(cluster.count("SELECT count(*) AS n FROM run WHERE task = 'ghost' AND status <> 'missed'") == 0)
      #expect(
        cluster.count("SELECT count(*) AS n FROM event WHERE task = 'ghost' AND type = 'missed'")
          == cluster.count("SELECT count(*) AS n FROM run WHERE task = 'ghost'"))

      // A manual run of a task for the workers runs on one; its node dies; a peer runs it again.
      #expect(try cluster.tfs(["run", "again"]).status == 0)
      #expect(
        waitUntil(timeout: 20) {
          cluster.count("SELECT count(*) AS n FROM run WHERE task = 'again' AND status = 'running'") == 1
        })
      let first = try cluster.db.query("SELECT id, node FROM run WHERE task = 'again' AND status = 'running'")
      let holder = first.text(0, "node") ?? ""
      #expect(["b", "c"].contains(holder))
      // A failed expectation above must not crash the test process (its servers would outlive it).
      let holding = try #require(cluster.nodes[holder], "no node holds the run")
      kill(holding.pid, SIGKILL)
      _ = holding.poll()
      #expect(
        waitUntil(timeout: 30) {
          cluster.count(
            "SELECT count(*) AS n FROM run WHERE task = 'again' AND trigger = 'retry' AND status = 'running'")
            == 1
        }, "the lost run was not run again: \(cluster.log(holder == "b" ? "c" : "b"))")
      let again = try cluster.db.query(
        "SELECT node, reason FROM run WHERE task = 'again' AND trigger = 'retry'")
      #expect(again.text(0, "node") == (holder == "b" ? "c" : "b"))
      #expect(again.text(0, "reason")?.contains("was lost with node \(holder)") == true)

      for node in cluster.nodes.values { node.stop(grace: 10) }
      #expect(
        cluster.count("SELECT count(*) AS n FROM run WHERE task = 'gpu-only' AND status = 'succeeded'") >= 3)
      #expect(cluster.count("SELECT count(*) AS n FROM run WHERE task = 'gpu-only' AND node <> 'a'") == 0)
      #expect(
        cluster.count("SELECT count(*) AS n FROM run WHERE task = 'on-b' AND status = 'succeeded'") >= 3)
      #expect(
        cluster.count(
          "SELECT count(*) AS n FROM run WHERE task = 'on-b' AND status NOT IN ('missed') AND node <> 'b'")
          == 0
      )
      let (_, twice) = cluster.starts()
      #expect(twice.isEmpty, "runs started twice: \(twice)")
      #expect(cluster.occurrencesRecordedTwice() == 0)
    }

    /// `max-parallel` counts the runs of every node at the instant occurrences are claimed.
    @Test func maxParallelHoldsAcrossNodesAtEachInstant() throws {
      let cluster = try ClusterHarness()
      defer { cluster.stop() }
      #expect(try cluster.tfs(["config", "set", "max-parallel", "2"]).status == 0)
      for i in 0..<4 {
        try cluster.addTask("p\(i)", rule: "*/4 * * * * *", sleep: 1, extra: ["--overlap", "allow"])
      }
      for name in ["a", "b", "c"] { try cluster.start(name) }
      #expect(
        waitUntil(timeout: 60) {
          cluster.count("SELECT count(DISTINCT scheduled_at) AS n FROM run WHERE status = 'succeeded'") >= 4
        }, "\(cluster.log("a"))")
      for node in cluster.nodes.values { node.stop(grace: 10) }
      // At each instant two runs start; the two others wait for a slot (started later, or not).
      let instants = try cluster.db.query(
        """
        SELECT scheduled_at, count(*) FILTER (WHERE started_at < scheduled_at + 500) AS at_once,
          count(DISTINCT node) AS nodes
        FROM run WHERE trigger = 'schedule' GROUP BY scheduled_at ORDER BY scheduled_at
        """)
      var spread = 0
      for row in 0..<instants.count {
        #expect((instants.int(row, "at_once") ?? 0) <= 2, "instant \(instants.int(row, "scheduled_at") ?? 0)")
        if (instants.int(row, "nodes") ?? 0) > 1 { spread += 1 }
      }
      #expect(spread >= 1, "no instant was shared by two nodes: the test proves nothing")
      let (_, twice) = cluster.starts()
      #expect(twice.isEmpty)
    }

    /// Alerts go out once, whichever of the nodes' delivery workers claims each delivery.
    @Test func eachAlertIsDeliveredOnceByOneNode() throws {
      let cluster = try ClusterHarness()
      defer { cluster.stop() }
      let out = cluster.dir.file("alerts.out")
      let script = cluster.dir.write(
        "notify.sh", "#!/bin/sh\necho \"$TFS_ALERT_TYPE $TFS_ALERT_RUN_ID\" >> \(out)\n", executable: true)
      #expect(
        try cluster.tfs(["channel", "add", "pager", "--command", script, "--on", "failed"]).status == 0)
      for i in 0..<10 { try cluster.addTask("f\(i)", rule: "0 0 0 1 1 *", exit: 3) }
      for name in ["a", "b", "c"] { try cluster.start(name) }
      #expect(
        waitUntil(timeout: 20) { cluster.count("SELECT count(*) AS n FROM node WHERE state = 'live'") == 3 })
      for i in 0..<10 { #expect(try cluster.tfs(["run", "f\(i)"]).status == 0) }
      func lines() -> [String] {
        ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
      }
      #expect(waitUntil(timeout: 40) { lines().count >= 10 }, "\(lines())")
      // Time for a second delivery of any of them, were one to come.
      _ = waitUntil(timeout: 4) { lines().count > 10 }
      for node in cluster.nodes.values { node.stop(grace: 10) }
      #expect(lines().count == 10, "\(lines())")
      #expect(Set(lines()).count == 10)
      #expect(cluster.count("SELECT count(DISTINCT node) AS n FROM run WHERE status = 'failed'") >= 2)
      #expect(cluster.count("SELECT count(*) AS n FROM delivery WHERE state = 'delivered'") == 10)
    }

    /// `replace` stops the task's run wherever it runs, and the new run starts once it ended.
    @Test func replaceStopsTheRunOfAnotherNode() throws {
      let cluster = try ClusterHarness()
      defer { cluster.stop() }
      try cluster.addTask("rep", rule: "*/3 * * * * *", sleep: 60, extra: ["--overlap", "replace"])
      for name in ["a", "b", "c"] { try cluster.start(name) }
      let crossed = """
        SELECT count(*) AS n FROM run AS old JOIN run AS new ON new.task = old.task
          AND new.scheduled_at = old.scheduled_at + 3000
        WHERE old.task = 'rep' AND old.status = 'killed' AND new.node <> old.node AND new.started_at IS NOT NULL
        """
      #expect(waitUntil(timeout: 90) { cluster.count(crossed) >= 2 }, "\(cluster.log("a"))")
      for node in cluster.nodes.values { node.stop(grace: 10) }
      // Never two runs at once: each run started after the one it replaced had ended.
      let runs = try cluster.db.query(
        "SELECT id, started_at, ended_at, reason FROM run WHERE task = 'rep' AND started_at IS NOT NULL ORDER BY started_at"
      )
      for row in 1..<max(runs.count, 1) {
        let start = runs.int(row, "started_at") ?? 0
        let previousEnd = runs.int(row - 1, "ended_at") ?? Int64.max
        #expect(
          start >= previousEnd, "run \(runs.int(row, "id") ?? 0) started before the run it replaced ended")
      }
      #expect(
        cluster.count("SELECT count(*) AS n FROM run WHERE task = 'rep' AND reason LIKE '%(replace)%'") >= 1)
      let (_, twice) = cluster.starts()
      #expect(twice.isEmpty)
    }
  }
}
