// `tfs-bench SUBCOMMAND …`: micro-benchmarks for `make bench` (see BENCHMARKS.md). Each
// subcommand lives in its own file and returns the process exit status.
import Foundation

let usage = """
  usage: tfs-bench SUBCOMMAND [options]

  subcommands:
    cron          next-occurrence computations per second (SPEC §8 P7); see 'tfs-bench cron --help'
    cluster-node  one cluster node on the PostgreSQL protocol alone (docs/CLUSTER.md)

  """

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "cron":
  exit(CronBench.main(Array(arguments.dropFirst())))
case "cluster-node":
  exit(ClusterNodeProbe.main(Array(arguments.dropFirst())))
case "-h", "--help", "help":
  print(usage, terminator: "")
default:
  FileHandle.standardError.write(Data(usage.utf8))
  exit(64)
}
