import Foundation
import TFSCore

/// A launcher that knows which of its process groups are alive, for a thread other than the
/// daemon's loop: a node that fences itself kills its runs at once (`killAll`), even while
/// its loop is blocked on the database.
final class TrackingLauncher: ProcessLauncher, @unchecked Sendable {
  private let base: any ProcessLauncher
  private let lock = NSLock()
  private var groups: Set<Int32> = []

  init(_ base: any ProcessLauncher) {
    self.base = base
  }

  func launch(_ request: LaunchRequest) throws(LaunchError) -> Int32 {
    let pid = try base.launch(request)
    lock.withLock { _ = groups.insert(pid) }
    return pid
  }

  func signal(group pid: Int32, _ signal: Int32) { base.signal(group: pid, signal) }

  func reap(_ pids: [Int32]) -> [(pid: Int32, status: Int32)] {
    let exited = base.reap(pids)
    lock.withLock { for (pid, _) in exited { groups.remove(pid) } }
    return exited
  }

  /// SIGKILL to every process group launched and not reaped yet.
  func killAll() -> Int {
    let alive = lock.withLock { groups }
    for pid in alive { base.signal(group: pid, SIGKILL) }
    return alive.count
  }
}

extension TrackingLauncher {
  /// Where the launcher is found once made (it is made after the membership that kills with it).
  final class Slot: @unchecked Sendable {
    private let lock = NSLock()
    private var held: TrackingLauncher?

    var launcher: TrackingLauncher? {
      get { lock.withLock { held } }
      set { lock.withLock { held = newValue } }
    }
  }
}
