import CTFSSupport
import Foundation
import Synchronization

/// A cgroup per run, where the daemon was given one to manage (cgroup v2): then a run's
/// processes stay in `run-ID` whatever they do with sessions, groups and parents, and
/// `cgroup.kill` (Linux 5.14+) ends them all at once when the run ends. The daemon moves itself
/// to the leaf `daemon` (in a delegated subtree processes live in leaves).
///
/// A cgroup is used when `TFS_CGROUP` names one, or when the daemon's own cgroup is delegated
/// to it: systemd marks a unit's cgroup with the `trusted.delegate` (or `user.delegate`)
/// attribute under `Delegate=yes`. Otherwise runs are tracked by the subreaper (`Descendants`).
public final class RunCgroups: Sendable {
  public let base: String
  /// Ended runs' cgroups not removed yet (`rmdir` waits for them to empty).
  private let ended = Mutex<Set<String>>([])

  private init(base: String) { self.base = base }

  /// The delegated cgroup, set up (the daemon in its leaf, what a crashed daemon left killed);
  /// nil when there is none or it cannot be used.
  public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment)
    -> RunCgroups?
  {
    let named = environment["TFS_CGROUP"].flatMap { $0.isEmpty ? nil : $0 }
    guard let base = named ?? delegatedCgroup(), access(base + "/cgroup.kill", F_OK) == 0 else { return nil }
    let leaf = base + "/daemon"
    guard mkdir(leaf, 0o755) == 0 || errno == EEXIST,
      RunCgroups.write("\(getpid())", to: leaf + "/cgroup.procs")
    else {
      return nil
    }
    let cgroups = RunCgroups(base: base)
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
    where entry.hasPrefix("run-") {
      cgroups.kill(runID: String(entry.dropFirst(4)))
    }
    cgroups.sweep()
    return cgroups
  }

  /// The run's cgroup, made now: its `cgroup.procs` open for the child to join (-1 on failure,
  /// and the run goes without).
  func open(runID: String) -> Int32 {
    let dir = path(runID)
    guard mkdir(dir, 0o755) == 0 || errno == EEXIST else { return -1 }
    return Glibc.open(dir + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
  }

  /// Every process of the run.
  func signal(runID: String, _ signal: Int32) {
    let text = (try? String(contentsOfFile: path(runID) + "/cgroup.procs", encoding: .utf8)) ?? ""
    for pid in text.split(separator: "\n").compactMap({ Int32($0) }) { Glibc.kill(pid, signal) }
  }

  /// Kills every process of the run at once; its cgroup is removed once empty (`sweep`).
  func kill(runID: String) {
    _ = RunCgroups.write("1", to: path(runID) + "/cgroup.kill")
    ended.withLock { _ = $0.insert(runID) }
  }

  /// Removes the ended runs' cgroups that have emptied.
  func sweep() {
    ended.withLock { ids in
      ids = ids.filter { rmdir(path($0)) != 0 && errno != ENOENT }
    }
  }

  private func path(_ runID: String) -> String { base + "/run-" + runID }

  /// This process's cgroup (v2) when it carries systemd's delegation mark.
  private static func delegatedCgroup() -> String? {
    guard let own = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
      let line = own.split(separator: "\n").first(where: { $0.hasPrefix("0::") }),
      let mounts = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
      let mount = mounts.split(separator: "\n").first(where: { $0.contains(" - cgroup2 ") })
    else { return nil }
    let fields = mount.split(separator: " ")
    guard fields.count > 4 else { return nil }
    let relative = String(line.dropFirst(3))
    let dir = String(fields[4]) + (relative == "/" ? "" : relative)
    return ctfs_cgroup_delegated(dir) == 1 ? dir : nil
  }

  private static func write(_ text: String, to path: String) -> Bool {
    let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return text.withCString { Glibc.write(fd, $0, strlen($0)) } == text.utf8.count
  }
}
