import Foundation

/// The terminal of `tfs top`: the alternate screen, keys read one by one without echo, the
/// cursor hidden — and all of it given back on exit, on Ctrl-C and on SIGTERM (a signal handler
/// restores the saved mode with async-signal-safe calls only). A resize (SIGWINCH) wakes the
/// key wait so the next frame fits the new size.
final class RawTerminal {
  /// The size in cells.
  struct Size: Equatable {
    var rows: Int
    var cols: Int
  }

  private var saved = termios()

  /// Takes the terminal on stdin/stdout, or nil when either is not a terminal.
  init?() {
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1, tcgetattr(STDIN_FILENO, &saved) == 0 else {
      return nil
    }
    RawTerminal.original = saved
    var raw = saved
    raw.c_lflag &= ~tcflag_t(ICANON | ECHO)  // ISIG stays: Ctrl-C is SIGINT, handled below
    raw.c_cc.6 = 1  // VMIN
    raw.c_cc.5 = 0  // VTIME
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
    Terminal.writeAll(STDOUT_FILENO, Array(RawTerminal.enter.utf8))
    for sig in [SIGINT, SIGTERM, SIGHUP] {
      signal(sig) { number in
        RawTerminal.restoreFromSignal()
        _exit(128 + number)
      }
    }
    signal(SIGWINCH) { _ in RawTerminal.resized = 1 }
  }

  /// Gives the terminal back as it was.
  func restore() {
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGWINCH] { signal(sig, SIG_DFL) }
    Terminal.writeAll(STDOUT_FILENO, Array(RawTerminal.leave.utf8))
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
  }

  var size: Size {
    var ws = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_row > 0, ws.ws_col > 0 else {
      return Size(rows: 24, cols: 80)
    }
    return Size(rows: Int(ws.ws_row), cols: Int(ws.ws_col))
  }

  /// Draws `lines` (one per row, already cut to the width) in place: home, each line then
  /// clear-to-end, clear below; one write, so nothing flickers.
  func draw(_ lines: [String]) {
    var frame = "\u{1B}[H"
    for (i, line) in lines.enumerated() {
      frame += line + "\u{1B}[K" + (i + 1 < lines.count ? "\r\n" : "")
    }
    frame += "\u{1B}[J"
    Terminal.writeAll(STDOUT_FILENO, Array(frame.utf8))
  }

  /// The keys typed (each the bytes of one keypress), or none when `timeoutMs` passed or the
  /// size changed. Pasted or fast keys arrive in one read and are split here.
  func keys(timeoutMs: Int32) -> [[UInt8]] {
    var fds = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
    guard poll(&fds, 1, timeoutMs) > 0 else { return [] }
    var buffer = [UInt8](repeating: 0, count: 256)
    let n = read(STDIN_FILENO, &buffer, buffer.count)
    return n > 0 ? RawTerminal.split(Array(buffer[..<n])) : []
  }

  /// Bytes as keypresses: `ESC [ … final` and `ESC O x` are one key each, a UTF-8 sequence is
  /// one, any other byte is one.
  static func split(_ bytes: [UInt8]) -> [[UInt8]] {
    var keys: [[UInt8]] = []
    var i = 0
    while i < bytes.count {
      var end = i + 1
      if bytes[i] == 27, i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "[") {
        end = i + 2
        while end < bytes.count, !(0x40...0x7E).contains(bytes[end]) { end += 1 }
        end = min(end + 1, bytes.count)
      } else if bytes[i] == 27, i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "O") {
        end = i + 3
      } else if bytes[i] >= 0xC0 {
        let length = bytes[i] >= 0xF0 ? 4 : bytes[i] >= 0xE0 ? 3 : 2
        end = min(i + length, bytes.count)
      }
      keys.append(Array(bytes[i..<end]))
      i = end
    }
    return keys
  }

  /// Whether a SIGWINCH came since the last call.
  func takeResize() -> Bool {
    defer { RawTerminal.resized = 0 }
    return RawTerminal.resized != 0
  }

  // The signal handlers' state: written before they are installed, read by them.
  nonisolated(unsafe) private static var original = termios()
  nonisolated(unsafe) private static var resized: sig_atomic_t = 0
  private static let enter = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J"
  private static let leave = "\u{1B}[?25h\u{1B}[?1049l"

  private static func restoreFromSignal() {
    leave.withCString { _ = write(STDOUT_FILENO, $0, strlen($0)) }
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
  }
}
