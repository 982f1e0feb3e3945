import CTFSSupport
import Foundation
import TFSCore
import TFSStore

/// `tfs run NAME --here`: the same preparation, process handling and records as the daemon, in
/// the calling process, with the log streamed to `echo` (stdout) as it is written.
public struct HereRunner {
  let store: Store
  let settings: EffectiveSettings
  let clock: any TFSCore.Clock

  public init(store: Store, settings: EffectiveSettings, clock: any TFSCore.Clock) {
    self.store = store
    self.settings = settings
    self.clock = clock
  }

  /// Runs the recorded (queued) `run` to its end and returns it as stored.
  public func execute(_ run: Run, spec: TaskSpec, echo: Int32?) throws -> Run {
    var fds: [Int32] = [0, 0]
    guard ctfs_pipe(&fds) == 0 else { throw DaemonError.io("could not create the signal pipe") }
    _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
    defer {
      close(fds[0])
      close(fds[1])
    }
    // A closed terminal (SIGHUP) stops the run like Ctrl-C does; a closed pipe (`| head -1`)
    // only stops the echo: either way this process lives to record the end.
    let stops: Set<Int32> = [SIGINT, SIGTERM, SIGHUP]
    let signals = [SIGCHLD] + Array(stops)
    _ = ctfs_signal_pipe(fds[1], signals, Int32(signals.count))
    signal(SIGPIPE, SIG_IGN)
    let supervisor = Supervisor(
      store: store, launcher: PosixLauncher(adoptingOrphans: true), clock: clock, settings: settings)
    let launched = supervisor.start([(run, spec)])
    try store.finishRuns(launched.failed.map { ($0.live.run.id, $0.end, $0.events) })
    guard let live = launched.started.first else { return try store.run(run.id) ?? run }
    var follower = LogFollower(path: live.paths.absolute(live.run.logPath ?? ""))
    var stop: Stop?
    if launched.killedMeanwhile.contains(run.id) {
      stop = Stop(reason: .killed(actor: "tfs kill", signal: SIGKILL))
    }
    while true {
      var polls = [pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)]
      for fd in [live.stdoutFd, live.stderrFd] where fd >= 0 {
        polls.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
      }
      _ = poll(&polls, nfds_t(polls.count), 100)
      if polls[0].revents != 0 {
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
        if n > 0 && buffer[0..<n].contains(where: { stops.contains(Int32($0)) }) {
          stop = supervisor.stop(live, .killed(actor: Actor.current(), signal: SIGTERM), after: stop)
        }
      }
      supervisor.drainOutput(live)
      let (event, after) = supervisor.checkTimers(live, stop: stop, now: clock.nowMs())
      stop = after
      if let event { try store.record(event) }
      if let echo { follower.copy(to: echo) }
      if let exited = supervisor.launcher.reap([live.pid]).first {
        let finished = supervisor.ended([(live, exited.status, stop?.reason)])
        try store.finishRuns(finished.map { ($0.live.run.id, $0.end, $0.events) })
        break
      }
    }
    if let echo { follower.copy(to: echo) }
    return try store.run(run.id) ?? run
  }
}

/// Copies what has been appended to a file since the last call (for `--here` and `logs -f`).
public struct LogFollower {
  let path: String
  var offset: off_t = 0

  public init(path: String) { self.path = path }

  public mutating func copy(to out: Int32) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
      if n <= 0 { return }
      buffer.withUnsafeBytes { Terminal.writeAll(out, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
      offset += off_t(n)
    }
  }
}
