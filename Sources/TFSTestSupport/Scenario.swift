import Foundation

/// A temp home with helpers to write task folders and add tasks through the built binary.
public struct Scenario: Sendable {
  public let dir: TempDir
  public let tfs: TFSBinary

  public init(_ label: String = "tfs-e2e") {
    dir = TempDir(label)
    tfs = TFSBinary(home: dir.path + "/home")
  }

  public var home: String { tfs.home }
  public var database: String { home + "/tfs.db" }
  public func taskDir(_ name: String) -> String { home + "/tasks/" + name }

  /// Writes `<task>/run.sh` and adds the task with `flags`; fails the caller on a non-zero exit.
  @discardableResult
  public func addTask(_ name: String, rule: String, script: String, flags: [String] = []) throws -> Output {
    dir.write("home/tasks/\(name)/run.sh", "#!/bin/sh\n" + script + "\n", executable: true)
    let out = try tfs.run(["add", name, "--rule", rule] + flags)
    guard out.status == 0 else { throw ScenarioError.command("add \(name)", out) }
    return out
  }

  public func remove() { dir.remove() }

  /// Kills, with the process groups they lead, the processes whose TFS_TASK_DIR lies in this
  /// scenario's folder: its runs and what they started. For the clean-up of tests that SIGKILL
  /// the daemon, which would otherwise have stopped them. Returns their pids.
  @discardableResult
  public func killRuns() -> [Int32] {
    let pids = processes(withTaskDirUnder: dir.path + "/")
    for pid in pids {
      kill(-pid, SIGKILL)  // fails harmlessly when it leads no group
      kill(pid, SIGKILL)
    }
    return pids
  }
}

/// Live processes whose environment has a TFS_TASK_DIR starting with `prefix`.
public func processes(withTaskDirUnder prefix: String) -> [Int32] {
  guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
  let wanted = Array("TFS_TASK_DIR=\(prefix)".utf8)
  return entries.compactMap { entry in
    guard let pid = Int32(entry), let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
    else { return nil }
    let found = environ.split(separator: 0, omittingEmptySubsequences: true).contains {
      $0.starts(with: wanted)
    }
    return found ? pid : nil
  }
}

public enum ScenarioError: Error, CustomStringConvertible {
  case command(String, Output)
  public var description: String {
    switch self {
    case .command(let what, let out): "tfs \(what) failed: \(out)"
    }
  }
}

/// Processes whose command line contains `token` (to check that none survive a kill).
public func processes(containing token: String) -> [Int32] {
  guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
  var found: [Int32] = []
  for entry in entries {
    guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
    else {
      continue
    }
    let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    if text.contains(token), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] != "Z"
    {
      found.append(pid)
    }
  }
  return found
}
