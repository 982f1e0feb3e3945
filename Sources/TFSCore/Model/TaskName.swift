/// A validated task name: 1-3 segments of `[A-Za-z0-9._-]` joined by `/`, at most 128
/// characters, no `.` or `..` segment, none starting with `-`. It doubles as the task folder's path under the task root,
/// so validating it here is what keeps every path derived from a name inside that root.
public struct TaskName: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
  public let rawValue: String

  public init(_ text: String) throws(ValidationError) {
    func fail(_ why: String) -> ValidationError {
      ValidationError("invalid task name '\(text)': \(why)")
    }
    guard !text.isEmpty else { throw fail("it is empty") }
    guard text.utf8.count <= 128 else { throw fail("it is longer than 128 characters") }
    guard !text.hasPrefix("/") else { throw fail("it must be relative, not start with '/'") }
    let segments = text.split(separator: "/", omittingEmptySubsequences: false)
    guard segments.count <= 3 else { throw fail("it has more than 3 segments") }
    for segment in segments {
      guard !segment.isEmpty else { throw fail("it has an empty segment") }
      guard segment != "." && segment != ".." else { throw fail("'\(segment)' is not allowed as a segment") }
      for scalar in segment.unicodeScalars where !TaskName.allowed(scalar) {
        throw fail("'\(scalar.escaped(asASCII: true))' is not allowed (use A-Z a-z 0-9 . _ -)")
      }
      // `tfs logs -x` would read it as an option, and `rm -rf tasks/-x` as well.
      guard !segment.hasPrefix("-") else {
        throw fail("'\(segment)' starts with '-', which reads as an option")
      }
    }
    rawValue = text
  }

  /// A name read back from the store, validated when it was written.
  public init(stored: String) { rawValue = stored }

  private static func allowed(_ s: Unicode.Scalar) -> Bool {
    switch s {
    case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
    default: false
    }
  }

  public var description: String { rawValue }
  public static func < (a: TaskName, b: TaskName) -> Bool { a.rawValue < b.rawValue }

  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(String.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
