import CTFSSupport
import Foundation

/// Signals to a run's process group from outside its executor (`tfs kill`), guarded against pid
/// reuse by the process start time recorded with the run.
public enum ProcessControl {
  /// Sends `signal` to the group led by `pid` if that pid is still the process that was started
  /// (same start time). Returns false when it is gone.
  @discardableResult
  public static func signalGroup(pid: Int32, processStart: Int64?, signal: Int32) -> Bool {
    guard pid > 0 else { return false }
    if let processStart, ctfs_process_start(pid) != processStart { return false }
    return kill(-pid, signal) == 0 || kill(pid, signal) == 0
  }

  public static func isAlive(_ pid: Int32) -> Bool { ctfs_process_alive(pid) != 0 }

  /// `TERM`, `SIGTERM`, `15` → 15.
  public static func signalNumber(_ text: String) -> Int32? {
    let names: [String: Int32] = [
      "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1, "USR2": SIGUSR2,
      "TERM": SIGTERM, "CONT": SIGCONT, "STOP": SIGSTOP, "ALRM": SIGALRM,
    ]
    if let n = Int32(text), (1...64).contains(n) { return n }
    let upper = text.uppercased()
    return names[upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper]
  }
}
