import Foundation

/// stdout/stderr writing, colour decisions and tables.
enum Terminal {
  /// Colour only on a TTY and never with `NO_COLOR` set.
  static let colour: Bool = {
    let env = ProcessInfo.processInfo.environment
    return isatty(STDOUT_FILENO) == 1 && env["NO_COLOR"] == nil && env["TERM"] != "dumb"
  }()

  static func out(_ text: String) {
    // Without copying `text`: `list --json` of 10,000 tasks is megabytes.
    var text = text
    text.withUTF8 { bytes in writeAll(STDOUT_FILENO, bytes) }
    writeAll(STDOUT_FILENO, [UInt8(ascii: "\n")])
  }

  /// `bytes` and a newline on stdout (big outputs rendered as UTF-8 already, `list --json`).
  static func out(bytes: [UInt8]) {
    writeAll(STDOUT_FILENO, bytes)
    writeAll(STDOUT_FILENO, [UInt8(ascii: "\n")])
  }

  /// One line, always: a value quoted in the message may hold line breaks (shown as `\n`).
  static func error(_ text: String) {
    let line = text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    writeAll(STDERR_FILENO, Array("tfs: \(line)\n".utf8))
  }

  /// A status line on stderr without the `tfs:` prefix (run progress).
  static func warnLine(_ text: String) {
    writeAll(STDERR_FILENO, Array("\(text)\n".utf8))
  }

  static func warn(_ text: String) {
    writeAll(STDERR_FILENO, Array("tfs: warning: \(text)\n".utf8))
  }

  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { writeAll(fd, $0) }
  }

  static func writeAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
    var offset = 0
    while offset < bytes.count {
      let n = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      offset += n
    }
  }

  enum Style: String {
    case red = "31", green = "32", yellow = "33", dim = "2", bold = "1"
  }

  static func paint(_ text: String, _ style: Style) -> String {
    colour ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
  }
}

/// An aligned table: columns padded to their widest cell, two spaces apart, no trailing blanks.
struct Table {
  var headers: [String]
  var rows: [[String]] = []
  /// Optional per-cell styling applied after padding (so escape codes do not skew widths).
  var style: (_ row: Int, _ column: Int, _ text: String) -> Terminal.Style? = { _, _, _ in nil }

  init(_ headers: [String]) { self.headers = headers }

  mutating func add(_ row: [String]) { rows.append(row) }

  func render() -> String { String(decoding: renderBytes(), as: UTF8.self) }

  /// The table as UTF-8 bytes; widths count Unicode scalars (cells are ASCII but for free text).
  func renderBytes() -> [UInt8] {
    var widths = headers.map { $0.unicodeScalars.count }
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count {
        widths[i] = max(widths[i], cell.unicodeScalars.count)
      }
    }
    var out: [UInt8] = []
    out.reserveCapacity((widths.reduce(0, +) + 2 * widths.count + 1) * (rows.count + 1))
    func line(_ cells: [String], _ rowIndex: Int?) {
      for (i, cell) in cells.enumerated() {
        let last = i == cells.count - 1
        let style = Terminal.colour ? rowIndex.flatMap { self.style($0, i, cell) } : nil
        if let style { out += Array("\u{1B}[\(style.rawValue)m".utf8) }
        out += cell.utf8
        if !last {
          out += repeatElement(UInt8(ascii: " "), count: widths[i] - cell.unicodeScalars.count)
        }
        if style != nil { out += Array("\u{1B}[0m".utf8) }
        if !last { out += [32, 32] }
      }
    }
    line(headers, nil)
    for (i, row) in rows.enumerated() {
      out.append(10)
      line(row, i)
    }
    return out
  }
}
