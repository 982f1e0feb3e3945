import Foundation

/// The settings of `tfs config` (SPEC §5): each key, its default and how its value is checked.
public enum Setting: String, CaseIterable, Sendable {
  case taskRoot = "task-root"
  case defaultCommand = "default-command"
  case defaultEntry = "default-entry"
  case timezone, notify
  case mailFrom = "mail-from"
  case alertInterval = "alert-interval"
  case retention
  case maxParallel = "max-parallel"
  case logMax = "log-max"

  /// The value used when the key is unset ("" = none).
  public var defaultValue: String {
    switch self {
    case .taskRoot: "<home>/tasks"
    case .defaultCommand: "sh"
    case .defaultEntry: "run.sh"
    case .timezone: ""
    case .alertInterval: "10m"
    case .retention: "30d"
    case .maxParallel: "0"
    case .logMax: "100MiB"
    default: ""
    }
  }

  /// Settings of earlier versions that `tfs channel` replaced (a database holding them is
  /// migrated into channels).
  static let replacedByChannels: [String: String] = [
    "notify-command": "--command CMD", "webhook-url": "--webhook URL",
    "mail-command": "--email ADDR --sendmail CMD",
  ]

  public static func parse(_ key: String) throws(ValidationError) -> Setting {
    if let flags = replacedByChannels[key] {
      throw ValidationError(
        "setting '\(key)' was replaced by alert channels; use 'tfs channel add NAME \(flags)'")
    }
    guard let s = Setting(rawValue: key) else {
      let known = allCases.map(\.rawValue).joined(separator: ", ")
      throw ValidationError("unknown setting '\(key)'; settings are \(known)")
    }
    return s
  }

  /// Checks `value` and returns it in its stored form.
  public func validate(_ value: String) throws(ValidationError) -> String {
    func fail(_ why: String) -> ValidationError {
      ValidationError("invalid value '\(value)' for \(rawValue): \(why)")
    }
    switch self {
    case .taskRoot:
      guard value.hasPrefix("/") else { throw fail("it must be an absolute path") }
    case .defaultCommand:
      _ = try CommandWords.split(value)
    case .defaultEntry:
      _ = try EntryPath.validate(value)
    case .timezone:
      _ = try Zones.named(value)
    case .notify:
      guard !(try Owners.parse([value])).isEmpty else {
        throw fail("name at least one address; 'tfs config unset notify' removes them")
      }
    case .mailFrom:
      guard value.contains("@"), !value.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" }) else {
        throw fail("it must be an address")
      }
    case .alertInterval, .retention:
      return Durations.canonical(milliseconds: try Durations.parse(value))
    case .maxParallel:
      guard let n = Int(value), n >= 0 else { throw fail("it must be a whole number ≥ 0 (0 = no limit)") }
    case .logMax:
      _ = try ByteSizes.parse(value)
    }
    return value
  }
}

/// `100MiB`, `512KiB`, `1GiB`, `1000000` bytes; `1k`, `10M`, `1G`, `1T` are binary (1024-based,
/// as journald and `ulimit` read them); `MB`, `KB`, `GB` decimal.
public enum ByteSizes {
  public static func parse(_ text: String) throws(ValidationError) -> Int64 {
    let units: [(String, Int64)] = [
      ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("TB", 1_000_000_000_000),
      ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000), ("kB", 1000), ("B", 1), ("T", 1 << 40),
      ("t", 1 << 40),
      ("G", 1 << 30), ("g", 1 << 30), ("M", 1 << 20), ("m", 1 << 20), ("K", 1 << 10), ("k", 1 << 10), ("", 1),
    ]
    for (suffix, size) in units where text.hasSuffix(suffix) {
      if let n = Int64(text.dropLast(suffix.count)), n > 0 {
        let (bytes, overflow) = n.multipliedReportingOverflow(by: size)
        if !overflow { return bytes }
      }
    }
    throw ValidationError("invalid size '\(text)'; write e.g. 100M, 512k, 1G (or 100MiB, 1GB)")
  }
}

/// Alert recipients: `--owner a@x --owner 'b@y;c@z'`.
public enum Owners {
  public static func parse(_ values: [String]) throws(ValidationError) -> [String] {
    var out: [String] = []
    for value in values {
      for part in value.split(separator: ";") {
        let address = String(part).trimmingWhitespace()
        if address.isEmpty { continue }
        guard address.contains("@"),
          !address.contains(where: { $0 == " " || $0 == "," || $0.isNewline || $0 == "\t" })
        else {
          throw ValidationError("invalid owner '\(address)'; use an address like ops@example.com")
        }
        if !out.contains(address) { out.append(address) }
      }
    }
    return out
  }
}

/// Time zones by IANA name.
public enum Zones {
  public static func named(_ name: String) throws(ValidationError) -> TimeZone {
    guard !name.isEmpty, let zone = TimeZone(identifier: name) else {
      throw ValidationError("unknown time zone '\(name)'; use an IANA name like Europe/London or UTC")
    }
    return zone
  }
}

/// `--env K=V` pairs.
public enum EnvironmentPairs {
  public static func parse(_ pair: String) throws(ValidationError) -> (String, String) {
    // By scalar: `=` followed by a combining mark is still the separator.
    let scalars = pair.unicodeScalars
    guard let eq = scalars.firstIndex(of: "=") else {
      throw ValidationError("invalid environment entry '\(pair)'; write KEY=VALUE")
    }
    let key = String(scalars[..<eq])
    try validateKey(key)
    return (key, String(scalars[scalars.index(after: eq)...]))
  }

  public static func validateKey(_ key: String) throws(ValidationError) {
    guard let first = key.unicodeScalars.first,
      first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first),
      key.unicodeScalars.allSatisfy({
        $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0)
      })
    else {
      throw ValidationError("invalid environment variable name '\(key)'; use letters, digits and _")
    }
  }
}

/// Entry paths: relative to the task folder and staying inside it.
public enum EntryPath {
  public static func validate(_ path: String) throws(ValidationError) -> String {
    guard !path.isEmpty else { throw ValidationError("invalid entry '': it is empty") }
    guard !path.hasPrefix("/") else {
      throw ValidationError("invalid entry '\(path)': it must be relative to the task folder")
    }
    let parts = path.split(separator: "/")
    guard !parts.contains("..") else {
      throw ValidationError("invalid entry '\(path)': '..' would leave the task folder")
    }
    guard !path.contains("\0") else { throw ValidationError("invalid entry '\(path)': it contains NUL") }
    return path
  }
}

/// `--user NAME`: a login name as useradd(8) accepts it (letters, digits, `.`, `_`, `-`, a final
/// `$`; not starting with `-`; ≤ 32). The account need not exist here: it is looked up when the
/// task runs. The empty string clears it.
public enum TaskUser {
  public static func validate(_ name: String) throws(ValidationError) -> String? {
    if name.isEmpty { return nil }
    let body = name.hasSuffix("$") ? name.dropLast() : Substring(name)
    guard name.count <= 32, !body.isEmpty, body.first != "-",
      body.unicodeScalars.allSatisfy({
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "."
          || $0 == "_" || $0 == "-"
      })
    else {
      throw ValidationError("invalid user '\(name)'; use a login name like 'www-data' (≤ 32 characters)")
    }
    return name
  }
}
