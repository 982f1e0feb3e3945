import Foundation
import Logging
import Synchronization
import TFSCore
import TFSStore

/// A daemon's membership of the cluster (docs/CLUSTER.md), on a thread of its own so that a
/// renewal never waits behind the daemon's loop: it joins, renews the lease every 2 s, declares
/// dead the peers whose lease ended (recording their runs `lost`), measures the database's
/// clock for the daemon's `DatabaseClock`, and publishes the epoch to the store's
/// `ClusterMember`. When the lease can no longer be trusted (`LeaseKeeper`) it clears the
/// epoch, so the store refuses every write, and wakes the loop (`onFenced`), which stops the
/// node's runs; then it joins again under a new epoch.
final class NodeMembership: @unchecked Sendable {
  let node: ClusterNode
  let member: ClusterMember
  /// The daemon's store: reaping records lost runs through it (their alerts, `--rerun-lost`).
  let store: Store
  let clock: DatabaseClock
  let log: Logger
  /// Called on the membership's thread when the node fenced itself and when it rejoined.
  let onChange: @Sendable (_ fenced: Bool) -> Void
  private var keeper = LeaseKeeper()
  private var nextReapAt: Int64 = 0
  private let stopping = Atomic<Bool>(false)
  private let done = DispatchSemaphore(value: 0)

  init(
    node: ClusterNode, member: ClusterMember, store: Store, clock: DatabaseClock, log: Logger,
    onChange: @escaping @Sendable (Bool) -> Void
  ) {
    (self.node, self.member, self.store, self.clock, self.log, self.onChange) = (
      node, member, store, clock, log, onChange
    )
  }

  /// The first join, before the daemon starts: its runs left live by an earlier process of this
  /// node are the daemon's recovery to resolve (it kills what they left).
  func join() throws {
    try joinNow(reapOwn: false)
  }

  func start() {
    let thread = Thread { [self] in
      while !stopping.load(ordering: .relaxed) { step() }
      done.signal()
    }
    thread.name = "tfs-lease"
    thread.start()
  }

  /// Stops renewing; with `leave`, marks the node `left` (a clean exit: peers do not report it).
  func stop(leave: Bool) {
    stopping.store(true, ordering: .relaxed)
    _ = done.wait(timeout: .now() + .seconds(3))
    if leave { try? node.leave() }
  }

  private func joinNow(reapOwn: Bool) throws {
    let sent = Monotonic.nowMs()
    let sentWall = clock.base.nowMs()
    let lost = try node.join(reapOwn: reapOwn)
    keeper.confirmed(sentAt: sent)
    if let lease = node.lease {
      clock.measured(sentMs: sentWall, answeredMs: clock.base.nowMs(), databaseMs: lease.renewedAt)
      member.epoch = lease.epoch
      log.info("joined the cluster", metadata: ["node": "\(member.name)", "epoch": .int(Int(lease.epoch))])
    }
    if !lost.isEmpty {
      log.warning("runs of an earlier epoch recorded lost", metadata: ["runs": .int(lost.count)])
    }
  }

  /// One turn: join when out, fence when the lease cannot be trusted, renew and reap when due,
  /// then sleep until the next of those.
  private func step() {
    let now = Monotonic.nowMs()
    switch keeper.state(at: now) {
    case .out:
      do {
        try joinNow(reapOwn: true)
        onChange(false)
      } catch {
        log.error("cannot join the cluster", metadata: ["error": "\(error)"])
        pause(until: now + 1_000)
      }
    case .fenced:
      fence("no lease renewal confirmed in time")
    case .live(let renewAt, let fenceAt):
      if now >= renewAt { renew(at: now) }
      if now >= nextReapAt { reap(at: now) }
      if case .live(let renewAt, _) = keeper.state(at: Monotonic.nowMs()) {
        pause(until: min(renewAt, fenceAt, nextReapAt))
      }
    }
  }

  private func renew(at now: Int64) {
    keeper.attempted(at: now)
    let sentWall = clock.base.nowMs()
    do {
      let lease = try node.renew()
      keeper.confirmed(sentAt: now)
      clock.measured(sentMs: sentWall, answeredMs: clock.base.nowMs(), databaseMs: lease.renewedAt)
    } catch .fenced {
      fence("the database refused the renewal")
    } catch {
      log.warning("lease renewal failed", metadata: ["error": "\(error)"])
    }
  }

  private func reap(at now: Int64) {
    nextReapAt = now + 2_000
    do {
      let lost = try store.reapDeadNodes()
      for run in lost {
        log.warning(
          "run lost", metadata: ["run": .int(Int(run.id)), "task": "\(run.task)", "node": "\(run.node)"])
      }
    } catch .fenced {
      fence("the database refused a write")  // reaping runs only while the lease holds
    } catch {
      log.warning("reaping failed", metadata: ["error": "\(error)"])
    }
  }

  private func fence(_ why: String) {
    member.epoch = nil
    keeper.refused()
    log.error(
      "node fenced: it stops its runs and rejoins", metadata: ["node": "\(member.name)", "why": "\(why)"])
    onChange(true)
  }

  private func pause(until monotonicMs: Int64) {
    let ms = max(1, min(monotonicMs - Monotonic.nowMs(), 500))
    usleep(UInt32(ms) * 1_000)
  }
}
