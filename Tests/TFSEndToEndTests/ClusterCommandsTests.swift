import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

extension ClusterScenarios {
  /// The commands on a cluster's database: `migrate-store` from a home, then the same commands
  /// with `--database`.
  @Suite(.timeLimit(.minutes(3)))
  struct ClusterCommandsTests {
    @Test func aHomeMovesIntoPostgresWithItsIdsAndTheCommandsReadIt() throws {
      let s = Scenario()
      defer { s.remove() }
      let server = try PostgresServer()
      defer { server.stop() }
      try s.addTask("crawler/a", rule: "*/5 * * * * *", script: "echo hello; exit 3")
      try s.addTask("report", rule: "@daily", script: "echo report")
      #expect(try s.tfs.run(["run", "crawler/a", "--here"]).status == 3)
      #expect(try s.tfs.run(["run", "report", "--here"]).status == 0)
      #expect(try s.tfs.run(["config", "set", "retention", "30d"]).status == 0)
      let historyBefore = try s.tfs.run(["history", "--json"]).stdout

      let moved = try s.tfs.run(["migrate-store", "--to", server.url()])
      #expect(moved.status == 0, "\(moved)")
      #expect(moved.stdout.contains("2 task") && moved.stdout.contains("2 run"), "\(moved)")
      let onCluster = TFSBinary(home: s.home, environment: ["TFS_DATABASE": server.url()])
      #expect(try onCluster.run(["history", "--json"]).stdout == historyBefore)
      let list = try onCluster.run(["list"])
      #expect(list.stdout.contains("crawler/a") && list.stdout.contains("report"), "\(list)")
      #expect(try onCluster.run(["config", "get", "retention"]).stdout.contains("30d"))
      // New rows continue after the copied ids.
      #expect(try onCluster.run(["add", "later", "--rule", "@hourly"]).status == 0)
      let db = try PGConnection(url: server.url())
      #expect(try db.query("SELECT max(id) AS n FROM task").int(0, "n") == 3)

      // A second copy would mix two homes: refused, and nothing is written.
      let again = try s.tfs.run(["migrate-store", "--to", server.url()])
      #expect(again.status == 1 && again.stderr.contains("copy into an empty database"), "\(again)")
      #expect(try db.query("SELECT count(*) AS n FROM task").int(0, "n") == 3)
    }
  }
}
