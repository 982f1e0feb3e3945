@testable import TFSCore

extension ParserProperties {
  /// A task file: the reader names every problem at a line of the text; whatever tasks it
  /// reads, written back by `TaskFile.encode`, read back as the same tasks with no problem.
  static func taskFile(_ bytes: [UInt8]) -> String? {
    let text = String(decoding: bytes, as: UTF8.self)
    let lines = text.utf8.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    let (_, syntax) = TOMLReader.read(text)
    if let bad = syntax.first(where: { !(1...lines).contains($0.line) }) {
      return "problem at line \(bad.line) of a \(lines)-line text: \(bad.message)"
    }
    let defaults = TaskFile.Defaults(command: "sh", entry: "run.sh")
    let (tasks, problems) = TaskFile.decode(text, defaults: defaults)
    if let bad = problems.first(where: { !(1...lines).contains($0.line) }) {
      return "problem at line \(bad.line) of a \(lines)-line text: \(bad.message)"
    }
    let written = TaskFile.encode(tasks.map(\.spec), defaults: defaults)
    let (again, reproblems) = TaskFile.decode(written, defaults: defaults)
    guard reproblems.isEmpty else {
      return "the export of what was read has problems: \(reproblems)\n\(written)"
    }
    guard again.map(\.spec) == tasks.map(\.spec) else {
      return "the export reads back differently:\n\(written)"
    }
    return nil
  }
}
