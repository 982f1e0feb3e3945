import Foundation

/// What went wrong talking to PostgreSQL; the description is the user's message.
public enum PGError: Error, CustomStringConvertible, Equatable {
  /// libpq could not be loaded.
  case unavailable(String)
  case connect(target: String, message: String)
  /// The server refused a statement (`sqlState` is its SQLSTATE code).
  case query(sqlState: String, message: String)
  /// The connection broke (server gone, network cut, time limit of the socket reached).
  case connectionLost(String)

  public var description: String {
    switch self {
    case .unavailable(let why): why
    case .connect(let target, let message): "cannot connect to '\(target)': \(message)"
    case .query(let state, let message): state.isEmpty ? message : "\(message) (SQLSTATE \(state))"
    case .connectionLost(let message): "lost the connection to PostgreSQL: \(message)"
    }
  }

  /// A unique key said no (`23505`).
  public var isUniqueViolation: Bool { sqlState == "23505" }

  /// The statement, a lock wait or an idle transaction ran out of time (`57014`, `55P03`,
  /// `25P03`), or the connection is gone: the server may be fine, this node cannot rely on it.
  public var isUnreachable: Bool {
    if case .connectionLost = self { return true }
    if case .connect = self { return true }
    return ["57014", "55P03", "25P03", "57P01", "57P02", "57P03", "08006", "08003", "08000"]
      .contains(sqlState)
  }

  public var sqlState: String {
    if case .query(let state, _) = self { return state }
    return ""
  }

  /// libpq's messages end in a newline and may span lines: one line, trimmed.
  static func clean(_ message: String) -> String {
    message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }.joined(separator: "; ")
  }
}

/// The time limits every connection is opened with (SPEC §10): connecting, one statement,
/// waiting for a lock, sitting idle inside a transaction, and TCP keepalives plus a user
/// time-out so that a half-open connection (a cut cable, a dropped link) fails a call within
/// seconds instead of hanging on the kernel's minutes-long retransmissions.
public struct PGLimits: Sendable, Equatable {
  public var connectSeconds = 3
  public var statementMs = 4_000
  public var lockMs = 2_000
  public var idleInTransactionMs = 5_000
  public var keepalivesIdleSeconds = 2
  public var keepalivesIntervalSeconds = 1
  public var keepalivesCount = 2
  public var tcpUserTimeoutMs = 4_000
  /// How much longer than `statementMs` a call waits for an answer before this side gives up
  /// (a hung server never sends its own time-out).
  public var answerSlackMs = 1_000

  public init() {}

  var connectionSettings: [(String, String)] {
    [
      ("connect_timeout", String(connectSeconds)),
      ("keepalives", "1"),
      ("keepalives_idle", String(keepalivesIdleSeconds)),
      ("keepalives_interval", String(keepalivesIntervalSeconds)),
      ("keepalives_count", String(keepalivesCount)),
      ("tcp_user_timeout", String(tcpUserTimeoutMs)),
      (
        "options",
        "-c statement_timeout=\(statementMs) -c lock_timeout=\(lockMs)"
          + " -c idle_in_transaction_session_timeout=\(idleInTransactionMs) -c TimeZone=UTC -c client_min_messages=warning"
      ),
    ]
  }
}

/// PostgreSQL URLs as users write them (`--database`, `TFS_DATABASE`).
public enum PGURL {
  /// True for a `postgres://` or `postgresql://` URL.
  public static func isPostgres(_ text: String) -> Bool {
    text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
  }

  /// The URL with its password (`user:secret@`, `password=` in the query) replaced by `***`.
  public static func redacted(_ url: String) -> String {
    var text = url
    if let scheme = text.range(of: "://"),
      let at = text[scheme.upperBound...].firstIndex(of: "@"),
      let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
    {
      text.replaceSubrange(text.index(after: colon)..<at, with: "***")
    }
    if let range = text.range(of: #"password=[^&\s]*"#, options: .regularExpression) {
      text.replaceSubrange(range, with: "password=***")
    }
    return text
  }
}
