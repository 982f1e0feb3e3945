import Foundation
import Logging
import TFSCore
import TFSStore

/// Sends the outbox beside the scheduler (SPEC §7): claims due deliveries, sends each channel's
/// on its own thread (a hung channel holds up only itself, never the scheduler or the other
/// channels), and records the outcome with backoff, digests and channel health.
public final class DeliveryWorker: @unchecked Sendable {
  /// How a message reaches a channel (the real transports, or a test's).
  public typealias Send = @Sendable (AlertMessage, Channel) -> DeliveryResult

  let store: Store
  let clock: any TFSCore.Clock
  let log: Logger
  let send: Send
  let claimant: String
  let retryBaseMs: Int64
  /// How long a claim keeps other workers off a delivery (longer than any channel's sends).
  static let leaseMs: Int64 = 300_000
  /// How often the outbox is looked at when nothing rings (alerts of other processes).
  static let pollMs: Int64 = 100

  private let lock = NSLock()
  private var busy: Set<String> = []
  private var stopped = false
  private let idle = DispatchGroup()

  public init(
    store: Store, clock: any TFSCore.Clock, log: Logger, retryBaseMs: Int64 = DeliveryRules.firstRetryMs,
    send: @escaping Send = { Transports.send($0, via: $1) }
  ) {
    self.retryBaseMs = retryBaseMs
    self.store = store
    self.clock = clock
    self.log = log
    self.send = send
    claimant = "\(AlertHost.name):\(getpid())"
  }

  /// Starts the dispatch thread.
  public func start() {
    let thread = Thread { [self] in loop() }
    thread.name = "tfs-delivery"
    thread.start()
  }

  /// Stops claiming and waits up to `graceMs` for sends in flight; what is still being sent
  /// keeps its claim until it expires or the next daemon frees it (then it is sent again).
  public func stop(graceMs: Int64) {
    lock.lock()
    stopped = true
    lock.unlock()
    Store.deliveryBell.ring()
    if idle.wait(timeout: .now() + .milliseconds(Int(graceMs))) == .timedOut {
      // Sends still in flight: their commands (own sessions) must not outlive the daemon, and
      // their alerts go to the next daemon (claims freed now, sent again: at least once).
      ChildProcess.killAll()
      _ = idle.wait(timeout: .now() + .milliseconds(500))
    }
    try? store.releaseDeliveryClaims(of: claimant)
  }

  private var isStopped: Bool {
    lock.lock()
    defer { lock.unlock() }
    return stopped
  }

  /// Wakes when rung (this process queued an alert, or a channel's send ended), when the
  /// earliest delivery it could take is due, and every `pollMs` to see whether another process
  /// wrote to the store (`PRAGMA data_version`: no table is read unless it changed).
  private func loop() {
    var nextDue: Int64? = 0
    var seenVersion: Int64 = -1
    while !isStopped {
      let now = clock.nowMs()
      let wait = min(DeliveryWorker.pollMs, nextDue.map { max(0, $0 - now) } ?? DeliveryWorker.pollMs)
      let rung = Store.deliveryBell.wait(timeoutMs: wait)
      do {
        let version = try store.dataVersion()
        let due = nextDue.map { $0 <= clock.nowMs() } ?? false
        guard rung || due || version != seenVersion else { continue }
        seenVersion = version
        guard try dispatchDue() else { break }
        nextDue = try store.nextDeliveryDue(now: clock.nowMs(), skipping: busyChannels())
      } catch {
        log.error("alert delivery failed to read the outbox", metadata: ["error": "\(error)"])
        Thread.sleep(forTimeInterval: 1)
        nextDue = 0
      }
    }
  }

  /// Claims what is due and hands each channel's share to a thread of its own. False once the
  /// worker is stopping (nothing is claimed then).
  func dispatchDue() throws -> Bool {
    lock.lock()
    defer { lock.unlock() }
    guard !stopped else { return false }
    let now = clock.nowMs()
    let claimed = try store.claimDeliveries(
      now: now, claimant: claimant, leaseMs: DeliveryWorker.leaseMs, skipping: busy)
    guard !claimed.isEmpty else { return true }
    let channels = Dictionary(try store.channels().map { ($0.channel.name, $0.channel) }) { a, _ in a }
    for (name, batch) in Dictionary(grouping: claimed, by: \.channel).sorted(by: { $0.key < $1.key }) {
      guard let channel = channels[name] else {
        try store.recordAttempt(
          batch.map { ($0.id, .failed) }, channel: name, error: "channel removed", at: now)
        continue
      }
      busy.insert(name)
      idle.enter()
      Thread { [self] in
        defer {
          markBusy(name, false)
          idle.leave()
          Store.deliveryBell.ring()
        }
        deliver(batch, to: channel)
      }.start()
    }
    return true
  }

  private func busyChannels() -> Set<String> {
    lock.lock()
    defer { lock.unlock() }
    return busy
  }

  private func markBusy(_ name: String, _ on: Bool) {
    lock.lock()
    if on { busy.insert(name) } else { busy.remove(name) }
    lock.unlock()
  }
}
