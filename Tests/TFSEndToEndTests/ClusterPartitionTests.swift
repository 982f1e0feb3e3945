import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

extension ClusterScenarios {
  /// SPEC §10 C2 on the cluster protocol: three nodes (`tfs-bench cluster-node`) on a real
  /// PostgreSQL, one of them in a network namespace whose link is cut. Its runs must be recorded
  /// `lost` at most 12 s after its last lease renewal, its later writes refused, and no occurrence
  /// may start twice or go without a record.
  @Suite(.timeLimit(.minutes(3)), .enabled(if: NetworkNamespace.isAvailable, "needs root and ip(8)"))
  struct ClusterPartitionTests {
    static var probe: String {
      URL(fileURLWithPath: TFSBinary.path).deletingLastPathComponent().appendingPathComponent("tfs-bench")
        .path
    }

    @Test func aNodeCutOffIsDeclaredLostInTimeAndCannotWriteAfterwards() throws {
      let net = try NetworkNamespace()
      defer { net.remove() }
      let server = try PostgresServer(listen: [net.hostAddress])
      defer { server.stop() }
      let dir = TempDir("tfs-cluster")
      defer { dir.remove() }
      let args = ["--tasks", "3", "--run-ms", "1500", "--grace-ms", "4000"]
      var nodes: [String: Spawned] = [:]
      defer { nodes.values.forEach { $0.stop() } }
      for name in ["a", "b"] {
        nodes[name] = try Spawned(
          [Self.probe, "cluster-node", server.url(), name] + args, output: dir.file(name + ".log"))
      }
      let remote = "postgres://tfs@\(net.hostAddress):\(server.port)/postgres"
      nodes["c"] = try Spawned(
        net.wrap([Self.probe, "cluster-node", remote, "c"] + args), output: dir.file("c.log"))
      let db = try PGConnection(url: server.url())
      func count(_ sql: String) -> Int64 { (try? db.query(sql).int(0, "n")) ?? nil ?? 0 }

      // Steady state: c runs its share.
      #expect(
        waitUntil(timeout: 30) { count("SELECT count(*) AS n FROM run WHERE node = 'c'") >= 3 },
        "\(nodes["c"]!.output)")
      try net.setLink(up: false)
      #expect(
        waitUntil(timeout: 30) {
          count("SELECT count(*) AS n FROM run WHERE node = 'c' AND status = 'lost'") >= 1
        },
        "no run of c recorded lost")
      let timing = try db.query(
        """
        SELECT max(run.ended_at) - min(node.renewed_at) AS after_renewal, min(run.ended_at) - min(node.lease_until) AS after_lease
        FROM run JOIN node ON node.name = run.node WHERE run.node = 'c' AND run.status = 'lost'
        """)
      let afterRenewal = timing.int(0, "after_renewal") ?? -1
      print("C2: c's runs recorded lost \(afterRenewal) ms after its last renewal")
      #expect(
        afterRenewal <= 12_000 && afterRenewal >= 10_000, "lost \(afterRenewal) ms after c's last renewal")
      #expect((timing.int(0, "after_lease") ?? -1) >= 0, "lost before c's lease ended")
      #expect(
        waitUntil(timeout: 15) { nodes["c"]!.output.contains(#""event":"fenced""#) }, "c never fenced itself")

      // The link back: c's write under its old epoch is refused, and it rejoins under a new one.
      try net.setLink(up: true)
      #expect(waitUntil(timeout: 30) { nodes["c"]!.output.contains(#""event":"stale-write""#) })
      #expect(
        nodes["c"]!.output.contains(#""accepted":false,"event":"stale-write""#), "\(nodes["c"]!.output)")
      #expect(waitUntil(timeout: 20) { count("SELECT epoch AS n FROM node WHERE name = 'c'") == 2 })
      #expect(
        waitUntil(timeout: 20) { count("SELECT count(*) AS n FROM run WHERE node = 'c' AND epoch = 2") >= 1 })

      for node in nodes.values { node.stop() }
      // No occurrence started twice; every occurrence in the window has exactly one final record.
      #expect(
        count(
          "SELECT count(*) AS n FROM (SELECT 1 FROM witness GROUP BY task, at HAVING count(*) > 1) AS twice")
          == 0)
      #expect(count("SELECT count(*) AS n FROM run WHERE status IN ('queued', 'running')") == 0)
      let window = try db.query(
        "SELECT min(scheduled_at) + 5000 AS first, max(scheduled_at) - 5000 AS last, count(DISTINCT task) AS tasks FROM run"
      )
      let first = window.int(0, "first") ?? 0
      let last = window.int(0, "last") ?? 0
      let recorded = count(
        "SELECT count(*) AS n FROM run WHERE scheduled_at BETWEEN \(first) AND \(last) AND trigger = 'schedule'"
      )
      #expect(recorded == ((last - first) / 1000 + 1) * 3, "occurrences between \(first) and \(last)")
      #expect(count("SELECT count(*) AS n FROM run WHERE status = 'lost' AND node <> 'c'") == 0)
    }
  }
}
