import Foundation

/// A fresh temporary directory, removed by `remove()` (call it in `defer`).
public struct TempDir: Sendable {
  public let path: String

  public init(_ label: String = "tfs") {
    var base = NSTemporaryDirectory()
    while base.hasSuffix("/") { base.removeLast() }
    let template = base + "/\(label).XXXXXX"
    var bytes = Array(template.utf8CString)
    let made = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    path = made.map { String(cString: $0) } ?? template
  }

  public func file(_ relative: String) -> String { path + "/" + relative }

  /// Writes `text` to `relative` (creating folders), optionally executable.
  @discardableResult
  public func write(_ relative: String, _ text: String, executable: Bool = false) -> String {
    let full = file(relative)
    try? FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(
      atPath: full, contents: Data(text.utf8), attributes: [.posixPermissions: executable ? 0o755 : 0o644])
    return full
  }

  public func read(_ relative: String) -> String? {
    FileManager.default.contents(atPath: file(relative)).map { String(decoding: $0, as: UTF8.self) }
  }

  public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Polls `condition` until it holds or `timeout` passes (no fixed sleeps in tests).
public func waitUntil(
  timeout: Double = 10, every interval: Double = 0.02, _ condition: () throws -> Bool
) rethrows -> Bool {
  let deadline = Date().addingTimeInterval(timeout)
  while Date() < deadline {
    if try condition() { return true }
    usleep(UInt32(interval * 1_000_000))
  }
  return try condition()
}
