import Foundation

extension Supervisor {
  /// The first `bytes` bytes of a finished run's log file (written through a descriptor that
  /// cannot read), nil when unreadable.
  static func readLog(_ path: String, bytes: Int64) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out = [UInt8](repeating: 0, count: Int(bytes))
    var done = 0
    while done < out.count {
      let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(done)) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      done += n
    }
    return done > 0 ? Array(out[0..<done]) : nil
  }
}
