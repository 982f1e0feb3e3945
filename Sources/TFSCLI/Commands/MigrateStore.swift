import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct MigrateStore: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "migrate-store",
    abstract: "Copy a home's SQLite store into a cluster's PostgreSQL database.",
    discussion: """
      Tasks, settings, channels, runs, events and deliveries are copied with their ids, in one \
      transaction: all or nothing. The database must hold no task, run or event yet, the home's \
      daemon must be stopped and no run live. Then start daemons with --database (or \
      TFS_DATABASE); the home's SQLite file is left as it was.
      """)

  @OptionGroup var global: GlobalOptions
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "The PostgreSQL database to copy into: postgres://user@host:port/db.", valueName: "url"))
  var to: String

  func run() async throws {
    try await runCLI {
      guard to.hasPrefix("postgres://") || to.hasPrefix("postgresql://") else {
        throw CLIError.usage("invalid --to '\(PGURL.redacted(to))': use postgres://user@host:port/db")
      }
      let home = try global.resolvedHome()
      if let pid = DaemonLock.holder(home) {
        throw CLIError.failed("the daemon of \(home.path) is running (pid \(pid)); stop it first")
      }
      let source = try Store.open(home: home, create: false)
      if let blocker = try source.migrationBlocker() { throw CLIError.failed(blocker) }
      let target = try Store.open(postgres: to)
      let counts = try source.copy(into: target)
      let summary = counts.map { "\($0.rows) \($0.table)" }.joined(separator: ", ")
      Terminal.out("copied \(source.path) into \(target.path): \(summary)")
      Terminal.out("start each node with: tfs daemon --database URL --node NAME")
    }
  }
}
