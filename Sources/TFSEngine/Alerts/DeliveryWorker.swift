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
  private var thread: Thread?
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
    self.thread = thread
    thread.start()
  }

  /// Stops claiming and waits up to `graceMs` for sends in flight; what is still being sent
  /// keeps its claim until it expires or the next daemon frees it (then it is sent again).
  public func stop(graceMs: Int64) {
    lock.lock()
    stopped = true
    lock.unlock()
    Store.deliveryBell.ring()
    _ = idle.wait(timeout: .now() + .milliseconds(Int(graceMs)))
  }

  private var isStopped: Bool {
    lock.lock()
    defer { lock.unlock() }
    return stopped
  }

  /// Wakes when rung, when the earliest delivery is due, and every `pollMs` (alerts queued by
  /// other processes); claims — a write — only when something is due.
  private func loop() {
    var nextDue: Int64? = nil
    while !isStopped {
      let now = clock.nowMs()
      // Due but not taken (its channel busy): the bell rings when the channel is free.
      let wait = min(
        DeliveryWorker.pollMs, nextDue.map { $0 > now ? $0 - now : DeliveryWorker.pollMs } ?? Int64.max)
      _ = Store.deliveryBell.wait(timeoutMs: wait)
      if isStopped { break }
      do {
        if let due = try store.nextDeliveryDue(), due <= clock.nowMs() { try dispatchDue() }
        nextDue = try store.nextDeliveryDue()
      } catch {
        log.error("alert delivery failed to read the outbox", metadata: ["error": "\(error)"])
        nextDue = clock.nowMs() + 1000
      }
    }
  }

  /// Claims what is due and hands each channel's share to a thread of its own.
  func dispatchDue() throws {
    let now = clock.nowMs()
    let claimed = try store.claimDeliveries(
      now: now, claimant: claimant, leaseMs: DeliveryWorker.leaseMs, skipping: busyChannels())
    guard !claimed.isEmpty else { return }
    let channels = Dictionary(try store.channels().map { ($0.channel.name, $0.channel) }) { a, _ in a }
    var order: [String] = []
    var byChannel: [String: [ClaimedDelivery]] = [:]
    for d in claimed {
      if byChannel[d.channel] == nil { order.append(d.channel) }
      byChannel[d.channel, default: []].append(d)
    }
    for name in order {
      let batch = byChannel[name] ?? []
      guard let channel = channels[name] else {
        try store.recordAttempt(
          batch.map { ($0.id, .failed) }, channel: name, error: "channel removed", at: now)
        continue
      }
      markBusy(name, true)
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
