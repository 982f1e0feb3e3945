import ArgumentParser
import TFSCore
import TFSEngine
import TFSStore

struct Status: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show the daemon, running runs, failing tasks and recent alerts.",
    discussion: """
      The daemon is up when it holds the home's lock and its heartbeat is less than 10s old. A task \
      is failing when its last finished run failed, timed out or was lost. With --check nothing is \
      printed unless something is wrong: exit 0 when the daemon is up and no enabled task is \
      failing (a disabled one is shown, not counted), \
      else exit 1 with the reason on stderr (for monitoring). An alert channel whose last 3 attempts \
      failed is shown and fails --check too.
      """)

  @OptionGroup var global: GlobalOptions
  @Flag(help: "Exit 1 with the reason when the daemon is down or a task is failing.")
  var check = false
  @Flag(help: "The live view of 'tfs top', refreshed every second.") var watch = false
  @OptionGroup var output: JSONOption

  static let alertCount = 5

  /// What `status` (and `top`, with more alerts) reports, read from the store at `nowMs`.
  static func report(_ context: Context, nowMs: Int64, alerts: Int) throws -> StatusReport {
    let store = context.store
    let nodes = try store.nodes()
    return StatusReport(
      home: nodes == nil ? context.home.path : store.path, nowMs: nowMs,
      lockPid: nodes == nil ? DaemonLock.holder(context.home) : nil,
      daemon: try store.daemonInfo().map(StatusReport.Daemon.init), live: try store.liveRuns(),
      failing: try store.failingTasks(), alerts: try store.recentAlerts(limit: alerts),
      channels: try store.channels(), nodes: nodes)
  }

  func run() async throws {
    try await runCLI {
      let context = try Context(global, create: false)
      if watch {
        guard !check && !output.json else {
          throw ValidationError("--watch shows the live view; drop --check and --json")
        }
        try await Top.watch(context: context, count: nil)
        return
      }
      let report = try Status.report(context, nowMs: context.now, alerts: Status.alertCount)
      if output.json {
        Terminal.out(StatusView.json(report, zone: context.localZone).render())
      } else if !check {
        Terminal.out(StatusView.text(report, zone: context.localZone))
      }
      if check, !report.problems.isEmpty {
        throw CLIError.failed(report.problems.joined(separator: "; "))
      }
    }
  }
}
