import Foundation
import Testing

/// Every input the fuzzers kept (`Fuzz/corpus/<fuzzer>`) and every one that once failed
/// (`Fuzz/regressions/<fuzzer>`), see docs/FUZZING.md, through the checks the fuzzers run, so
/// `swift test` keeps them as regression tests without libFuzzer.
@Suite("Fuzz corpus")
struct FuzzCorpusTests {
  static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Fuzz").standardizedFileURL

  static func files(_ folder: String) throws -> [URL] {
    let url = fuzz.appendingPathComponent(folder)
    guard FileManager.default.fileExists(atPath: url.path) else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: url.path).sorted().map {
      url.appendingPathComponent($0)
    }
  }

  @Test("every kept input passes its parser's checks", arguments: ParserProperties.all.keys.sorted())
  func corpus(_ fuzzer: String) throws {
    let corpus = try Self.files("corpus/\(fuzzer)")
    #expect(corpus.count >= 10, "Fuzz/corpus/\(fuzzer) holds \(corpus.count) inputs")
    let check = try #require(ParserProperties.all[fuzzer])
    for file in try corpus + Self.files("regressions/\(fuzzer)") {
      let failure = check(try [UInt8](Data(contentsOf: file)))
      #expect(failure == nil, "\(file.lastPathComponent): \(failure ?? "")")
    }
  }

  @Test("each corpus folder has a fuzzer and a check")
  func folders() throws {
    let corpus = try Self.files("corpus").map(\.lastPathComponent)
    let regressions = try Self.files("regressions").map(\.lastPathComponent)
    let targets = try Self.files("Targets").map(\.lastPathComponent)
    #expect(corpus == ParserProperties.all.keys.sorted())
    #expect(Set(regressions).isSubset(of: corpus))
    #expect(targets == corpus.map { "\($0).swift" })
  }
}
