/// Splits a command line into words the way a POSIX shell would for a simple command: blanks
/// separate words, single quotes are literal, double quotes allow `\"` `\\` `\$` escapes, a
/// backslash outside quotes escapes the next character. Nothing is expanded or run. It reads
/// Unicode scalars, not characters, as a shell reads bytes: a quote followed by a combining mark
/// is still a quote.
public enum CommandWords {
  /// The words of `text`; errors name it as `label` (a flag such as `--sendmail`).
  public static func split(_ text: String, as label: String = "command") throws(ValidationError) -> [String] {
    var words: [String] = []
    var current = String.UnicodeScalarView()
    var inWord = false
    var iterator = text.unicodeScalars.makeIterator()
    func fail(_ why: String) -> ValidationError { ValidationError("invalid \(label) '\(text)': \(why)") }
    while let c = iterator.next() {
      switch c {
      case " ", "\t", "\n":
        if inWord { words.append(String(current)); current = String.UnicodeScalarView(); inWord = false }
      case "'":
        inWord = true
        while true {
          guard let q = iterator.next() else { throw fail("unterminated single quote") }
          if q == "'" { break }
          current.append(q)
        }
      case "\"":
        inWord = true
        while true {
          guard let q = iterator.next() else { throw fail("unterminated double quote") }
          if q == "\"" { break }
          if q == "\\" {
            guard let e = iterator.next() else { throw fail("unterminated double quote") }
            if !"\"\\$`".unicodeScalars.contains(e) { current.append("\\") }
            current.append(e)
          } else {
            current.append(q)
          }
        }
      case "\\":
        guard let e = iterator.next() else { throw fail("trailing backslash") }
        inWord = true
        current.append(e)
      default:
        inWord = true
        current.append(c)
      }
    }
    if inWord { words.append(String(current)) }
    guard !words.isEmpty else { throw fail("it is empty") }
    return words
  }
}
