import Foundation

/// A named alert channel (SPEC §7): where alerts go, and which of them.
public struct Channel: Equatable, Sendable, Codable {
  public var name: String
  public var target: Target
  /// The alert types this channel receives.
  public var on: [EventType]
  /// Only alerts of tasks whose name matches this glob (`fnmatch`); nil = every task, and
  /// alerts without a task (daemon-started, system-error).
  public var tasks: String?

  public init(name: String, target: Target, on: [EventType] = Channel.defaultTypes, tasks: String? = nil) {
    self.name = name
    self.target = target
    self.on = on
    self.tasks = tasks
  }

  /// Where a channel sends. Secrets (a URL, a header, a password) may be `env:VAR` or
  /// `file:PATH`, resolved at delivery (`Secret.resolve`).
  public enum Target: Equatable, Sendable, Codable {
    /// Runs the command (split into words, no shell) with the alert JSON on stdin.
    case command(String)
    /// HTTP POST to `url` with the body of `preset`; `headers` are `Name: value` lines.
    case webhook(url: String, preset: WebhookPreset, headers: [String])
    /// Mail to `addresses` plus the task's owners plus setting `notify`.
    case email(addresses: [String], via: MailTransport)
  }

  public enum MailTransport: Equatable, Sendable, Codable {
    /// `smtp[s]://[user@]host[:port]`; STARTTLS is required on `smtp://` unless the host is
    /// loopback; `password` is a secret reference or literal.
    case smtp(url: String, password: String?)
    /// A sendmail-compatible program given the whole message on stdin (`sendmail -t`, `msmtp -t`).
    case sendmail(String)
  }

  /// The kind, as `channel list` shows it.
  public var kind: String {
    switch target {
    case .command: "command"
    case .webhook: "webhook"
    case .email: "email"
    }
  }

  /// Per-attempt time limits (SPEC §7): command 30 s, webhook 10 s, mail 30 s.
  public var timeoutMs: Int64 {
    switch target {
    case .command, .email: 30_000
    case .webhook: 10_000
    }
  }

  /// The types a channel receives unless `--on` says otherwise.
  public static let defaultTypes: [EventType] = [
    .failed, .timeout, .entryMissing, .missed, .lost, .recovered, .stillFailing, .systemError,
  ]

  /// Whether an alert of `type` about `task` (nil: about the daemon) goes to this channel.
  public func accepts(type: EventType, task: String?) -> Bool {
    on.contains(type) && Channel.covers(tasks: tasks, task: task)
  }

  /// Whether a channel's `--tasks` glob (nil: every task) covers `task` (nil: the daemon).
  public static func covers(tasks: String?, task: String?) -> Bool {
    guard let tasks else { return true }
    guard let task else { return false }
    return fnmatch(tasks, task, 0) == 0
  }
}

/// The body a webhook sends: tfs's own alert JSON, or what a service's incoming webhook expects.
public enum WebhookPreset: String, CaseIterable, Codable, Sendable {
  case generic, slack, discord, teams, ntfy
}

/// Channel names: like one task-name segment (`[A-Za-z0-9._-]`, 1-64 characters).
public enum ChannelName {
  public static func validate(_ name: String) throws(ValidationError) -> String {
    let allowed = name.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        || "._-".unicodeScalars.contains($0)
    }
    guard !name.isEmpty, name.count <= 64, allowed, name != ".", name != ".." else {
      throw ValidationError("invalid channel name '\(name)'; use 1-64 letters, digits, '.', '_' or '-'")
    }
    return name
  }
}
