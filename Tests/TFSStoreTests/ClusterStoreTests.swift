import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSStore

/// The cluster protocol on a real PostgreSQL server started by each test (SPEC §10): claims,
/// leases, fencing, lost and missed records, the connection's time limits.
@Suite(.timeLimit(.minutes(2)))
struct ClusterStoreTests {
  /// A fresh server with `count` nodes named a, b, c… joined on it.
  func withCluster(
    nodes count: Int = 3, leaseMs: Int64 = 10_000, _ body: (PostgresServer, [ClusterNode]) throws -> Void
  ) throws {
    let server = try PostgresServer()
    defer { server.stop() }
    let nodes = try (0..<count).map { index in
      let name = String(UnicodeScalar(UInt8(97 + index)))
      return try ClusterNode(
        url: server.url(), identity: NodeIdentity(name: name, version: "test"), leaseMs: leaseMs)
    }
    for node in nodes { try node.join() }
    try body(server, nodes)
  }

  @Sendable static func start(_: ClusterLoad) -> FireDecision { .start }

  static func overlap(_ policy: OverlapPolicy, maxParallel: Int = 0) -> (ClusterLoad) -> FireDecision {
    { load in
      OverlapRules.decide(
        policy: policy, running: load.running, queued: load.queued, force: false,
        slotFree: maxParallel == 0 || load.clusterRunning < maxParallel, alreadyAlerted: false)
    }
  }

  @Test func threeNodesRacingForEveryOccurrenceRecordEachOnce() throws {
    try withCluster { _, nodes in
      let now = try nodes[0].now()
      let occurrences = (0..<150).map { now - 150_000 + Int64($0) * 1_000 }
      let outcomes = Locked<[Int64: [String]]>([:])
      // Every node claims every occurrence in the same order, each claim racing the two others.
      let failures = race(nodes) { node in
        for at in occurrences {
          let claim = try node.claim(task: "t", version: "v\(at)", at: at, decide: Self.start)
          let outcome = if case .won = claim { "won" } else { "\(claim)" }
          outcomes.update { $0[at, default: []].append(outcome) }
        }
      }
      #expect(Array(failures.prefix(3)) == [])
      #expect(outcomes.get().count == occurrences.count)
      #expect(outcomes.get().values.allSatisfy { $0.sorted() == ["taken", "taken", "won"] })
      let rows = try nodes[0].connection.query(
        "SELECT count(*) AS n, count(DISTINCT scheduled_at) AS d FROM run")
      #expect(rows.int(0, "n") == 150)
      #expect(rows.int(0, "d") == 150)
    }
  }

  @Test func onlyTheDatabaseClockSaysAnOccurrenceIsDue() throws {
    try withCluster(nodes: 1) { _, nodes in
      let node = nodes[0]
      let dbNow = try node.now()
      // A node whose clock runs 5 s fast believes this occurrence is due; the database does not.
      let claim = try node.claim(task: "t", version: "v1", at: dbNow + 5_000, decide: Self.start)
      guard case .early(let now) = claim else {
        Issue.record("expected early, got \(claim)")
        return
      }
      #expect(now >= dbNow && now < dbNow + 5_000)
      #expect(try node.connection.query("SELECT count(*) AS n FROM run").int(0, "n") == 0)
      #expect(
        try node.recordMissed(task: "t", version: "v1", at: dbNow - 1_000, graceMs: 5_000, reason: "x")
          == false)
    }
  }

  @Test func anExpiredNodeIsFencedAndItsRunsAreLostExactlyOnce() throws {
    let server = try PostgresServer()
    defer { server.stop() }
    let short = try ClusterNode(
      url: server.url(), identity: NodeIdentity(name: "a", version: "test"), leaseMs: 600)
    try short.join()
    let peers = try ["b", "c"].map {
      try ClusterNode(url: server.url(), identity: NodeIdentity(name: $0, version: "test"))
    }
    for peer in peers { try peer.join() }
    let at = try short.now()
    guard
      case .won(let runID, .running) = try short.claim(task: "t", version: "v1", at: at, decide: Self.start)
    else {
      Issue.record("a did not win its claim")
      return
    }
    try short.started(runID: runID, pid: 4242)
    // a stops renewing: within its lease nobody may declare it dead.
    #expect(try peers[0].reapDead() == [])
    let lost = Locked<[LostRun]>([])
    let shared = OnePerThread(peers)
    let declared = waitUntil(timeout: 10) {
      DispatchQueue.concurrentPerform(iterations: peers.count) { index in
        if let found = try? shared.value[index].reapDead() { lost.update { $0 += found } }
      }
      return !lost.get().isEmpty
    }
    #expect(declared)
    #expect(lost.get() == [LostRun(id: runID, task: "t", node: "a")])
    let events = try peers[0].connection.query("SELECT type, task, run_id FROM event")
    #expect(events.count == 1)
    #expect(events.text(0, "type") == "lost")
    #expect(
      try peers[0].connection.query("SELECT state FROM node WHERE name = 'a'").text(0, "state") == "dead")
    // Its later writes are rejected, whatever it believes.
    #expect(throws: ClusterError.fenced(node: "a", epoch: 1)) {
      try short.finish(runID: runID, status: .succeeded, exitCode: 0)
    }
    #expect(throws: ClusterError.self) { try short.renew() }
    #expect(
      try peers[0].connection.query("SELECT status FROM run WHERE id = $1", [String(runID)]).text(0, "status")
        == "lost")
    // Rejoined under a new epoch, it claims again.
    try short.join()
    #expect(short.lease?.epoch == 2)
    let next = try short.claim(task: "t", version: "v2", at: try short.now(), decide: Self.start)
    guard case .won = next else {
      Issue.record("rejoined node did not win, got \(next)")
      return
    }
  }

  @Test func aRestartedNodeFencesItsFormerSelfAndLosesItsRuns() throws {
    try withCluster(nodes: 1) { server, nodes in
      let old = nodes[0]
      guard
        case .won(let runID, _) = try old.claim(
          task: "t", version: "v1", at: try old.now(), decide: Self.start)
      else { return #expect(Bool(false)) }
      let restarted = try ClusterNode(url: server.url(), identity: NodeIdentity(name: "a", version: "test"))
      let lost = try restarted.join()
      #expect(lost.map(\.id) == [runID])
      #expect(throws: ClusterError.fenced(node: "a", epoch: 1)) {
        try old.finish(runID: runID, status: .succeeded, exitCode: 0)
      }
      #expect(throws: ClusterError.self) {
        try old.claim(task: "t", version: "v2", at: 0, decide: Self.start)
      }
      let reason = try restarted.connection.query("SELECT reason FROM run WHERE id = $1", [String(runID)])
      #expect(reason.text(0, "reason") == "node a restarted (epoch 1 → 2)")
    }
  }

  @Test func anUnclaimedOccurrenceIsMissedOnceAndThenTaken() throws {
    try withCluster { _, nodes in
      let at = try nodes[0].now() - 3_000
      let recorded = Locked<Int>(0)
      let shared = OnePerThread(nodes)
      DispatchQueue.concurrentPerform(iterations: nodes.count) { index in
        if (try? shared.value[index].recordMissed(
          task: "t", version: "v", at: at, graceMs: 2_000, reason: "no node")) == true
        {
          recorded.update { $0 += 1 }
        }
      }
      #expect(recorded.get() == 1)
      #expect(try nodes[1].claim(task: "t", version: "v2", at: at, decide: Self.start) == .taken)
      let status = try nodes[0].connection.query("SELECT status, ended_at IS NOT NULL AS ended FROM run")
      #expect(status.count == 1)
      #expect(status.text(0, "status") == "missed")
      #expect(status.bool(0, "ended") == true)
    }
  }

  @Test func overlapAndMaxParallelHoldAcrossNodes() throws {
    try withCluster { _, nodes in
      let now = try nodes[0].now()
      guard
        case .won(let first, .running) = try nodes[0].claim(
          task: "s", version: "1", at: now - 3_000, decide: Self.overlap(.skip))
      else { return #expect(Bool(false)) }
      // Another node, the next occurrence: skip sees the run of node a.
      let second = try nodes[1].claim(task: "s", version: "2", at: now - 2_000, decide: Self.overlap(.skip))
      guard case .skipped = second else { return #expect(Bool(false), "got \(second)") }
      let replaced = try nodes[2].claim(
        task: "s", version: "3", at: now - 1_000, decide: Self.overlap(.replace))
      guard case .replace(_, let stopping) = replaced else { return #expect(Bool(false), "got \(replaced)") }
      #expect(stopping == [first])
      // max-parallel 2 across the cluster: two tasks run (s twice: first and the replacing run).
      let queued = try nodes[1].claim(
        task: "other", version: "1", at: now - 1_000, globalLock: true,
        decide: Self.overlap(.skip, maxParallel: 2))
      guard case .won(_, .queued) = queued else { return #expect(Bool(false), "got \(queued)") }
    }
  }

  @Test func everyConnectionHasTimeLimits() throws {
    try withCluster(nodes: 1) { server, nodes in
      var limits = PGLimits()
      limits.statementMs = 200
      let db = try PGConnection(url: server.url(), limits: limits)
      let started = Date()
      do {
        try db.query("SELECT pg_sleep(5)")
        Issue.record("a 5 s statement was not stopped")
      } catch let error as PGError {
        #expect(error.sqlState == "57014")
        #expect(error.isUnreachable)
      }
      #expect(Date().timeIntervalSince(started) < 4)
      // A backend killed under the node: the call fails as unreachable, the next one reconnects.
      let node = nodes[0]
      try db.query("SELECT pg_terminate_backend($1)", [String(node.connection.backendPID)])
      #expect(throws: ClusterError.self) { try node.renew() }
      #expect(try node.renew().epoch == 1)
    }
  }

  @Test func aDatabaseRestartShorterThanTheLeaseKeepsTheNodeLive() throws {
    try withCluster(nodes: 1) { server, nodes in
      let node = nodes[0]
      server.halt()
      do {
        try node.renew()
        Issue.record("renewed with the database down")
      } catch let error as ClusterError {
        #expect(error.isUnreachable)
      }
      try server.restart()
      let renewed = try waitUntil(timeout: 5) { (try? node.renew()) != nil }
      #expect(renewed)
      #expect(node.lease?.epoch == 1)
    }
  }

  /// A server that hangs (stopped: the kernel still acknowledges packets, so no TCP time-out
  /// fires) must not stall a node: the call gives up after the statement limit plus a second.
  @Test func aHungServerEndsEveryCallWithinItsLimit() throws {
    let server = try PostgresServer()
    defer { server.stop() }
    var limits = PGLimits()
    limits.statementMs = 1_000
    let node = try ClusterNode(
      url: server.url(), identity: NodeIdentity(name: "a", version: "test"), limits: limits)
    try node.join()
    server.pause()
    defer { server.resume() }
    let started = Date()
    do {
      try node.renew()
      Issue.record("renewed with the server stopped")
    } catch {
      #expect(error.isUnreachable, "\(error)")
    }
    let waited = Date().timeIntervalSince(started)
    #expect(waited >= 1.5 && waited < 4, "waited \(waited) s")
    server.resume()
    #expect(waitUntil(timeout: 10) { (try? node.renew()) != nil })
  }

  @Test func notificationsReachAListenerOnAnotherConnection() throws {
    try withCluster(nodes: 1) { server, _ in
      let listener = try PGConnection(url: server.url())
      try listener.listen("tfs_node_a")
      let sender = try PGConnection(url: server.url())
      try sender.notify("tfs_node_a", "kill 12")
      var received: [PGNotification] = []
      _ = try waitUntil(timeout: 5) {
        received += try listener.notifications(waitingMs: 100)
        return !received.isEmpty
      }
      #expect(received == [PGNotification(channel: "tfs_node_a", payload: "kill 12")])
    }
  }

  @Test func threeNodesRacingWithBatchesRecordEachOccurrenceOnce() throws {
    try withCluster { _, nodes in
      let now = try nodes[0].now()
      let seconds = (0..<40).map { now - 40_000 + Int64($0) * 1_000 }
      // Tasks with quotes and backslashes in their names go through the array literals too.
      let tasks = (0..<25).map { "t\($0)" } + [#"q"uote"#, #"back\slash"#]
      let outcomes = Locked<[String: [String]]>([:])
      let failures = race(nodes) { node in
        for at in seconds {
          let batch = tasks.map { ClaimRequest(task: $0, version: "v\(at)", at: at) }
          let claims = try node.claim(batch: batch) { _, _ in .start }
          outcomes.update { all in
            for (request, claim) in zip(batch, claims) {
              all["\(request.task)@\(request.at)", default: []].append(claim == .taken ? "taken" : "won")
            }
          }
        }
      }
      #expect(Array(failures.prefix(3)) == [])
      #expect(outcomes.get().count == seconds.count * tasks.count)
      #expect(outcomes.get().values.allSatisfy { $0.sorted() == ["taken", "taken", "won"] })
      let names = try nodes[0].connection.query("SELECT DISTINCT task FROM run ORDER BY task")
      #expect((0..<names.count).compactMap { names.text($0, "task") }.contains(#"back\slash"#))
    }
  }

  @Test func aBatchSeesTheRunsItStartsAndTheDatabaseClock() throws {
    try withCluster(nodes: 1) { _, nodes in
      let node = nodes[0]
      let now = try node.now()
      let batch = [
        ClaimRequest(task: "s", version: "1", at: now - 2_000),
        ClaimRequest(task: "s", version: "2", at: now - 1_000),
        ClaimRequest(task: "q", version: "1", at: now - 2_000),
        ClaimRequest(task: "q", version: "2", at: now - 1_000),
        ClaimRequest(task: "later", version: "1", at: now + 60_000),
      ]
      let claims = try node.claim(batch: batch) { request, load in
        Self.overlap(request.task == "q" ? .queue : .skip)(load)
      }
      guard case .won(_, .running) = claims[0], case .skipped = claims[1], case .won(_, .running) = claims[2],
        case .won(_, .queued) = claims[3], case .early = claims[4]
      else { return #expect(Bool(false), "got \(claims)") }
      // Claimed again (another node, later): every occurrence is taken.
      #expect(
        try node.claim(batch: Array(batch.prefix(4))) { _, _ in .start } == Array(repeating: .taken, count: 4)
      )
    }
  }

  /// The PostgreSQL schema holds every column of the SQLite one, with the same nullability, so
  /// that the same rows fit both: a column added to one store must be added to the other. The
  /// SQLite `daemon` row is the cluster's `node` table; GRDB's own tables do not count.
  @Test func theSchemaHasEveryColumnOfSQLite() throws {
    try withStore { store, _ in
      let server = try PostgresServer()
      defer { server.stop() }
      _ = try ClusterNode(url: server.url(), identity: NodeIdentity(name: "a", version: "test"))
      let db = try PGConnection(url: server.url())
      let tables = try sqlite(
        store.path,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
      ).split(separator: "\n").map(String.init).filter { $0 != "daemon" && !$0.hasPrefix("grdb_") }
      #expect(tables == ["channel", "delivery", "event", "run", "setting", "task"])
      for table in tables {
        let lite = try sqlite(
          store.path, "SELECT name || ' ' || \"notnull\" FROM pragma_table_info('\(table)') ORDER BY name"
        )
        .split(separator: "\n").map(String.init)
        let result = try db.query(
          """
          SELECT column_name || ' ' || CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END AS c
          FROM information_schema.columns WHERE table_name = $1 AND column_name NOT IN ('node', 'epoch')
          ORDER BY column_name
          """, [table])
        let pg = (0..<result.count).compactMap { result.text($0, "c") }
        // SQLite lets an INTEGER PRIMARY KEY be declared without NOT NULL; it is never NULL.
        #expect(pg == lite.map { $0 == "id 0" ? "id 1" : $0 }, "table \(table)")
      }
    }
  }

  @Test func passwordsNeverReachMessages() {
    #expect(
      PGURL.redacted("postgres://tfs:s3cret@db:5432/x?sslmode=require")
        == "postgres://tfs:***@db:5432/x?sslmode=require")
    #expect(PGURL.redacted("postgres://h/x?password=s3cret&a=b") == "postgres://h/x?password=***&a=b")
    #expect(PGURL.redacted("postgres://tfs@db/x") == "postgres://tfs@db/x")
  }
}

/// Runs `body` with each node on a thread of its own, all released together (so that their
/// claims race), and returns the errors thrown, once every thread is done.
func race(_ nodes: [ClusterNode], _ body: @escaping @Sendable (ClusterNode) throws -> Void) -> [String] {
  let failures = Locked<[String]>([])
  let go = DispatchSemaphore(value: 0)
  let done = DispatchGroup()
  for node in nodes {
    let mine = OnePerThread(node)
    done.enter()
    Thread.detachNewThread {
      go.wait()
      do { try body(mine.value) } catch { failures.update { $0.append("\(error)") } }
      done.leave()
    }
  }
  for _ in nodes { go.signal() }
  if done.wait(timeout: .now() + 90) != .success {
    failures.update { $0.append("the race did not end in 90 s") }
  }
  return failures.get()
}

/// Nodes handed to concurrent threads, each thread using only its own node (a node is used by
/// one thread at a time, like a connection).
struct OnePerThread<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
