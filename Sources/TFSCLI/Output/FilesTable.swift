import TFSCore

/// `tfs history NAME --files`: what a run published, paths relative to `history/<version>/`.
enum FilesTable {
  static func render(_ files: [PublishedFile]) -> String {
    var table = Table(["PATH", "SIZE"])
    for f in files { table.add([f.path, String(f.size)]) }
    return table.render()
  }

  /// `folder` is the absolute `history/<version>` directory holding the files.
  /// On a cluster, `node` is the node holding the folder.
  static func json(_ run: Run, folder: String, files: [PublishedFile], node: String? = nil) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("run_id", .int(run.id)), ("task", .string(run.task.rawValue)), ("version", .string(run.version)),
      ("status", .string(run.status.rawValue)), ("folder", .string(folder)),
    ]
    if let node { fields.append(("node", .string(node))) }
    fields.append(
      ("files", .array(files.map { .object([("path", .string($0.path)), ("size", .int($0.size))]) })))
    return .object(fields)
  }
}
