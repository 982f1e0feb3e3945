import ArgumentParser
import Foundation
import TFSCore
import TFSStore

/// What the shells complete, beyond commands and flags: task names, run ids, channel names and
/// config keys read from the store of the home the command line names (`--home DIR`, else
/// `TFS_HOME`…), and the allowed values of each enum flag. The shell scripts that
/// `--generate-completion-script` writes call `tfs` for the store-backed ones; a store that
/// cannot be read completes nothing rather than printing an error into the prompt.
enum Completions {
  static let taskNames = CompletionKind.custom { words, _, prefix in
    names(words) { store in try store.taskSummaries().map(\.name.rawValue) }.filter { $0.hasPrefix(prefix) }
  }

  /// The ids of the task's newest runs (the task is the first word naming one), else of all.
  static let runIDs = CompletionKind.custom { words, _, prefix in
    names(words) { store in
      let tasks = Set(try store.taskSummaries().map(\.name.rawValue))
      let task = words.dropFirst().first { tasks.contains($0) }
      return try store.runs(RunFilter(task: task, limit: 20)).map { String($0.id) }
    }.filter { $0.hasPrefix(prefix) }
  }

  static let channelNames = CompletionKind.custom { words, _, prefix in
    names(words) { store in try store.channels().map(\.channel.name) }.filter { $0.hasPrefix(prefix) }
  }

  static let settings = CompletionKind.list(Setting.allCases.map(\.rawValue))
  static let overlap = CompletionKind.list(OverlapPolicy.allCases.map(\.rawValue))
  static let onTimeout = CompletionKind.list(TimeoutAction.allCases.map(\.rawValue))
  static let catchUp = CompletionKind.list(CatchUpPolicy.allCases.map(\.rawValue))
  static let statuses = CompletionKind.list(RunStatus.allCases.map(\.rawValue))
  static let triggers = CompletionKind.list(Trigger.allCases.map(\.rawValue))
  static let eventTypes = CompletionKind.list(EventType.allCases.map(\.rawValue))
  static let alertTypes = CompletionKind.list(["all"] + AlertTypes.all.map(\.rawValue))
  /// Asked of the machine at completion time: its zone list is not the same everywhere.
  static let zones = CompletionKind.custom { _, _, prefix in
    TimeZone.knownTimeZoneIdentifiers.filter { $0.hasPrefix(prefix) }
  }

  /// `read` on the store of the home `words` name; nothing when it cannot be read.
  private static func names(_ words: [String], _ read: (Store) throws -> [String]) -> [String] {
    var flag: String?
    for (i, word) in words.enumerated() {
      if word == "--home", i + 1 < words.count { flag = words[i + 1] }
      if word.hasPrefix("--home=") { flag = String(word.dropFirst(7)) }
    }
    let home = Home.resolve(flag: flag.map(unquoted), environment: ProcessInfo.processInfo.environment)
    guard FileManager.default.fileExists(atPath: home.path + "/tfs.db"),
      let store = try? Store.open(home: home, create: false)
    else { return [] }
    return (try? read(store)) ?? []
  }

  /// A shell word as the shell would pass it: without its outer quotes.
  private static func unquoted(_ word: String) -> String {
    guard word.count >= 2, let q = word.first, q == "'" || q == "\"", word.last == q else { return word }
    return String(word.dropFirst().dropLast())
  }
}
