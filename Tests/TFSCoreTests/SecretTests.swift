import Foundation
import TFSTestSupport
import Testing

@testable import TFSCore

@Suite struct SecretTests {
  @Test func environmentReferences() throws {
    #expect(try Secret.resolve("env:HOOK", environment: ["HOOK": "https://x/y"]) == "https://x/y")
    #expect(throws: Secret.ResolveError(description: "environment variable 'HOOK' is not set")) {
      try Secret.resolve("env:HOOK", environment: [:])
    }
    #expect(throws: Secret.ResolveError(description: "environment variable 'HOOK' is not set")) {
      try Secret.resolve("env:HOOK", environment: ["HOOK": ""])
    }
  }

  @Test func fileReferences() throws {
    let dir = TempDir("tfs-secret")
    defer { dir.remove() }
    let path = dir.write("token", "s3cret\n")
    #expect(try Secret.resolve("file:" + path, environment: [:]) == "s3cret")
    let missing = dir.file("missing")
    #expect(
      throws: Secret.ResolveError(
        description: "cannot read secret file '\(missing)': no such file or directory")
    ) { try Secret.resolve("file:" + missing, environment: [:]) }
  }

  @Test func literalsAreThemselves() throws {
    #expect(try Secret.resolve("hunter2", environment: [:]) == "hunter2")
    #expect(try Secret.resolve("https://example.com/hook", environment: [:]) == "https://example.com/hook")
  }

  @Test(arguments: [
    ("env:SLACK_URL", "env:SLACK_URL"),
    ("file:/etc/tfs/token", "file:/etc/tfs/token"),
    ("https://hooks.slack.com/services/T000/B000/abcdefghXyZ9", "https://hooks.slack.com/…XyZ9"),
    ("https://example.com", "https://example.com"),
    ("https://ntfy.sh/x", "https://ntfy.sh/…"),
    ("smtp://alice@mail.example.com:587", "smtp://…@mail.example.com:587"),
    ("https://glpat-SECRETTOKEN123456@example.com/api/hook", "https://…@example.com/…ok"),
    ("smtps://alice:pw@mail.example.com", "smtps://…@mail.example.com"),
    ("hunter2hunter2", "…er2"),
    ("abcdefgh", "…gh"),
    ("abc", "…"),
    ("", "…"),
  ])
  func redaction(text: String, shown: String) {
    #expect(Secret.redact(text) == shown)
  }

  @Test func headerRedaction() {
    #expect(Secret.redactHeader("Authorization: Bearer abc123xyz") == "Authorization: …3xyz")
    #expect(Secret.redactHeader("X-Token: env:TOKEN") == "X-Token: env:TOKEN")
    #expect(Secret.redactHeader("nocolon1234567") == "…567")
  }
}
