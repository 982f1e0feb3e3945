import ArgumentParser
import Foundation
import TFSCore
import TFSEngine

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
      }
      try daemon.run()
    }
  }
}
