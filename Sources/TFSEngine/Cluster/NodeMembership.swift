import Foundation
import Logging
import Synchronization
import TFSCore
import TFSStore

/// A daemon's membership of the cluster (docs/CLUSTER.md), on threads of its own so that
/// nothing the daemon's loop waits for (a slow statement, a dead connection) delays a renewal
/// or the fencing:
/// - the **lease** thread joins, renews the lease every 2 s on a connection of its own and
///   measures the database's clock for the daemon's `DatabaseClock`;
/// - the **watchdog** fences the node when no renewal was confirmed in time (`LeaseKeeper`:
///   8 s after the send of the last confirmed one, 2 s before the database can end the lease),
///   whatever the lease thread is blocked on: it clears the epoch, so the store refuses every
///   write, and calls `onFenced`, which kills the node's runs and wakes the loop;
/// - the **reaper** declares dead, every 2 s, the peers whose lease ended (their runs recorded
///   `lost` through the store, with their alerts and `--rerun-lost`).
/// Once fenced, the lease thread joins again under a new epoch and calls `onRejoined`.
final class NodeMembership: @unchecked Sendable {
  let node: ClusterNode
  let member: ClusterMember
  let store: Store
  let clock: DatabaseClock
  let log: Logger
  let onFenced: @Sendable () -> Void
  let onRejoined: @Sendable () -> Void
  /// The lease thread's own (it alone renews).
  private var keeper = LeaseKeeper()
  /// When the watchdog fences (monotonic ms); 0 while not joined.
  private let fenceAt = Atomic<Int64>(0)
  private let stopping = Atomic<Bool>(false)
  private let stopped = DispatchSemaphore(value: 0)

  init(
    node: ClusterNode, member: ClusterMember, store: Store, clock: DatabaseClock, log: Logger,
    onFenced: @escaping @Sendable () -> Void, onRejoined: @escaping @Sendable () -> Void
  ) {
    (self.node, self.member, self.store, self.clock, self.log) = (node, member, store, clock, log)
    (self.onFenced, self.onRejoined) = (onFenced, onRejoined)
  }

  /// The first join, before the daemon starts: its runs left live by an earlier process of this
  /// node are the daemon's recovery to resolve (it kills what they left).
  func join() throws {
    try joinNow(reapOwn: false)
  }

  func start() {
    spawn("tfs-lease") { $0.leaseStep() }
    spawn("tfs-fence") { $0.watch() }
    spawn("tfs-reaper") { $0.reap() }
  }

  /// Stops the threads; with `leave`, marks the node `left` (a clean exit: peers do not report it).
  func stop(leave: Bool) {
    stopping.store(true, ordering: .relaxed)
    for _ in 0..<3 { _ = stopped.wait(timeout: .now() + .seconds(6)) }
    if leave { try? node.leave() }
  }

  private func spawn(_ name: String, _ step: @escaping @Sendable (NodeMembership) -> Void) {
    let thread = Thread { [self] in
      while !stopping.load(ordering: .relaxed) { step(self) }
      stopped.signal()
    }
    thread.name = name
    thread.start()
  }

  private func joinNow(reapOwn: Bool) throws {
    let sent = Monotonic.nowMs()
    let sentWall = clock.base.nowMs()
    let lost = try node.join(reapOwn: reapOwn)
    confirmed(sentAt: sent, sentWall: sentWall)
    if let lease = node.lease {
      member.epoch = lease.epoch
      log.info("joined the cluster", metadata: ["node": "\(member.name)", "epoch": .int(Int(lease.epoch))])
    }
    if !lost.isEmpty {
      log.warning("runs of an earlier epoch recorded lost", metadata: ["runs": .int(lost.count)])
    }
  }

  private func confirmed(sentAt sent: Int64, sentWall: Int64) {
    keeper.confirmed(sentAt: sent)
    if let lease = node.lease {
      clock.measured(sentMs: sentWall, answeredMs: clock.base.nowMs(), databaseMs: lease.renewedAt)
    }
    if case .live(_, let deadline) = keeper.state(at: Monotonic.nowMs()) {
      fenceAt.store(deadline, ordering: .relaxed)
    }
  }

  /// The lease thread's turn: join when out (or fenced by the watchdog), renew when due.
  private func leaseStep() {
    let now = Monotonic.nowMs()
    if member.epoch == nil, case .live = keeper.state(at: now) { keeper.refused() }
    switch keeper.state(at: now) {
    case .out:
      do {
        try joinNow(reapOwn: true)
        onRejoined()
      } catch {
        log.error("cannot join the cluster", metadata: ["error": "\(error)"])
        pause(until: now + 1_000)
      }
    case .fenced:
      fence("no lease renewal confirmed in time")
      keeper.refused()
    case .live(let renewAt, let deadline):
      if now >= renewAt {
        renew(at: now)
      } else {
        pause(until: min(renewAt, deadline))
      }
    }
  }

  private func renew(at now: Int64) {
    keeper.attempted(at: now)
    let sentWall = clock.base.nowMs()
    do {
      try node.renew()
      confirmed(sentAt: now, sentWall: sentWall)
    } catch .fenced {
      fence("the database refused the renewal")
      keeper.refused()
    } catch {
      log.warning("lease renewal failed", metadata: ["error": "\(error)"])
    }
  }

  /// The watchdog: fences at the deadline the last confirmed renewal set.
  private func watch() {
    let deadline = fenceAt.load(ordering: .relaxed)
    if deadline > 0 && Monotonic.nowMs() >= deadline && member.epoch != nil {
      fence("no lease renewal confirmed in time")
    }
    usleep(20_000)
  }

  private func reap() {
    if member.epoch != nil {
      do {
        for run in try store.reapDeadNodes() {
          log.warning(
            "run lost", metadata: ["run": .int(Int(run.id)), "task": "\(run.task)", "node": "\(run.node)"])
        }
      } catch .fenced {
        fence("the database refused a write")
      } catch {
        log.warning("reaping failed", metadata: ["error": "\(error)"])
      }
    }
    pause(until: Monotonic.nowMs() + 2_000)
  }

  /// Clears the epoch (the store refuses every write from now on) and stops the node's runs;
  /// once only per epoch, whichever thread sees it first.
  private func fence(_ why: String) {
    fenceAt.store(0, ordering: .relaxed)
    guard member.clearEpoch() else { return }
    log.error(
      "node fenced: it stops its runs and rejoins", metadata: ["node": "\(member.name)", "why": "\(why)"])
    onFenced()
  }

  /// Sleeps until `monotonicMs`, in slices short enough to notice a stop.
  private func pause(until monotonicMs: Int64) {
    let ms = max(1, min(monotonicMs - Monotonic.nowMs(), 200))
    usleep(UInt32(ms) * 1_000)
  }
}
