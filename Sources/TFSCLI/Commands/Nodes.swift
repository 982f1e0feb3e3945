import ArgumentParser
import Foundation
import TFSCore
import TFSStore

struct Nodes: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nodes",
    abstract: "List a cluster's nodes: NAME, LABELS, STATE, EPOCH, LEASE AGE, RUNNING, VERSION.",
    discussion: """
      Needs a cluster (--database or TFS_DATABASE). STATE is live (renewing its lease), dead (its \
      lease ran out: its runs were recorded lost) or left (it shut down cleanly).
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      guard try global.resolvedDatabase() != nil else {
        throw CLIError.usage(
          "'tfs nodes' lists a cluster's nodes: pass --database postgres://… or set TFS_DATABASE")
      }
      let store = try global.store()
      let nodes = try store.nodes() ?? []
      if output.json {
        Terminal.out(JSONValue.array(nodes.map(Nodes.json)).render())
        return
      }
      var table = Table(["NAME", "LABELS", "STATE", "EPOCH", "LEASE AGE", "RUNNING", "VERSION"])
      for node in nodes {
        table.add([
          node.name, node.labels.isEmpty ? "-" : node.labels.joined(separator: ","), node.state,
          String(node.epoch), Nodes.age(node.leaseAgeMs), String(node.running), node.version,
        ])
      }
      Terminal.out(bytes: table.renderBytes())
    }
  }

  static func json(_ node: NodeStatus) -> JSONValue {
    .object([
      ("name", .string(node.name)), ("labels", .array(node.labels.map(JSONValue.string))),
      ("state", .string(node.state)), ("epoch", .int(node.epoch)), ("lease_age_ms", .int(node.leaseAgeMs)),
      ("running", .int(Int64(node.running))), ("version", .string(node.version)),
    ])
  }

  /// A lease age as people read it: 1.2s, 3m, 2h.
  static func age(_ ms: Int64) -> String {
    if ms < 60_000 { return String(format: "%.1fs", Double(max(ms, 0)) / 1000) }
    if ms < 3_600_000 { return "\(ms / 60_000)m" }
    return "\(ms / 3_600_000)h"
  }
}
