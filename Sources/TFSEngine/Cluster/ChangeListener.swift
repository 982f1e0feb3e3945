import Foundation
import TFSCore
import TFSStore

/// How a node hears at once of what commands write on any host (`tfs add`, `modify`, `run`,
/// `kill`): a connection of its own that LISTENs to `tfs_change` (notified by the store's
/// triggers), whose socket the daemon's loop polls with its other descriptors. The store's
/// change counter, looked at every poll interval, is the fallback: a lost connection is opened
/// again at the next poll and misses nothing the counter does not also show.
final class ChangeListener {
  private let url: String
  private var connection: PGConnection?
  private var nextAttemptMs: Int64 = 0

  init(url: String) {
    self.url = url
    reconnect()
  }

  /// The socket to poll, -1 while not connected.
  var descriptor: Int32 { connection?.socket ?? -1 }

  /// Reads what arrived; true when a command wrote something.
  func heard() -> Bool {
    guard let connection else { return false }
    do {
      return try !connection.notifications(waitingMs: 0).isEmpty
    } catch {
      self.connection = nil
      return true  // what was missed is read again: the loop reloads
    }
  }

  /// Opens the connection again when it was lost (at most once a second).
  func reconnectIfNeeded() {
    guard connection?.isOpen != true, Monotonic.nowMs() >= nextAttemptMs else { return }
    reconnect()
  }

  private func reconnect() {
    nextAttemptMs = Monotonic.nowMs() + 1_000
    do {
      let fresh = try PGConnection(url: url, applicationName: "tfs listener")
      try fresh.listen("tfs_change")
      connection = fresh
    } catch {
      connection = nil
    }
  }
}
