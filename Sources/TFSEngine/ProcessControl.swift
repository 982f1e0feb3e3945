import CTFSSupport
import Foundation
import TFSCore

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

  /// SIGKILLs processes (and their groups) whose environment names one of `runs` as TFS_RUN_ID
  /// with its task folder as TFS_TASK_DIR: a run's processes once its leader is gone (spawned
  /// just before a crash, grandchildren left in a dead run's group). Returns the ids it found.
  @discardableResult
  public static func killRuns(_ runs: [RunID: String]) -> Set<RunID> {
    guard !runs.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
      return []
    }
    var found: Set<RunID> = []
    for entry in entries {
      guard let pid = Int32(entry), pid != getpid(),
        let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
      else { continue }
      var id: RunID?
      var folder: String?
      for variable in data.split(separator: 0) {
        if variable.starts(with: Array("TFS_RUN_ID=".utf8)) {
          id = RunID(String(decoding: variable.dropFirst(11), as: UTF8.self))
        } else if variable.starts(with: Array("TFS_TASK_DIR=".utf8)) {
          folder = String(decoding: variable.dropFirst(13), as: UTF8.self)
        }
      }
      if let id, let folder, runs[id] == folder {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        found.insert(id)
      }
    }
    return found
  }
}
