/// Task names for imported crontab jobs, taken from what each job runs: `/srv/sync-funds.sh`
/// gives `sync-funds`, `cd /srv/crawler && node index.js` gives `crawler`,
/// `run-parts /etc/cron.daily` gives `cron.daily`. Names taken twice get `-2`, `-3`…
enum CrontabNames {
  /// One name per job, in order, unique among themselves.
  static func names(for commands: [String]) -> [String] {
    var taken: Set<String> = []
    return commands.enumerated().map { index, command in
      let base = name(for: command) ?? "job-\(index + 1)"
      var name = base
      var n = 1
      while taken.contains(name) {
        n += 1
        name = "\(base)-\(n)"
      }
      taken.insert(name)
      return name
    }
  }

  /// Programs that run their first argument: the job is named after that argument.
  private static let runners: Set<String> = [
    "sh", "bash", "dash", "zsh", "ksh", "python", "python2", "python3", "node", "nodejs", "php", "perl",
    "ruby", "run-parts", "exec", "deno", "bun", "java", "Rscript", "lua", "tclsh",
  ]
  /// Prefixes that wrap the real command (with their options, and a number for `timeout`).
  private static let wrappers: Set<String> = [
    "nice", "ionice", "timeout", "flock", "chronic", "env", "sudo", "nohup", "time", "setsid",
    "cronic", "sem", "unbuffer", "stdbuf", "xvfb-run", "/usr/bin/env",
  ]
  /// Entry names that say nothing about the job: the folder above them does.
  private static let generic: Set<String> = [
    "index", "main", "run", "app", "start", "cron", "job", "script", "task",
  ]

  /// The name of a job's command, or nil when nothing in it makes one.
  static func name(for command: String) -> String? {
    var folder: String?
    var chosen: String?
    for segment in segments(command) {
      var words = segment.filter { !$0.contains("=") || $0.hasPrefix("-") || $0.hasPrefix("/") }
      if words.first == "cd", words.count > 1 {
        folder = words[1]
        continue
      }
      if ["test", "[", "[[", "true", ":", "exit"].contains(words.first ?? "") { continue }
      while let first = words.first,
        wrappers.contains(basename(first)) || first.hasPrefix("-") || Int(first) != nil
      {
        words.removeFirst()
        guard basename(first) == "flock" else { continue }
        while let option = words.first, option.hasPrefix("-") || Int(option) != nil { words.removeFirst() }
        if !words.isEmpty { words.removeFirst() }  // the lock file
      }
      guard var program = words.first else { continue }
      var argument = words.dropFirst().first {
        !$0.hasPrefix("-") && !$0.hasPrefix(">") && !$0.hasPrefix("<")
      }
      if program.hasPrefix("/") || program.hasPrefix(".") {
        argument = nil
      } else if !runners.contains(basename(program)) {
        argument = nil
      }
      if let argument { program = argument }
      chosen = program
      break
    }
    guard let chosen else { return nil }
    var base = stem(basename(chosen))
    if generic.contains(base.lowercased()) {
      let parent = basename(dirname(chosen) ?? folder ?? "")
      if !parent.isEmpty && parent != "." && parent != "/" { base = parent }
    }
    let cleaned = sanitize(base)
    return cleaned.isEmpty ? nil : cleaned
  }

  /// The shell command's simple commands (split at `&&`, `||`, `;`, `|`, parentheses), as words.
  private static func segments(_ command: String) -> [[String]] {
    var segments: [[String]] = [[]]
    var word = ""
    var quote: Character?
    func endWord() {
      if !word.isEmpty { segments[segments.count - 1].append(word) }
      word = ""
    }
    for c in command {
      if let q = quote {
        if c == q { quote = nil } else { word.append(c) }
      } else if c == "'" || c == "\"" {
        quote = c
      } else if c == " " || c == "\t" {
        endWord()
      } else if c == "&" || c == "|" || c == ";" || c == "(" || c == ")" {
        endWord()
        if segments.last?.isEmpty == false { segments.append([]) }
      } else {
        word.append(c)
      }
    }
    endWord()
    return segments.filter { !$0.isEmpty }
  }

  private static func basename(_ path: String) -> String {
    String(path.split(separator: "/").last ?? "")
  }

  private static func dirname(_ path: String) -> String? {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return nil }
    return String(path[..<slash])
  }

  private static func stem(_ name: String) -> String {
    for ext in [".sh", ".bash", ".py", ".js", ".mjs", ".php", ".pl", ".rb", ".ts", ".jar", ".R", ".lua"]
    where name.hasSuffix(ext) && name.count > ext.count {
      return String(name.dropLast(ext.count))
    }
    return name
  }

  /// Only `[A-Za-z0-9._-]`, others as `-`, no leading `.` or `-`, at most 48 characters.
  private static func sanitize(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      let ok =
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        || scalar == "." || scalar == "_" || scalar == "-"
      let c: Character = ok ? Character(scalar) : "-"
      if c == "-" && out.hasSuffix("-") { continue }
      out.append(c)
    }
    while let first = out.first, first == "." || first == "-" { out.removeFirst() }
    while out.hasSuffix("-") || out.hasSuffix(".") { out.removeLast() }
    return String(out.prefix(48))
  }
}
