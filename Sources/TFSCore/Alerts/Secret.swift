import Foundation

/// A channel's secrets (a webhook URL, a header value, an SMTP URL or password, SPEC §7): written
/// as `env:VAR`, `file:PATH` or literally, resolved at each delivery (so a rotated secret is
/// picked up without touching the channel) and redacted wherever they are shown.
public enum Secret {
  /// Why a reference could not be resolved; the message names the reference.
  public struct ResolveError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String
  }

  /// The value `text` stands for: the variable of `env:VAR`, the contents of `file:PATH`
  /// (without its trailing newline), or `text` itself.
  public static func resolve(
    _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(ResolveError) -> String {
    if let name = text.dropPrefix("env:") {
      guard let value = environment[name], !value.isEmpty else {
        throw ResolveError(description: "environment variable '\(name)' is not set")
      }
      return value
    }
    if let path = text.dropPrefix("file:") {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw ResolveError(description: "cannot read secret file '\(path)': \(readError(path))")
      }
      var value = String(decoding: data, as: UTF8.self)
      while value.hasSuffix("\n") || value.hasSuffix("\r") { value.removeLast() }
      return value
    }
    return text
  }

  /// Whether `text` is a reference (`env:`, `file:`) rather than the secret itself.
  public static func isReference(_ text: String) -> Bool {
    text.hasPrefix("env:") || text.hasPrefix("file:")
  }

  /// `text` as it may be shown: references as written; a URL as its scheme and host plus `…`
  /// and the last 4 characters of the rest (`https://hooks.slack.com/…XyZ9`); any other
  /// value as `…` and its last 4 characters (fewer when short: never more than a quarter).
  public static func redact(_ text: String) -> String {
    if isReference(text) { return text }
    if let url = redactURL(text) { return url }
    return "…" + tail(text)
  }

  /// A `Name: value` header line with its value redacted (`Authorization: …3xyz`).
  public static func redactHeader(_ line: String) -> String {
    guard let colon = line.firstIndex(of: ":") else { return redact(line) }
    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    return String(line[..<colon]) + ": " + redact(value)
  }

  /// The last characters of `text` that may be shown: at most 4, at most a quarter of it.
  static func tail(_ text: String) -> String {
    String(text.suffix(min(4, text.count / 4)))
  }

  /// `scheme://host[:port]` kept; a user part (which may be a token), a password and
  /// everything after the host hidden.
  private static func redactURL(_ text: String) -> String? {
    guard let schemeEnd = text.range(of: "://"), !text[..<schemeEnd.lowerBound].isEmpty else {
      return nil
    }
    let rest = text[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
    var authority = String(rest[..<authorityEnd])
    if let at = authority.lastIndex(of: "@") {
      authority = "…@" + authority[authority.index(after: at)...]
    }
    let hidden = String(rest[authorityEnd...])
    let prefix = String(text[..<schemeEnd.upperBound]) + authority
    return hidden.isEmpty ? prefix : prefix + "/…" + tail(hidden)
  }

  private static func readError(_ path: String) -> String {
    let fd = open(path, O_RDONLY)
    if fd >= 0 {
      close(fd)
      return "it is not a readable file"
    }
    return String(cString: strerror(errno)).lowercased()
  }
}

extension String {
  /// The rest of the string after `prefix`, or nil when it does not start with it.
  fileprivate func dropPrefix(_ prefix: String) -> String? {
    hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
  }
}
