import Foundation

/// A real server for transport tests, one of `scripts/peers/*.py` on 127.0.0.1: started by
/// the test, it records what it received as JSON lines; `stop()` it in `defer` (deinit also
/// does). The peer also exits by itself when this process dies (its stdin closes).
public final class Peer: @unchecked Sendable {
  public let port: Int
  /// The JSON-lines file the peer appends each request or message to.
  public let recordPath: String
  private let process: Process
  private let stdin: Pipe
  private let dir: TempDir

  /// The webhook receiver (`/ok`, `/fail-twice`, `/retry-after`, `/hang`, `/gone`); `tls`
  /// serves HTTPS with a self-signed certificate.
  public static func webhook(tls: Bool = false) throws -> Peer {
    try Peer(script: "webhook.py", arguments: tls ? ["--tls"] : [])
  }

  /// The SMTP server; it answers 451 to the first `failFirst` messages and, with `auth`
  /// (`user:password`), offers AUTH without TLS.
  public static func smtp(failFirst: Int = 0, auth: String? = nil) throws -> Peer {
    try Peer(
      script: "smtp.py",
      arguments: ["--fail-first", String(failFirst)] + (auth.map { ["--auth", $0] } ?? []))
  }

  /// `scripts/peers` of this package, or `TFS_PEERS` when set.
  public static var scriptsFolder: String {
    if let override = ProcessInfo.processInfo.environment["TFS_PEERS"] { return override }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("scripts/peers").path
  }

  private init(script: String, arguments: [String], startTimeout: Double = 30) throws {
    dir = TempDir("tfs-peer")
    recordPath = dir.file("record.jsonl")
    _ = FileManager.default.createFile(atPath: recordPath, contents: nil)
    _ = FileManager.default.createFile(atPath: dir.file("stderr.log"), contents: nil)
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", Peer.scriptsFolder + "/" + script, "--record", recordPath] + arguments
    stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("stderr.log")))
    try process.run()
    let line = Peer.firstLine(stdout.fileHandleForReading.fileDescriptor, timeout: startTimeout)
    guard let port = line.flatMap({ Int($0) }) else {
      port = 0
      stop()
      throw PeerError(description: "peer '\(script)' did not print its port: \(log)")
    }
    self.port = port
  }

  /// What the peer wrote to stderr (its request log, its errors).
  public var log: String { dir.read("stderr.log") ?? "" }

  /// The recorded lines once there are at least `count` (or whatever there is after `timeout`).
  public func lines(atLeast count: Int, timeout: Double = 10) -> [String] {
    var lines: [String] = []
    _ = waitUntil(timeout: timeout) {
      let text = FileManager.default.contents(atPath: recordPath).map { String(decoding: $0, as: UTF8.self) }
      // Only whole lines: the peer may be half-way through writing one.
      lines = (text ?? "").split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(
        String.init)
      return lines.count >= count
    }
    return lines
  }

  /// Ends the peer and whatever it started (its own process group), and removes its files.
  public func stop() {
    if process.isRunning {
      kill(-process.processIdentifier, SIGKILL)
      kill(process.processIdentifier, SIGKILL)
    }
    try? stdin.fileHandleForWriting.close()
    process.waitUntilExit()
    dir.remove()
  }

  deinit { stop() }

  /// The first line `fd` gives within `timeout` seconds, without its newline.
  private static func firstLine(_ fd: Int32, timeout: Double) -> String? {
    var bytes: [UInt8] = []
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&pfd, 1, 100) >= 0 else { return nil }
      guard pfd.revents != 0 else { continue }
      var byte: UInt8 = 0
      guard read(fd, &byte, 1) == 1 else { return nil }
      if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
      bytes.append(byte)
    }
    return nil
  }
}

public struct PeerError: Error, CustomStringConvertible {
  public let description: String
}

/// One POST the webhook peer received (header names lowercased).
public struct WebhookRequest: Decodable, Sendable {
  public let path: String
  public let headers: [String: String]
  public let body: String
}

/// One message the SMTP peer accepted; `login` is the authenticated user, if any.
public struct ReceivedMail: Decodable, Sendable {
  public let mailFrom: String
  public let rcptTos: [String]
  public let data: String
  public let login: String?

  enum CodingKeys: String, CodingKey {
    case mailFrom = "mail_from"
    case rcptTos = "rcpt_tos"
    case data, login
  }
}

extension Peer {
  /// The webhook requests received, once there are at least `count`.
  public func requests(atLeast count: Int = 1, timeout: Double = 10) throws -> [WebhookRequest] {
    try lines(atLeast: count, timeout: timeout).map {
      try JSONDecoder().decode(WebhookRequest.self, from: Data($0.utf8))
    }
  }

  /// The mails received, once there are at least `count`.
  public func mails(atLeast count: Int = 1, timeout: Double = 10) throws -> [ReceivedMail] {
    try lines(atLeast: count, timeout: timeout).map {
      try JSONDecoder().decode(ReceivedMail.self, from: Data($0.utf8))
    }
  }
}
