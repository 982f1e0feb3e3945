import ArgumentParser
import Foundation
import TFSCore
import TFSStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).", valueName: "dir"))
  var home: String?

  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "A cluster's PostgreSQL database, postgres://user@host/db (default: TFS_DATABASE; else the home's SQLite file).",
      valueName: "url"))
  var database: String?

  @Option(name: .long, parsing: .unconditional, help: .hidden)
  var now: String?

  /// The cluster's database: `--database`, else `TFS_DATABASE`; nil for the home's SQLite file.
  func resolvedDatabase() throws(CLIError) -> String? {
    let url = database ?? ProcessInfo.processInfo.environment["TFS_DATABASE"]
    guard let url, !url.isEmpty else {
      if database?.isEmpty == true {
        throw .usage("invalid --database '': it is empty; leave it out for the home's SQLite file")
      }
      return nil
    }
    guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
      throw .usage("invalid --database '\(PGURL.redacted(url))': use postgres://user@host:port/db")
    }
    return url
  }

  /// The home; an empty `--home` (an unset variable in a script) is refused rather than taken
  /// for the default home.
  func resolvedHome() throws(CLIError) -> Home {
    if home?.isEmpty == true { throw .usage("invalid --home '': it is empty; leave it out for the default") }
    return Home.resolve(flag: home, environment: ProcessInfo.processInfo.environment)
  }

  /// The clock: the system's, or the hidden `--now TIME` for deterministic tests.
  func clock() throws(CLIError) -> any TFSCore.Clock {
    guard let now else { return SystemClock() }
    let zone = ZoneRules.forZone(TimeZone.current)
    do {
      return FixedClock(ms: try Times.parse(now, now: SystemClock().nowMs(), zone: zone))
    } catch {
      throw .usage(error.message)
    }
  }

  /// Opens the store, creating the home on first use.
  func store(create: Bool = true) throws(CLIError) -> Store {
    let home = try resolvedHome()
    let database = try resolvedDatabase()
    do {
      if let database { return try Store.open(postgres: database) }
      return try Store.open(home: home, create: create)
    } catch {
      throw .failed(error.description)
    }
  }
}

/// `--json` for read commands.
struct JSONOption: ParsableArguments {
  @Flag(name: .long, help: "Print JSON (schema in the README).")
  var json = false
}
