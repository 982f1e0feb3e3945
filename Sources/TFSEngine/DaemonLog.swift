import Foundation
import Logging
import TFSCore

/// One line per event on stderr, as text (`2024-03-10T03:00:00.123Z info started run …`) or
/// JSON (`{"at":…,"level":…,"message":…,…}`), for supervisors and `journalctl`.
public struct DaemonLogHandler: LogHandler {
  public enum Format: String, CaseIterable, Sendable { case text, json }

  public var metadata: Logger.Metadata = [:]
  public var logLevel: Logger.Level = .info
  let format: Format

  public init(format: Format) { self.format = format }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    let now = Date()
    let stamp = DaemonLogHandler.stamp(now)
    var fields = metadata
    if let extra = event.metadata { fields.merge(extra) { _, new in new } }
    var line: String
    switch format {
    case .text:
      line = "\(stamp) \(event.level) \(event.message)"
      for key in fields.keys.sorted() { line += " \(key)=\(fields[key]!)" }
    case .json:
      var pairs = [
        "\"at\":\(JSON.quote(stamp))", "\"level\":\(JSON.quote("\(event.level)"))",
        "\"message\":\(JSON.quote("\(event.message)"))",
      ]
      for key in fields.keys.sorted() { pairs.append("\(JSON.quote(key)):\(JSON.quote("\(fields[key]!)"))") }
      line = "{" + pairs.joined(separator: ",") + "}"
    }
    line += "\n"
    let bytes = Array(line.utf8)
    bytes.withUnsafeBytes { Terminal.writeAll(STDERR_FILENO, $0) }
  }

  static func stamp(_ date: Date) -> String {
    let ms = Int64(date.timeIntervalSince1970 * 1000)
    let utc = ZoneRules.forZone(TimeZone.gmt)
    let base = Times.iso(epochMs: ms, zone: utc)
    let fraction = String(1000 + ms % 1000).dropFirst()
    return base.replacingOccurrences(of: "+00:00", with: ".\(fraction)Z")
  }
}
