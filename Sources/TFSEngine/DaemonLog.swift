import Foundation
import Logging
import TFSCore

/// One line per event on stderr, for terminals, supervisors and `journalctl`:
///
/// - text is logfmt: `time=2024-03-10T03:00:00.123Z level=info msg=started task=a run=12`, a
///   value quoted (`reason="killed by root"`, `\"`, `\\`, `\n` escaped) when it is empty or has
///   a blank, `=`, `"` or a control character;
/// - JSON is one object per line (`{"at":…,"level":…,"message":…,…}`) whose integer values
///   (logged as `.int(…)`) are JSON numbers.
///
/// When stderr is the journal (`JOURNAL_STREAM` names it), each line starts with its syslog
/// priority (`<4>` for warning): journald strips it and files the line at that priority, so
/// `journalctl -p warning` finds failed runs and `-p err` the daemon's own errors.
public struct DaemonLogHandler: LogHandler {
  public enum Format: String, CaseIterable, Sendable { case text, json }

  public var metadata: Logger.Metadata = [:]
  public var logLevel: Logger.Level = .info
  let format: Format
  let journal: Bool

  public init(format: Format, journal: Bool = DaemonLogHandler.stderrIsJournal()) {
    self.format = format
    self.journal = journal
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var fields = metadata
    if let extra = event.metadata { fields.merge(extra) { _, new in new } }
    let line = render(level: event.level, message: "\(event.message)", fields: fields, at: Date())
    Array(line.utf8).withUnsafeBytes { Terminal.writeAll(STDERR_FILENO, $0) }
  }

  /// The line for one event, with its newline.
  func render(level: Logger.Level, message: String, fields: Logger.Metadata, at date: Date) -> String {
    var line = journal ? "<\(DaemonLogHandler.priority(level))>" : ""
    // logfmt's usual names in text; the JSON keeps the keys it always had.
    let names = format == .text ? ("time", "msg") : ("at", "message")
    let head: [(String, Logger.MetadataValue)] = [
      (names.0, .string(DaemonLogHandler.stamp(date))), ("level", .string(level.rawValue)),
      (names.1, .string(message)),
    ]
    let pairs = head + fields.keys.sorted().map { ($0, fields[$0]!) }
    switch format {
    case .text:
      line += pairs.map { "\($0.0)=\(DaemonLogHandler.logfmt($0.1))" }.joined(separator: " ")
    case .json:
      line +=
        "{" + pairs.map { "\(JSON.quote($0.0)):\(DaemonLogHandler.json($0.1))" }.joined(separator: ",") + "}"
    }
    return line + "\n"
  }

  /// A logfmt value: bare when it can be, else quoted with `\"`, `\\` and control characters escaped.
  static func logfmt(_ value: Logger.MetadataValue) -> String {
    let text = "\(value)"
    let plain =
      !text.isEmpty
      && !text.unicodeScalars.contains {
        $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F
      }
    return plain ? text : JSON.quote(text)
  }

  /// An integer logged as `.int(…)` is a JSON number; everything else a string.
  static func json(_ value: Logger.MetadataValue) -> String {
    if case .stringConvertible(let convertible) = value, convertible is any BinaryInteger {
      return "\(convertible)"
    }
    return JSON.quote("\(value)")
  }

  /// syslog(3) priorities, as journald reads them from a `<N>` prefix.
  static func priority(_ level: Logger.Level) -> Int {
    switch level {
    case .trace, .debug: 7
    case .info: 6
    case .notice: 5
    case .warning: 4
    case .error: 3
    case .critical: 2
    }
  }

  /// Whether stderr is the journal's stream: `JOURNAL_STREAM` holds its `device:inode`.
  public static func stderrIsJournal() -> Bool {
    guard let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
    var info = stat()
    guard fstat(STDERR_FILENO, &info) == 0 else { return false }
    return stream == "\(info.st_dev):\(info.st_ino)"
  }

  static func stamp(_ date: Date) -> String {
    let ms = Int64(date.timeIntervalSince1970 * 1000)
    let utc = ZoneRules.forZone(TimeZone.gmt)
    let base = Times.iso(epochMs: ms, zone: utc)
    let fraction = String(1000 + ms % 1000).dropFirst()
    return base.replacingOccurrences(of: "+00:00", with: ".\(fraction)Z")
  }
}

extension Logger.MetadataValue {
  /// An integer field: a number in the JSON log.
  static func int<I: BinaryInteger & Sendable>(_ value: I) -> Self { .stringConvertible(Int64(value)) }
}
