import Foundation
import TFSCore
import TFSStore

/// `tfs-bench cluster-node URL NAME [--tasks K] [--run-ms MS] [--seconds S] [--grace-ms MS]`:
/// one cluster node on the protocol alone (docs/CLUSTER.md), for the partition tests and
/// `bench-cluster` until the daemon runs on PostgreSQL. It joins, renews its lease by
/// `LeaseKeeper`, claims each second's occurrence of tasks `t0…t{K-1}`, "runs" each occurrence it
/// wins by writing a witness row (no unique key: a second start would show) and ends it `run-ms`
/// later, records unclaimed occurrences `missed` and reaps dead peers. It prints one JSON object
/// per line (what happened) and stops on SIGTERM or after S seconds.
enum ClusterNodeProbe {
  struct Options {
    var url = ""
    var name = ""
    var tasks = 1
    var runMs: Int64 = 300
    var seconds = 3_600.0
    var graceMs: Int64 = 5_000
  }

  static func main(_ args: [String]) -> Int32 {
    guard let options = parse(args) else {
      FileHandle.standardError.write(
        Data("usage: tfs-bench cluster-node URL NAME [--tasks K] [--run-ms MS] [--seconds S]\n".utf8))
      return 64
    }
    signal(SIGTERM, SIG_IGN)
    let term = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
    let stop = Flag()
    term.setEventHandler { stop.set() }
    term.resume()
    do {
      var probe = try Probe(options: options)
      try probe.loop(until: Date().addingTimeInterval(options.seconds), stop: stop)
      return 0
    } catch {
      emit(["event": "error", "message": "\(error)"])
      return 1
    }
  }

  static func parse(_ args: [String]) -> Options? {
    guard args.count >= 2 else { return nil }
    var options = Options(url: args[0], name: args[1])
    var rest = args.dropFirst(2).makeIterator()
    while let flag = rest.next() {
      guard let value = rest.next() else { return nil }
      switch flag {
      case "--tasks": options.tasks = Int(value) ?? 1
      case "--run-ms": options.runMs = Int64(value) ?? 300
      case "--seconds": options.seconds = Double(value) ?? 60
      case "--grace-ms": options.graceMs = Int64(value) ?? 5_000
      default: return nil
      }
    }
    return options
  }

  static func emit(_ fields: [String: Any]) {
    var line = fields
    line["t"] = Int64(Date().timeIntervalSince1970 * 1000)
    guard let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { return }
    FileHandle.standardOutput.write(data + Data("\n".utf8))
  }

}

final class Flag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  func set() { lock.withLock { value = true } }
  var isSet: Bool { lock.withLock { value } }
}
