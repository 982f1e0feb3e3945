import Foundation

@testable import TFSCore

/// What the parsers must do with any input, beyond not crashing. The fuzzers in `Fuzz/` call
/// these on every input (a failure aborts, so libFuzzer keeps it as a crash) and
/// `FuzzCorpusTests` on every committed corpus file. Each returns nil, or what went wrong.
///
/// An input is the text a user would type, optionally followed by a NUL byte and parameter
/// bytes (the zone and instant a rule or time is checked in); without them the parameters
/// come from a hash of the text, so plain-text seeds still cover several zones.
enum ParserProperties {
  /// The checks by corpus folder name (`Fuzz/corpus/<name>`), which is also the fuzzer's name.
  static let all: [String: @Sendable ([UInt8]) -> String?] = [
    "cron": cron, "duration": duration, "time": time, "command-words": commandWords,
    "settings": settings, "taskfile": taskFile,
  ]

  struct Input {
    let text: String
    let parameters: [UInt8]

    init(_ bytes: [UInt8]) {
      let nul = bytes.firstIndex(of: 0) ?? bytes.count
      text = String(decoding: bytes[..<nul], as: UTF8.self)
      parameters = Array(bytes[min(nul + 1, bytes.count)...])
    }

    /// The `i`th parameter: 8 parameter bytes when there are enough, else a hash of the text.
    func number(_ i: Int) -> UInt64 {
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(i)
      if parameters.count >= (i + 1) * 8 {
        for b in parameters[(i * 8)..<((i + 1) * 8)] { hash = hash << 8 | UInt64(b) }
        return hash
      }
      for b in text.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
      return (hash ^ UInt64(i)) &* 0x100_0000_01b3
    }

    /// One of `choices`, picked by parameter `i`.
    func pick<T>(_ choices: [T], _ i: Int) -> T { choices[Int(number(i) % UInt64(choices.count))] }
  }

  /// UTC, both hemispheres' DST, 30-minute DST, a skipped day (Apia 2011), odd offsets.
  static let zones: [ZoneRules] = [
    "UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Kathmandu",
    "America/Santiago", "Antarctica/Troll", "Pacific/Chatham", "Europe/Dublin",
  ].map { ZoneRules.forZone(TimeZone(identifier: $0)!) }

  /// An epoch second in 1800-2400, from parameter `i`.
  static func instant(_ input: Input, _ i: Int) -> Int64 {
    let (low, high): (Int64, Int64) = (-5_364_662_400, 13_569_465_600)
    return low + Int64(input.number(i) % UInt64(high - low))
  }

  // MARK: Durations

  /// A duration that parses is not negative, is written in ASCII letters and digits only, and its
  /// canonical spelling parses back to it; any duration has a canonical spelling that does.
  static func duration(_ bytes: [UInt8]) -> String? {
    let input = Input(bytes)
    let any = Int64(bitPattern: input.number(0) & UInt64(Int64.max) >> (input.number(1) % 64))
    if let failure = canonicalRoundTrip(any) { return failure }
    guard let ms = try? Durations.parse(input.text) else { return nil }
    guard ms >= 0 else { return "'\(input.text)' parsed to \(ms) ms" }
    guard input.text.utf8.allSatisfy({ (48...57).contains($0) || (97...122).contains($0) }) else {
      return "'\(input.text)' was accepted with a byte that is not a digit or unit letter"
    }
    return canonicalRoundTrip(ms)
  }

  static func canonicalRoundTrip(_ ms: Int64) -> String? {
    let canonical = Durations.canonical(milliseconds: ms)
    _ = Durations.format(milliseconds: ms)
    guard (try? Durations.parse(canonical)) == ms else {
      return "\(ms) ms is spelt '\(canonical)', which does not parse back to it"
    }
    return nil
  }

  // MARK: Command words

  /// Words that split, each put in single quotes (`'` written `'\''`) and joined by spaces,
  /// split back to the same words, scalar for scalar; text with no quote or backslash splits at
  /// blanks (space, tab, newline) only.
  static func commandWords(_ bytes: [UInt8]) -> String? {
    let text = Input(bytes).text
    guard let words = try? CommandWords.split(text) else { return nil }
    let scalars = { (w: [String]) in w.map { Array($0.unicodeScalars) } }
    guard !words.isEmpty else { return "'\(text)' split to no words" }
    var quoted = ""
    for word in words {
      quoted += quoted.isEmpty ? "'" : " '"
      for s in word.unicodeScalars {
        if s == "'" { quoted += "'\\''" } else { quoted.unicodeScalars.append(s) }
      }
      quoted += "'"
    }
    guard let again = try? CommandWords.split(quoted), scalars(again) == scalars(words) else {
      return "'\(text)' split to \(words), but their quoted form '\(quoted)' does not split back to them"
    }
    guard !text.unicodeScalars.contains(where: { $0 == "'" || $0 == "\"" || $0 == "\\" }) else { return nil }
    let plain = text.unicodeScalars.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
    guard plain.map(Array.init) == scalars(words) else {
      return "'\(text)' has no quotes but split to \(words)"
    }
    return nil
  }

  // MARK: Sizes, environment pairs, task names

  /// Sizes are positive; an environment pair is its key, `=` and its value, split at the first
  /// `=` whenever what precedes it is a valid key, and refused otherwise; a task name is kept as
  /// written and is 1-3 segments of `[A-Za-z0-9._-]`, none `.` or `..` (so it stays inside the
  /// task root), at most 128 bytes.
  static func settings(_ bytes: [UInt8]) -> String? {
    let text = Input(bytes).text
    if let size = try? ByteSizes.parse(text), size <= 0 { return "size '\(text)' parsed to \(size)" }
    let scalars = Array(text.unicodeScalars)
    if let eq = scalars.firstIndex(of: "="),
      (try? EnvironmentPairs.validateKey(String(String.UnicodeScalarView(scalars[..<eq])))) != nil
    {
      guard let (key, value) = try? EnvironmentPairs.parse(text),
        Array(key.unicodeScalars) == Array(scalars[..<eq]),
        Array(value.unicodeScalars) == Array(scalars[(eq + 1)...])
      else { return "environment entry '\(text)' is not split at its first '='" }
    } else if let (key, _) = try? EnvironmentPairs.parse(text) {
      return "environment entry '\(text)' was accepted with key '\(key)'"
    }
    guard let name = try? TaskName(text) else { return nil }
    let segments = text.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false)
    guard name.rawValue.unicodeScalars.elementsEqual(text.unicodeScalars), text.utf8.count <= 128,
      (1...3).contains(segments.count), segments.allSatisfy(isNameSegment)
    else { return "task name '\(text)' was accepted" }
    return nil
  }

  /// `[A-Za-z0-9._-]+`, and neither `.` nor `..`.
  static func isNameSegment(_ segment: Substring.UnicodeScalarView) -> Bool {
    let text = String(segment)
    return !segment.isEmpty && text != "." && text != ".."
      && segment.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || "0123456789._-".unicodeScalars.contains($0))
      }
  }
}
