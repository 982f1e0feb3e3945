import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct Daemon: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "daemon",
    abstract: "Run the scheduler in the foreground (for systemd, supervisord, runit).",
    discussion: """
      One daemon per home (a second exits 1). Logs one line per event on stderr. SIGTERM/SIGINT: \
      stop starting runs, wait up to --shutdown-grace for running ones, kill the rest, exit 0. \
      SIGHUP or SIGUSR1: re-read tasks and settings now (changes are also noticed within 200 ms).
      """)

  @OptionGroup var global: GlobalOptions
  @Option(parsing: .unconditional, help: ArgumentHelp("Log line format: text|json.", valueName: "format"))
  var logFormat = "text"
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("How long SIGTERM waits for running runs before killing them.", valueName: "dur"))
  var shutdownGrace = "30s"
  /// Hidden, for end-to-end tests: the first alert retry delay (5s) that later ones double.
  @Option(parsing: .unconditional, help: .hidden) var alertRetryBase: String?
  /// Hidden, for end-to-end tests and scripts: start-up, the next second with occurrences due,
  /// then wait for the runs started to end, and exit.
  @Flag(help: .hidden) var once = false
  @Option(parsing: .unconditional, help: .hidden) var clockOffsetFile: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "On a cluster (--database): this node's name (default: the host name).", valueName: "name"))
  var node: String?
  @Option(
    name: .customLong("label"), parsing: .unconditionalSingleValue,
    help: ArgumentHelp(
      "On a cluster: a label of this node, for tasks pinned with --on-label (repeatable).", valueName: "label"
    ))
  var labels: [String] = []

  func run() async throws {
    try await runCLI {
      guard let format = DaemonLogHandler.Format(rawValue: logFormat) else {
        throw ValidationError("invalid --log-format '\(logFormat)'; use text|json")
      }
      var options = TFSEngine.Daemon.Options(home: try global.resolvedHome())
      options.logFormat = format
      options.shutdownGraceMs = try Durations.parse(shutdownGrace)
      if let alertRetryBase { options.alertRetryBaseMs = try Durations.parse(alertRetryBase) }
      options.once = once
      options.database = try global.resolvedDatabase()
      if let node {
        guard NodeName.isValid(node) else {
          throw ValidationError(
            "invalid --node '\(node)': use letters, digits, '-', '_' and '.', at most 63 characters")
        }
        options.node = node
      }
      for label in labels where !NodeName.isValid(label) {
        throw ValidationError(
          "invalid --label '\(label)': use letters, digits, '-', '_' and '.', at most 63 characters")
      }
      options.labels = labels
      if let clockOffsetFile {
        let text = (try? String(contentsOfFile: clockOffsetFile, encoding: .utf8)) ?? ""
        guard Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) != nil else {
          throw ValidationError("invalid --clock-offset-file '\(clockOffsetFile)': it must hold milliseconds")
        }
        options.clockOffsetFile = clockOffsetFile
      }
      let daemon: TFSEngine.Daemon
      do {
        daemon = try TFSEngine.Daemon(options: options)
      } catch let error as DaemonLock.Failure {
        throw CLIError.failed(error.description)
      } catch let error as DaemonError {
        throw CLIError.failed(error.description)
      } catch let error as ClusterError {
        throw CLIError.failed(error.description)
      }
      try daemon.run()
    }
  }
}
