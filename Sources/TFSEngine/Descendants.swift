import CTFSSupport
import Foundation
import Synchronization

/// A run's processes that left its process group (`setsid`, a double fork), as systemd's
/// `KillMode=control-group` would find them (SPEC §9). The process that starts runs is a child
/// subreaper: when a process of a run dies, its children are reparented to us, not to init.
/// Each such adopted process is tied to its run — by its process group while it is still the
/// run's, else by the `TFS_RUN_ID` of its environment — signalled with the run's group, killed
/// as soon as its run has ended, and reaped. One that carries neither (it left the group and
/// cleared its environment) belongs to one of the runs live when it was adopted: it is killed
/// once all of those have ended.
public final class Descendants: Sendable {
  private struct Adopted {
    /// The leader of its run while that run is live.
    var leader: Int32?
    /// For one whose run is unknown: the leaders live when it was adopted.
    var anyOf: Set<Int32> = []
    var killed = false
  }

  private struct State {
    /// Live run leaders, with the `TFS_RUN_ID` they were started with.
    var leaders: [Int32: String] = [:]
    var adopted: [Int32: Adopted] = [:]
    /// When the children were last listed (monotonic ns).
    var listedAt: UInt64 = 0
  }

  private let state = Mutex(State())
  /// A cgroup per run, where one is delegated to us: it holds all of a run's processes.
  let cgroups: RunCgroups?

  /// Makes this process a child subreaper; nil when the kernel refuses.
  public static func adopt(cgroups: RunCgroups? = nil) -> Descendants? {
    ctfs_become_subreaper() == 0 ? Descendants(cgroups: cgroups) : nil
  }

  private init(cgroups: RunCgroups?) { self.cgroups = cgroups }

  /// The `cgroup.procs` the run about to start with this environment joins (-1: none).
  func cgroupFd(for environment: [String: String]) -> Int32 {
    guard let cgroups, let id = environment["TFS_RUN_ID"] else { return -1 }
    return cgroups.open(runID: id)
  }

  /// A run's leader was started with this environment.
  func launched(_ pid: Int32, environment: [String: String]) {
    state.withLock { $0.leaders[pid] = environment["TFS_RUN_ID"] ?? "" }
  }

  /// Sends `signal` to the adopted processes of the run `leader` leads (its group has it).
  func signal(leader: Int32, _ signal: Int32) {
    let (pids, id) = state.withLock { s in
      (s.adopted.filter { $0.value.leader == leader }.map(\.key), s.leaders[leader])
    }
    for pid in pids { Descendants.send(pid, signal) }
    if let id { cgroups?.signal(runID: id, signal) }
  }

  /// After `reaped` leaders were waited for: reaps the adopted processes that exited, adopts
  /// the orphans reparented to us since, and kills those whose run has ended.
  func collect(reaped: [Int32]) {
    state.withLock { s in
      for pid in reaped {
        if let id = s.leaders.removeValue(forKey: pid) { cgroups?.kill(runID: id) }
      }
      cgroups?.sweep()
      var exited = false
      for pid in s.adopted.keys {
        var status: Int32 = 0
        let waited = waitpid(pid, &status, WNOHANG)
        guard waited == pid || (waited < 0 && errno == ECHILD) else { continue }
        s.adopted[pid] = nil
        exited = true
      }
      // Orphans come when a process of ours dies: list the children then, else once a second
      // (a process deeper down can die any time, but its orphans matter when their run ends).
      let now = DispatchTime.now().uptimeNanoseconds
      if !reaped.isEmpty || exited || now - s.listedAt >= 1_000_000_000 {
        adoptOrphans(&s)
        s.listedAt = now
      }
      for (pid, member) in s.adopted where !member.killed {
        var member = member
        if let leader = member.leader, s.leaders[leader] == nil { member.leader = nil }
        member.anyOf = member.anyOf.filter { s.leaders[$0] != nil }
        if member.leader == nil && member.anyOf.isEmpty {
          Descendants.send(pid, SIGKILL)
          member.killed = true
        }
        s.adopted[pid] = member
      }
    }
  }

  /// How many adopted processes are not reaped yet.
  public var count: Int { state.withLock { $0.adopted.count } }

  private func adoptOrphans(_ s: inout State) {
    var children = [pid_t](repeating: 0, count: 4096)
    let n = Int(ctfs_children(&children, Int32(children.count)))
    guard n > 0 else { return }
    for pid in children[0..<n] where s.leaders[pid] == nil && s.adopted[pid] == nil {
      s.adopted[pid] = Descendants.attribute(pid, leaders: s.leaders)
    }
  }

  /// Which live run an orphan belongs to: the group it is in, else its `TFS_RUN_ID`. One that
  /// names a run no longer live gets no leader (it is killed); one that names none may be of
  /// any run live now.
  private static func attribute(_ pid: Int32, leaders: [Int32: String]) -> Adopted {
    let group = getpgid(pid)
    if leaders[group] != nil { return Adopted(leader: group) }
    guard let runID = runID(of: pid) else { return Adopted(anyOf: Set(leaders.keys)) }
    return Adopted(leader: leaders.first { $0.value == runID }?.key)
  }

  private static func runID(of pid: Int32) -> String? {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
    let key = Array("TFS_RUN_ID=".utf8)
    return data.split(separator: 0).first { $0.starts(with: key) }.map {
      String(decoding: $0.dropFirst(key.count), as: UTF8.self)
    }
  }

  /// `signal` to the process, and to its group when it leads one (it called `setsid`).
  private static func send(_ pid: Int32, _ signal: Int32) {
    if getpgid(pid) == pid { kill(-pid, signal) }
    kill(pid, signal)
  }
}
