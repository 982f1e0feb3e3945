import Foundation
import TFSStore
import TFSTestSupport
import Testing

/// The cluster scenarios, one at a time: each starts a PostgreSQL server and three daemons,
/// which is as much as the 2 cores of CI should carry beside the rest of the suite.
@Suite(.serialized) enum ClusterScenarios {}

/// Daemons of the built `tfs` as nodes of one cluster on a throwaway PostgreSQL server: each
/// node has a home of its own (its lock, its local files); the tasks live in one task root that
/// every node sees (as a shared folder would be on several hosts). Tasks append a witness line
/// to a file with no unique key: `node run-id task scheduled-at start-ms`.
final class ClusterHarness {
  let server: PostgresServer
  let dir = TempDir("tfs-cluster-daemons")
  var nodes: [String: Spawned] = [:]
  private var connection: PGConnection

  /// The test's own connection, opened again after the server restarted.
  var db: PGConnection {
    if !connection.isOpen, let fresh = try? PGConnection(url: url) { connection = fresh }
    return connection
  }

  /// `listen`: more addresses the server answers on (a network namespace's host side).
  init(listen: [String] = []) throws {
    server = try PostgresServer(listen: listen)
    connection = try PGConnection(url: server.url())
  }

  var url: String { server.url() }
  var taskRoot: String { dir.file("tasks") }
  var witness: String { dir.file("witness") }

  /// `tfs args…` as a command on any host: the cluster's database, a home of its own.
  @discardableResult
  func tfs(_ args: [String]) throws -> Output {
    try TFSBinary(home: dir.file("cli"), environment: ["TFS_DATABASE": url]).run(args)
  }

  /// Sets the shared task root and adds a task whose script writes its witness line, then runs
  /// `body` (shell) for `seconds`.
  func addTask(
    _ name: String, rule: String, sleep seconds: Double = 0, exit code: Int = 0, extra: [String] = []
  ) throws {
    if nodes.isEmpty && (try? tfs(["config", "get", "task-root"]).stdout.contains(taskRoot)) != true {
      try tfs(["config", "set", "task-root", taskRoot])
    }
    _ = dir.write(
      "tasks/\(name)/run.sh",
      """
      #!/bin/sh
      echo "$TFS_NODE $TFS_RUN_ID $TFS_TASK_NAME $TFS_TRIGGER $(date +%s%3N)" >> \(witness)
      echo "log of run $TFS_RUN_ID on $TFS_NODE"
      sleep \(seconds)
      echo "end $TFS_RUN_ID $(date +%s%3N)" >> \(witness)
      exit \(code)

      """, executable: true)
    let added = try tfs(["add", name, "--rule", rule] + extra)
    guard added.status == 0 else { throw HarnessError(description: "\(added)") }
  }

  /// Starts node `name` (`tfs daemon --node name`) with `extra` arguments; inside a network
  /// namespace with `namespace`, reaching the server through its host side.
  func start(_ name: String, _ extra: [String] = [], namespace: NetworkNamespace? = nil) throws {
    nodes[name]?.stop()
    let argv = [TFSBinary.path, "daemon", "--node", name, "--shutdown-grace", "2s"] + extra
    let database = namespace.map { "postgres://tfs@\($0.hostAddress):\(server.port)/postgres" } ?? url
    nodes[name] = try Spawned(
      namespace?.wrap(argv) ?? argv, output: dir.file("\(name)-\(nodes.count).log"),
      environment: [
        "TFS_HOME": dir.file("home-\(name)"), "TFS_DATABASE": database, "NO_COLOR": "1", "TZ": "UTC",
      ])
  }

  /// The rows of `sql`, for a failure's message.
  func rowsOf(_ sql: String) -> String {
    guard let result = try? db.query(sql) else { return "(query failed)" }
    return result.rows.map { $0.map { $0 ?? "null" }.joined(separator: "|") }.joined(separator: "; ")
  }

  func count(_ sql: String) -> Int64 { (try? db.query(sql).int(0, "n")) ?? nil ?? 0 }

  /// The witness lines of starts: run id → (node, task, trigger, start ms), and the ids seen
  /// more than once.
  func starts() -> (byRun: [Int64: (node: String, task: String, trigger: String, at: Int64)], twice: [Int64])
  {
    var byRun: [Int64: (node: String, task: String, trigger: String, at: Int64)] = [:]
    var twice: [Int64] = []
    let text = (try? String(contentsOfFile: witness, encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") {
      let words = line.split(separator: " ").map(String.init)
      guard words.count == 5, words[0] != "end", let id = Int64(words[1]), let at = Int64(words[4]) else {
        continue
      }
      if byRun[id] != nil { twice.append(id) }
      byRun[id] = (words[0], words[2], words[3], at)
    }
    return (byRun, twice)
  }

  /// Occurrences (task, scheduled_at) that more than one run records: must be none.
  func occurrencesRecordedTwice() -> Int64 {
    count(
      """
      SELECT count(*) AS n FROM (SELECT 1 FROM run WHERE trigger = 'schedule'
        GROUP BY task, scheduled_at HAVING count(*) > 1) AS twice
      """)
  }

  /// Scheduled occurrences of `task` in [from, to] (ms) that have no run record.
  func occurrencesWithoutRecord(_ task: String, from: Int64, to: Int64, everyMs: Int64) -> [Int64] {
    let recorded = Set(
      ((try? db.query(
        "SELECT scheduled_at FROM run WHERE task = $1 AND scheduled_at BETWEEN $2 AND $3",
        [task, String(from), String(to)])) ?? nil).map { result in
          (0..<result.count).compactMap { result.int($0, "scheduled_at") }
        } ?? [])
    let first = (from + everyMs - 1) / everyMs * everyMs
    return stride(from: first, through: to, by: Int(everyMs)).filter { !recorded.contains($0) }
  }

  /// Whether a process of run `id` of this cluster still runs here (its environment names the
  /// run and a task folder of this cluster).
  func runIsAlive(_ id: Int64) -> Bool { !runProcesses(id).isEmpty }

  /// The processes of this cluster's runs (of run `id` only, when given): their environment
  /// names a task folder of this cluster.
  func runProcesses(_ id: Int64? = nil) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
      guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
      else { return nil }
      let variables = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
      guard variables.contains(where: { $0.hasPrefix("TFS_TASK_DIR=" + taskRoot) }) else { return nil }
      guard let id else { return pid }
      return variables.contains("TFS_RUN_ID=\(id)") ? pid : nil
    }
  }

  func log(_ name: String) -> String { nodes[name]?.output ?? "" }

  func stop() {
    for node in nodes.values { node.stop(grace: 10) }
    // Processes of a node killed with SIGKILL (their runs were recorded lost) end with the test.
    for pid in runProcesses() { kill(pid, SIGKILL) }
    server.stop()
    dir.remove()
  }
}

struct HarnessError: Error, CustomStringConvertible {
  let description: String
}
