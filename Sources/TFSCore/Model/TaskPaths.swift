import Foundation

/// Where a task's files are: `<task-root>/<name>/` with `publish/`, `history/`, `logs/`.
public struct TaskPaths: Sendable {
  public let root: String
  public let name: TaskName

  public init(root: String, name: TaskName) {
    self.root = root
    self.name = name
  }

  public var folder: String { root + "/" + name.rawValue }
  public var publish: String { folder + "/publish" }
  public func entry(_ entry: String) -> String { folder + "/" + entry }
  /// `history/202401/05/120000` (absolute).
  public func history(version: String) -> String { folder + "/history/" + version }
  /// `logs/202401/05/120000.log`, relative to the folder (as stored in the run).
  public static func logRelative(version: String) -> String { "logs/" + version + ".log" }
  public func absolute(_ relative: String) -> String { folder + "/" + relative }

  /// A run's working directory: `--workdir` (relative = inside the task folder), else the folder.
  public func workdir(_ workdir: String?) -> String {
    guard let workdir, !workdir.isEmpty else { return folder }
    return workdir.hasPrefix("/") ? workdir : folder + "/" + workdir
  }

  /// Rejects a task folder or entry that resolves (through symlinks) outside its parent.
  public func checkContained(entry: String) throws(ValidationError) {
    let realRoot = TaskPaths.realPath(root) ?? root
    if let realFolder = TaskPaths.realPath(folder), !TaskPaths.isInside(realFolder, realRoot) {
      throw ValidationError("task folder '\(folder)' leads outside the task root through a symlink")
    }
    let realFolder = TaskPaths.realPath(folder) ?? folder
    // Resolve the entry, or (when it does not exist yet) its nearest existing parent: a folder
    // symlinked out of the task folder must not be usable for an entry created later.
    var candidate = self.entry(entry)
    var resolved = TaskPaths.realPath(candidate)
    while resolved == nil && candidate.count > folder.count {
      candidate = (candidate as NSString).deletingLastPathComponent
      resolved = TaskPaths.realPath(candidate)
    }
    if let resolved, TaskPaths.realPath(folder) != nil, !TaskPaths.isInside(resolved, realFolder) {
      throw ValidationError("invalid entry '\(entry)': it leads outside the task folder through a symlink")
    }
  }

  static func isInside(_ path: String, _ dir: String) -> Bool {
    path == dir || path.hasPrefix(dir.hasSuffix("/") ? dir : dir + "/")
  }

  public static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
