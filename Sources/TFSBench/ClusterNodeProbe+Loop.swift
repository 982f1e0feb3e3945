import Foundation
import TFSCore
import TFSStore

extension ClusterNodeProbe {
  struct LiveRun {
    var id: Int64
    var endsAt: Int64
  }

  /// The probe's state: its node, its lease clock, its runs.
  struct Probe {
    let options: ClusterNodeProbe.Options
    let node: ClusterNode
    var keeper = LeaseKeeper()
    var runs: [LiveRun] = []
    /// Runs held when the node fenced itself: one is ended under the old epoch before rejoining.
    var stale: [LiveRun] = []
    /// The database's clock minus this machine's wall clock (ms), from the last renewal.
    var offset: Int64 = 0
    var claimedThrough: Int64 = 0
    var sweptThrough: Int64 = 0
    var nextReap: Int64 = 0
    /// How long each second's claim batch took (µs), for the summary printed at the end.
    var claimMicros: [Int64] = []

    init(options: ClusterNodeProbe.Options) throws {
      self.options = options
      node = try ClusterNode(url: options.url, identity: NodeIdentity(name: options.name, version: "probe"))
      try node.connection.transaction { db in
        try db.query("SELECT pg_advisory_xact_lock(7370737399)")
        try db.query(
          "CREATE TABLE IF NOT EXISTS witness (task TEXT NOT NULL, at BIGINT NOT NULL, node TEXT NOT NULL, epoch BIGINT NOT NULL)"
        )
      }
    }

    mutating func loop(until deadline: Date, stop: Flag) throws {
      while Date() < deadline && !stop.isSet {
        tick(Monotonic.nowMs())
        usleep(50_000)
      }
      for run in runs { _ = try? node.finish(runID: run.id, status: .succeeded, exitCode: 0) }
      try? node.leave()
      let sorted = claimMicros.sorted()
      func percentile(_ p: Double) -> Int64 {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
      }
      ClusterNodeProbe.emit([
        "event": "stopped", "batches": sorted.count, "claim_us_p50": percentile(0.5),
        "claim_us_p99": percentile(0.99),
      ])
    }

    mutating func tick(_ now: Int64) {
      switch keeper.state(at: now) {
      case .out: join(now)
      case .fenced: fence()
      case .live(let renewAt, _):
        if now >= renewAt { renew(now) }
        guard case .live = keeper.state(at: Monotonic.nowMs()) else { return }
        work(Monotonic.nowMs())
      }
    }

    mutating func join(_ now: Int64) {
      guard staleWrite() else {
        usleep(200_000)
        return
      }
      keeper.attempted(at: now)
      do {
        let lost = try node.join()
        keeper.confirmed(sentAt: now)
        learnOffset(sent: now)
        ClusterNodeProbe.emit(["event": "joined", "epoch": node.lease?.epoch ?? 0, "lost": lost.map(\.id)])
      } catch {
        ClusterNodeProbe.emit(["event": "join-failed", "message": "\(error)"])
        usleep(200_000)
      }
    }

    mutating func renew(_ now: Int64) {
      keeper.attempted(at: now)
      do {
        let lease = try node.renew()
        keeper.confirmed(sentAt: now)
        learnOffset(sent: now)
        ClusterNodeProbe.emit(["event": "renewed", "renewed_at": lease.renewedAt])
      } catch ClusterError.fenced {
        keeper.refused()
        ClusterNodeProbe.emit(["event": "refused"])
      } catch {
        ClusterNodeProbe.emit(["event": "renew-failed", "message": "\(error)"])
      }
    }

    /// Fenced by its own clock: stop claiming and drop the runs (a daemon stops them).
    mutating func fence() {
      ClusterNodeProbe.emit(["event": "fenced", "runs": runs.map(\.id)])
      stale = runs
      runs = []
      keeper.refused()
    }

    /// Before rejoining, one write under the old epoch, as a node that did not notice it was
    /// fenced would make: the database must refuse it once peers have declared this node dead.
    /// False while the database cannot be reached (tried again later).
    mutating func staleWrite() -> Bool {
      guard let run = stale.first else { return true }
      do {
        let ended = try node.finish(runID: run.id, status: .succeeded, exitCode: 0)
        ClusterNodeProbe.emit(["event": "stale-write", "accepted": ended])
      } catch ClusterError.fenced {
        ClusterNodeProbe.emit(["event": "stale-write", "accepted": false])
      } catch {
        return false
      }
      stale = []
      return true
    }

    mutating func learnOffset(sent: Int64) {
      guard let lease = node.lease else { return }
      let wall = Int64(Date().timeIntervalSince1970 * 1000) - (Monotonic.nowMs() - sent) / 2
      offset = lease.renewedAt - wall
      if claimedThrough == 0 {
        claimedThrough = lease.renewedAt / 1000
        sweptThrough = claimedThrough
      }
    }

    mutating func work(_ now: Int64) {
      let dbNow = Int64(Date().timeIntervalSince1970 * 1000) + offset
      do {
        try endRuns(now)
        while (claimedThrough + 1) * 1000 <= dbNow {
          claimedThrough += 1
          try claimSecond(claimedThrough, now: now)
        }
        while (sweptThrough + 1) * 1000 + options.graceMs <= dbNow {
          sweptThrough += 1
          for k in 0..<options.tasks {
            _ = try node.recordMissed(
              task: "t\(k)", version: String(sweptThrough), at: sweptThrough * 1000, graceMs: options.graceMs,
              reason: "no node claimed it")
          }
        }
        if now >= nextReap {
          nextReap = now + 2_000
          let lost = try node.reapDead()
          if !lost.isEmpty { ClusterNodeProbe.emit(["event": "reaped", "lost": lost.map(\.id)]) }
        }
      } catch {
        ClusterNodeProbe.emit(["event": "write-failed", "message": "\(error)"])
      }
    }

    /// Claims every task's occurrence of `second` in one batch (one transaction).
    mutating func claimSecond(_ second: Int64, now: Int64) throws {
      let batch = (0..<options.tasks).map {
        ClaimRequest(task: "t\($0)", version: String(second), at: second * 1000)
      }
      let began = DispatchTime.now().uptimeNanoseconds
      let claims = try node.claim(batch: batch) { _, _ in .start }
      claimMicros.append(Int64((DispatchTime.now().uptimeNanoseconds - began) / 1000))
      for (request, claim) in zip(batch, claims) {
        switch claim {
        case .won(let id, _):
          try node.connection.query(
            "INSERT INTO witness (task, at, node, epoch) VALUES ($1, $2, $3, $4)",
            [request.task, String(request.at), options.name, String(node.lease?.epoch ?? 0)])
          runs.append(LiveRun(id: id, endsAt: now + options.runMs))
        case .early(let dbNow):
          offset += dbNow - (Int64(Date().timeIntervalSince1970 * 1000) + offset)
          claimedThrough = second - 1
          return
        default: break
        }
      }
    }

    mutating func endRuns(_ now: Int64) throws {
      let due = runs.filter { $0.endsAt <= now }
      for run in due {
        try node.finish(runID: run.id, status: .succeeded, exitCode: 0)
        runs.removeAll { $0.id == run.id }
      }
    }
  }
}
