import TFSCore
import TFSTestSupport
import Testing

/// What a TOML text reads as, written back compactly for comparison.
private func show(_ value: TOMLValue) -> String {
  switch value {
  case .string(let s): "s:" + s
  case .integer(let n): "i:\(n)"
  case .bool(let b): "b:\(b)"
  case .array(let items): "[" + items.map(show).joined(separator: ",") + "]"
  case .table(let t): show(t)
  case .tables(let list): "[[" + list.map(show).joined(separator: ",") + "]]"
  }
}

private func show(_ table: TOMLTable) -> String {
  "{" + table.entries.map { "\($0.key)@\($0.line)=" + show($0.value) }.joined(separator: ",") + "}"
}

struct TOMLReaderTests {
  struct Valid: Sendable, CustomTestStringConvertible {
    let text: String
    let reads: String
    var testDescription: String { text }
  }

  static let valid: [Valid] = [
    Valid(text: "", reads: "{}"),
    Valid(text: "# only a comment\n\n", reads: "{}"),
    Valid(text: "a = \"x\" # note\nb = 'c:\\\\d'", reads: "{a@1=s:x,b@2=s:c:\\\\d}"),
    Valid(
      text: "n = -42\nm = 1_000\nz = +0\nt = true\nf = false",
      reads: "{n@1=i:-42,m@2=i:1000,z@3=i:0,t@4=b:true,f@5=b:false}"),
    Valid(text: "e = \"tab\\there \\\"q\\\" \\u00e9 \\U0001F600\"", reads: "{e@1=s:tab\there \"q\" é 😀}"),
    Valid(text: "m = \"\"\"\nline1\nline2\"\"\"", reads: "{m@1=s:line1\nline2}"),
    Valid(text: "m = \"\"\"a \\\n    b\"\"\"", reads: "{m@1=s:a b}"),
    Valid(text: "m = '''\nraw \\n '' x'''", reads: "{m@1=s:raw \\n '' x}"),
    Valid(text: "q = \"\"\"ends with \"\"\"\"\"", reads: "{q@1=s:ends with \"\"}"),
    Valid(text: "a = [1, 2,\n  # c\n  3,]", reads: "{a@1=[i:1,i:2,i:3]}"),
    Valid(text: "a = []\nb = [ [\"x\"], [] ]", reads: "{a@1=[],b@2=[[s:x],[]]}"),
    Valid(text: "env = { A = \"1\", \"B C\" = \"2\" }", reads: "{env@1={A@1=s:1,B C@1=s:2}}"),
    Valid(text: "x.y = 1\nx.z = 2", reads: "{x@1={y@1=i:1,z@2=i:2}}"),
    Valid(
      text: "[[task]]\nname = \"a\"\n[task.env]\nK = \"v\"\n[[task]]\nname = \"b\"",
      reads: "{task@1=[[{name@2=s:a,env@3={K@4=s:v}},{name@6=s:b}]]}"),
    Valid(text: "[t]\na = 1\n[t.u]\nb = 2", reads: "{t@1={a@2=i:1,u@3={b@4=i:2}}}"),
    Valid(text: "a = 1\r\nb = \"x\"\r\n", reads: "{a@1=i:1,b@2=s:x}"),
    Valid(text: "\"quoted key\" = 1\n'lit' = 2", reads: "{quoted key@1=i:1,lit@2=i:2}"),
  ]

  @Test(arguments: valid)
  func reads(_ row: Valid) {
    let (root, problems) = TOMLReader.read(row.text)
    #expect(problems.isEmpty, "\(problems)")
    #expect(show(root) == row.reads)
  }

  struct Invalid: Sendable, CustomTestStringConvertible {
    let text: String
    let problems: [(Int, String)]
    var testDescription: String { text }
  }

  static let invalid: [Invalid] = [
    Invalid(text: "a = 1\na = 2", problems: [(2, "duplicate key 'a' (first set on line 1)")]),
    Invalid(text: "a = 1.5", problems: [(1, "invalid value '1.5': floats are not used")]),
    Invalid(text: "a = 1979-05-27", problems: [(1, "date and time values are not used")]),
    Invalid(text: "a = 07:32:00", problems: [(1, "date and time values are not used")]),
    Invalid(text: "a = bare", problems: [(1, "invalid value 'bare'; quote text")]),
    Invalid(text: "a = \"open\nb = 1", problems: [(1, "unterminated string")]),
    Invalid(text: "a = \"bad \\q\"", problems: [(1, "invalid escape '\\q'")]),
    Invalid(text: "a =\nb = 2", problems: [(1, "missing value after '='")]),
    Invalid(text: "a = 1 b = 2", problems: [(1, "unexpected 'b' after the value")]),
    Invalid(text: "[t]\n[t]", problems: [(2, "invalid header [t]: 't' is already a table (line 1)")]),
    Invalid(text: "t = 1\n[[t]]", problems: [(2, "invalid header [[t]]: 't' is already an integer")]),
    Invalid(
      text: "x = { a = 1,\n b = 2 }",
      problems: [(1, "expected a key"), (2, "unexpected '}' after the value")]),
    Invalid(text: "a = 012", problems: [(1, "invalid value '012'")]),
    Invalid(text: "[[t]\nk = 1", problems: [(1, "invalid header: expected ']]'")]),
    // Reading goes on after a bad line: both bad lines are named, the good one is kept.
    Invalid(
      text: "a = nope\nb = 1\nc = 'x", problems: [(1, "invalid value 'nope'"), (3, "unterminated string")]),
  ]

  @Test(arguments: invalid)
  func refuses(_ row: Invalid) {
    let (_, problems) = TOMLReader.read(row.text)
    #expect(problems.count == row.problems.count, "\(problems)")
    for (problem, (line, message)) in zip(problems, row.problems) {
      #expect(problem.line == line && problem.message.contains(message), "\(problem) vs \(message)")
    }
  }

  /// Any string, written by `TOMLWriter`, reads back as itself: one-line and multi-line forms.
  @Test func writtenStringsReadBackExactly() {
    var random = SplitMix64(seed: 13)
    let alphabet = Array("ab \"'\\\n\r\t#=[]{}.,é😀\u{0}\u{1F}\u{7F}\"\"\"'''$%")
    for round in 0..<2_000 {
      let length = Int(random.next() % 24)
      let text = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
      for written in [TOMLWriter.string(text), TOMLWriter.text(text)] {
        let (root, problems) = TOMLReader.read("k = " + written + "\n")
        guard case .string(let back)? = root["k"]?.value, problems.isEmpty else {
          Issue.record("round \(round): \(written.debugDescription) did not read: \(problems)")
          return
        }
        #expect(back == text, "round \(round): \(written.debugDescription)")
      }
      let (root, problems) = TOMLReader.read(TOMLWriter.key(text) + " = 1\n")
      #expect(
        problems.isEmpty && root.entries.first?.key == text || text.isEmpty, "key \(text.debugDescription)")
    }
  }
}

struct TaskFileTests {
  let defaults = TaskFile.Defaults(command: "sh", entry: "run.sh")

  /// A task with every field away from its default.
  static func everyField() throws -> TaskSpec {
    var spec = TaskSpec(
      name: try TaskName("crawler/funds"), rule: try CronRule("*/7 * * * * *"), command: "sh", entry: "run.sh"
    )
    let values: [(TaskField, String)] = [
      (.command, "python3 -u"), (.entry, "bin/job.py"), (.title, "Funds \"daily\" ü"),
      (.description, "two\nlines with \"quotes\" and \\ and a tab\t"), (.owners, "a@b.c;d@e.f"),
      (.timezone, "Asia/Shanghai"), (.timeout, "1h30m"), (.onTimeout, "alert"), (.overlap, "queue"),
      (.catchUp, "all"), (.catchUpWindow, "2h"), (.retries, "3"), (.retryDelay, "45s"), (.jitter, "1500ms"),
      (.env, "A=1"), (.env, "EMPTY="), (.env, "Q=a \"b\" \\c = d"), (.workdir, "/srv/x"), (.enabled, "no"),
      (.alertAfter, "2"), (.realert, "6h"), (.alertOn, "failed,timeout"), (.keep, "10"), (.keepFor, "14d"),
      (.user, "www-data"), (.onNode, "node-1"), (.onLabel, "gpu"), (.rerunLost, "yes"),
    ]
    for (field, text) in values { try spec.set(field, text: text, label: field.rawValue) }
    return spec
  }

  /// Every field survives encode → decode, and the file names each field exactly once.
  @Test func everyFieldRoundTrips() throws {
    let spec = try Self.everyField()
    let plain = TaskSpec(name: try TaskName("plain"), rule: spec.rule, command: "sh", entry: "run.sh")
    #expect(spec.diff(to: plain).count == TaskField.allCases.count - 1, "every field but the rule differs")
    let text = TaskFile.encode([spec, plain], defaults: defaults)
    let (tasks, problems) = TaskFile.decode(text, defaults: defaults)
    #expect(problems.isEmpty, "\(problems)\n\(text)")
    #expect(tasks.map(\.spec) == [spec, plain])
    #expect(tasks.first.map { $0.spec.diff(to: spec).isEmpty } == true)
    for field in TaskField.allCases where field != .env {
      #expect(text.contains("\n\(field.rawValue) = "), "\(field.rawValue) missing:\n\(text)")
    }
    #expect(text.contains("[task.env]\nA = \"1\"\nEMPTY = \"\"\n"))
    // Only non-default fields: the plain task is its name and rule.
    #expect(text.hasSuffix("[[task]]\nname = \"plain\"\nrule = \"*/7 * * * * *\"\n"))
  }

  /// An absent command or entry means the settings' defaults: a task with another command
  /// than the default writes it; one with the default leaves it out.
  @Test func defaultsComeFromTheSettings() throws {
    let spec = TaskSpec(
      name: try TaskName("a"), rule: try CronRule("@daily"), command: "node", entry: "index.js")
    let node = TaskFile.Defaults(command: "node", entry: "index.js")
    #expect(!TaskFile.encode([spec], defaults: node).contains("command"))
    #expect(
      TaskFile.encode([spec], defaults: defaults).contains("command = \"node\"\nentry = \"index.js\"\n"))
    let (tasks, _) = TaskFile.decode("[[task]]\nname = \"a\"\nrule = \"@daily\"\n", defaults: node)
    #expect(tasks.first?.spec == spec)
  }

  /// Every problem is named with its line, in line order; valid tasks beside them still read.
  @Test func everyProblemHasItsLine() {
    let text = """
      [[task]]
      name = "a/b"
      rule = "0 61 * * * *"
      timeout = 5
      tz = "UTC"

      [[task]]
      name = "a/b"
      rule = "@daily"

      [[task]]
      rule = "@daily"

      [[task]]
      name = "ok"
      rule = "@hourly"
      keep = "none"
      enabled = "yes"
      env = { "BAD-KEY" = "x" }
      owners = ["not an address"]
      retries = 101
      [tasks]
      """
    let (tasks, problems) = TaskFile.decode(text, defaults: defaults)
    #expect(tasks.isEmpty)
    let expected: [(Int, String)] = [
      (3, "task 'a/b': invalid rule '0 61 * * * *': minute field"),
      (4, "task 'a/b': timeout must be a duration string like \"90s\", not an integer"),
      (5, "task 'a/b': unknown field 'tz'; write 'timezone'"),
      (7, "task 'a/b' is defined twice (first on line 1)"),
      (11, "a [[task]] without a name"),
      (18, "task 'ok': enabled must be true or false, not a string"),
      (19, "task 'ok': invalid environment variable name 'BAD-KEY'"),
      (20, "task 'ok': owners: invalid owner 'not an address'"),
      (21, "task 'ok': invalid retries '101'; use a whole number 0-100"),
      (22, "unknown key 'tasks'; each task is a [[task]] table"),
    ]
    #expect(problems.count == expected.count, "\(problems)")
    for (problem, (line, message)) in zip(problems, expected) {
      #expect(problem.line == line && problem.message.contains(message), "\(problem) vs \(message)")
    }
  }

  @Test func singleTaskTableAndInlineEnvAreRead() throws {
    let (tasks, problems) = TaskFile.decode(
      "[[task]]\nname = 'x'\nrule = '@daily'\nenv = { A = 'b' }\nalert-on = 'failed'\nkeep = 'none'\n",
      defaults: defaults)
    #expect(problems.isEmpty, "\(problems)")
    #expect(tasks.first?.spec.environment == ["A": "b"])
    #expect(tasks.first?.spec.alertPolicy.alertOn == [.failed])
    let (_, wrong) = TaskFile.decode("[task]\nname = 'x'\nrule = '@daily'\n", defaults: defaults)
    #expect(wrong.map(\.message) == ["'task' must be written [[task]], once per task"])
  }
}
