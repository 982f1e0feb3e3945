import Foundation
import Logging
import TFSCore
import TFSStore

extension DeliveryWorker {
  /// Sends one channel's due deliveries: each as its own message, or all in one digest when
  /// they would pass the channel's 10 a minute, or none yet when the minute is used up.
  func deliver(_ batch: [ClaimedDelivery], to channel: Channel) {
    do {
      let now = clock.nowMs()
      let sent = try store.messagesSent(channel: channel.name, since: now - DeliveryRules.windowMs)
      switch DeliveryRules.plan(sentAt: sent, due: batch.count, now: now) {
      case .waitUntil(let until):
        try store.recordAttempt(
          batch.map { ($0.id, .deferred(until: until)) }, channel: channel.name, error: "", at: now)
      case .digest:
        try attempt(batch, channel: channel)
      case .each:
        for (i, d) in batch.enumerated() {
          // After a failed attempt the rest would fail alike: they wait for their own retry.
          if try !attempt([d], channel: channel) {
            let rest = batch[(i + 1)...]
            let later = clock.nowMs() + retryBaseMs
            try store.recordAttempt(
              rest.map { ($0.id, .deferred(until: later)) }, channel: channel.name, error: "", at: now)
            break
          }
        }
      }
    } catch {
      log.error(
        "alert delivery failed to record", metadata: ["channel": "\(channel.name)", "error": "\(error)"])
    }
  }

  /// One message (a digest when several) and its outcome recorded; true when delivered.
  @discardableResult
  private func attempt(_ items: [ClaimedDelivery], channel: Channel) throws -> Bool {
    let message = try self.message(items, channel: channel)
    let result = send(message, channel)
    let at = clock.nowMs()
    let error: String
    let updates: [(Int64, DeliveryUpdate)]
    switch result.outcome {
    case .delivered:
      error = ""
      let digest = items.count > 1 ? items[0].id : nil
      updates = items.map { ($0.id, .delivered(digest: digest)) }
    case .retry(let why):
      error = why
      // One next attempt for the message (a digest is retried whole), from its oldest alert.
      let next = DeliveryRules.nextAttempt(
        attempts: items.map(\.attempts).max()! + 1, createdAt: items.map(\.createdAt).min()!, now: at,
        retryAfterMs: result.retryAfterMs, random: Double.random(in: 0..<1), firstRetryMs: retryBaseMs)
      updates = items.map { d in
        // Alerts younger than the oldest are given up with it only when their own day is over.
        let own =
          next
          ?? DeliveryRules.nextAttempt(
            attempts: d.attempts + 1, createdAt: d.createdAt, now: at, retryAfterMs: result.retryAfterMs,
            random: 0.5, firstRetryMs: retryBaseMs)
        return (d.id, own.map { .retry(at: $0) } ?? .failed)
      }
    case .permanent(let why):
      error = why
      updates = items.map { ($0.id, .failed) }
    }
    let (before, failures) = try store.recordAttempt(updates, channel: channel.name, error: error, at: at)
    logOutcome(result, items: items, channel: channel, failures: failures, before: before, updates: updates)
    if case .delivered = result.outcome { return true }
    return false
  }

  private func logOutcome(
    _ result: DeliveryResult, items: [ClaimedDelivery], channel: Channel, failures: Int, before: Int,
    updates: [(Int64, DeliveryUpdate)]
  ) {
    var meta: Logger.Metadata = [
      "channel": "\(channel.name)", "alerts": .int(items.count), "alert": .int(items[0].event.id),
      "latency_ms": .int(result.latencyMs),
    ]
    switch result.outcome {
    case .delivered:
      log.info(items.count > 1 ? "alert digest delivered" : "alert delivered", metadata: meta)
      if before >= DeliveryRules.failingAfter {
        log.notice("channel recovered", metadata: ["channel": "\(channel.name)"])
      }
    case .retry(let why), .permanent(let why):
      meta["error"] = "\(why)"
      meta["attempt"] = .int(items[0].attempts + 1)
      if case .retry(let next)? = updates.first?.1 { meta["next_attempt_ms"] = .int(next - clock.nowMs()) }
      let gaveUp = updates.contains { if case .failed = $0.1 { true } else { false } }
      log.warning(gaveUp ? "alert delivery given up" : "alert delivery failed", metadata: meta)
      if failures == DeliveryRules.failingAfter {
        log.error(
          "channel failing",
          metadata: ["channel": "\(channel.name)", "failures": .int(failures), "error": "\(why)"])
      }
    }
  }

  /// The message for `items`: their alerts, plus recipients and sender for mail.
  func message(_ items: [ClaimedDelivery], channel: Channel) throws -> AlertMessage {
    let alerts = items.map { d in
      AlertPayload(
        id: d.event.id, type: EventType(rawValue: d.event.type) ?? .systemError, at: d.event.at,
        task: d.event.task, runID: d.event.runID, title: d.event.title, details: d.event.details,
        folded: d.folded)
    }
    let listed = Array(alerts.prefix(AlertMessage.digestListed))
    var message = AlertMessage(alerts: listed, channel: channel.name, host: AlertHost.name)
    message.omitted = alerts.count - listed.count
    if case .email(let addresses, _) = channel.target {
      let settings = try store.settings()
      var to = addresses
      for task in Set(alerts.compactMap(\.task)).sorted() { to += try store.owners(of: task) }
      to += (try? Owners.parse([settings[Setting.notify.rawValue] ?? ""])) ?? []
      var seen: Set<String> = []
      message.recipients = to.filter { seen.insert($0.lowercased()).inserted }
      message.mailFrom = settings[Setting.mailFrom.rawValue] ?? "tfs@\(AlertHost.name)"
    }
    return message
  }
}

/// The host name alerts carry.
public enum AlertHost {
  public static let name: String = {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
    return String(cString: buffer)
  }()
}
