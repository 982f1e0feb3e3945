import CTFSSupport
import Foundation
import TFSCore

/// Everything a run needs before its process starts: folders, an empty `publish/`, the log
/// file (`createFiles`), argv and environment. Failures here are the run's, not the daemon's: they become a
/// `failed` run with an `entry-missing` alert and no process.
///
/// The log is created ahead but opened (with the stdout and stderr pipes) only by `openFiles`,
/// right before the spawn: every spawn copies the daemon's descriptor table, so runs prepared
/// ahead of a busy second must not hold descriptors (1,000 prepared runs held 3,000).
struct RunPreparation {
  let spec: TaskSpec
  let settings: EffectiveSettings
  let baseEnvironment: [String: String]

  struct Ready {
    /// Its `stdoutFd` and `stderrFd` are set from `Files` at spawn time.
    var request: LaunchRequest
    var logRelative: String
    var paths: TaskPaths
    var logPath: String { paths.absolute(logRelative) }
  }

  /// A run's descriptors: both ends of the child's stdout and stderr pipes (the write ends are
  /// closed once spawned). Two pipes, not one: the stderr head is kept from stderr alone. The
  /// log is the daemon's to create, at the run's first output (`openLog`).
  struct Files {
    var stdoutRead: Int32
    var stdoutWrite: Int32
    var stderrRead: Int32
    var stderrWrite: Int32

    func closeAll() {
      for fd in [stdoutRead, stdoutWrite, stderrRead, stderrWrite] where fd >= 0 { close(fd) }
    }
  }

  enum Failure: Error {
    /// Entry file, task folder or executor missing: `entry-missing`.
    case missing(String)
    /// Anything else (I/O): `failed`.
    case io(String)

    var reason: String {
      switch self {
      case .missing(let r), .io(let r): r
      }
    }
  }

  /// Checks the run can start and builds its argv and environment; `createFiles` then makes
  /// its folders and log.
  func prepare(_ run: Run) -> Result<Ready, Failure> {
    let paths = settings.paths(spec.name)
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: paths.folder, isDirectory: &isDir), isDir.boolValue else {
      return .failure(.missing("task folder '\(paths.folder)' does not exist"))
    }
    let entry = paths.entry(spec.entry)
    guard fm.fileExists(atPath: entry) else {
      return .failure(.missing("entry file '\(entry)' does not exist"))
    }
    do {
      try paths.checkContained(entry: spec.entry)
    } catch {
      return .failure(.missing(error.message))
    }
    if let user = spec.user, !Accounts.isCurrent(user) {
      return .failure(
        .io(
          "task runs as '\(user)' but the daemon runs as '\(Accounts.current)' and does not "
            + "switch users; run it under a daemon of that user, or clear it with 'tfs modify \(spec.name) --user \"\"'"
        ))
    }
    let words: [String]
    do {
      words = try CommandWords.split(spec.command)
    } catch {
      return .failure(.io(error.message))
    }
    var environment = baseEnvironment
    for (k, v) in spec.environment { environment[k] = v }
    let workdir = paths.workdir(spec.workdir)
    guard let executable = PosixLauncher.resolve(words[0], path: environment["PATH"], workdir: workdir) else {
      return .failure(.missing("executor '\(words[0])' not found on PATH"))
    }
    let zone = ZoneRules.forZone(settings.zone(for: spec))
    environment["TFS_TASK_NAME"] = spec.name.rawValue
    environment["TFS_RUN_ID"] = String(run.id)
    environment["TFS_RUN_VERSION"] = run.version
    environment["TFS_SCHEDULED_AT"] = run.scheduledAt.map { Times.iso(epochMs: $0, zone: zone) } ?? ""
    environment["TFS_TRIGGER"] = run.trigger.rawValue
    environment["TFS_PUBLISH_DIR"] = paths.publish
    environment["TFS_TASK_DIR"] = paths.folder
    environment["TFS_ATTEMPT"] = String(run.attempt)

    let logRelative = TaskPaths.logRelative(version: run.version)
    let request = LaunchRequest(
      executable: executable, arguments: words + [entry], environment: environment, workdir: workdir,
      stdoutFd: -1, stderrFd: -1)
    return .success(Ready(request: request, logRelative: logRelative, paths: paths))
  }

  /// Empties `publish/` and makes `history/`, off the firing path: a folder operation takes up
  /// to 0.5 ms on a busy ext4, and a daemon starting with 1,000 tasks does thousands, so the
  /// supervisor does this for many runs in parallel. The log is not made here: a run that writes
  /// nothing gets none (creating one cost the daemon a third of its CPU at 100 runs a second).
  static func createFiles(_ ready: Ready) -> Failure? {
    do {
      try FileSystem.emptyDirectory(ready.paths.publish)
    } catch {
      return .io("\(error)")
    }
    let history = ready.paths.folder + "/history"
    if mkdir(history, 0o755) != 0 && errno != EEXIST {
      return .io("I/O error at '\(history)' while creating a folder: \(String(cString: strerror(errno)))")
    }
    return nil
  }

  /// The stdout and stderr pipes (read ends non-blocking).
  static func openFiles(_ ready: Ready) -> Result<Files, Failure> {
    var out: [Int32] = [-1, -1]
    var err: [Int32] = [-1, -1]
    guard ctfs_pipe(&out) == 0, ctfs_pipe(&err) == 0 else {
      let reason = String(cString: strerror(errno))
      Files(stdoutRead: out[0], stdoutWrite: out[1], stderrRead: err[0], stderrWrite: err[1]).closeAll()
      return .failure(.io("could not create a pipe: \(reason)"))
    }
    return .success(
      Files(stdoutRead: out[0], stdoutWrite: out[1], stderrRead: err[0], stderrWrite: err[1]))
  }

  /// Creates the log (and its day folder) for writing: the descriptor, or -1 with `errno` set.
  /// Only the daemon writes it, at this descriptor's offset (stdout spliced in, stderr copied).
  /// No O_APPEND: splice(2) refuses a file opened with it.
  static func openLog(_ path: String) -> Int32 {
    var fd = open(path, O_WRONLY | O_CLOEXEC | O_CREAT | O_TRUNC, 0o640)
    if fd < 0 && errno == ENOENT {
      // Its day folder is new (or was deleted under us: prune, a user): create it.
      try? FileSystem.makeDirectory((path as NSString).deletingLastPathComponent)
      fd = open(path, O_WRONLY | O_CLOEXEC | O_CREAT | O_TRUNC, 0o640)
    }
    return fd
  }
}

/// Directory helpers with errors that name the path and the action.
enum FileSystem {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  static func makeDirectory(_ path: String) throws(Failure) {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw Failure(
        description: "I/O error at '\(path)' while creating a folder: \(error.localizedDescription)")
    }
  }

  /// Creates `path` if needed and removes everything inside it.
  static func emptyDirectory(_ path: String) throws(Failure) {
    switch isEmptyDirectory(path) {
    case nil: try makeDirectory(path)
    case true?: return  // the common case, checked without Foundation
    case false?: break
    }
    let fm = FileManager.default
    guard let entries = try? fm.contentsOfDirectory(atPath: path), !entries.isEmpty else { return }
    for entry in entries {
      do {
        try fm.removeItem(atPath: path + "/" + entry)
      } catch {
        // Gone already: another run of the task being prepared at the same time emptied it.
        var info = stat()
        if lstat(path + "/" + entry, &info) != 0 && errno == ENOENT { continue }
        throw Failure(
          description:
            "I/O error at '\(path)/\(entry)' while emptying publish/: \(error.localizedDescription)")
      }
    }
  }

  /// nil when `path` is not a readable folder.
  static func isEmptyDirectory(_ path: String) -> Bool? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
      if name != [46] && name != [46, 46] { return false }
    }
    return true
  }

  /// Moves a non-empty `publish/` to `history/<version>/` (one rename) and lists what it held.
  static func archivePublish(_ paths: TaskPaths, version: String) -> [PublishedFile] {
    guard isEmptyDirectory(paths.publish) == false else { return [] }
    let fm = FileManager.default
    guard let entries = try? fm.contentsOfDirectory(atPath: paths.publish), !entries.isEmpty else {
      return []
    }
    let target = paths.history(version: version)
    do {
      try makeDirectory((target as NSString).deletingLastPathComponent)
      try fm.moveItem(atPath: paths.publish, toPath: target)
      try makeDirectory(paths.publish)
    } catch {
      return []
    }
    linkLatest(paths, version: version)
    return listFiles(target)
  }

  /// Points `history/latest` at `version` (relative, replaced atomically by a rename) unless it
  /// already names a newer one (runs of one task can end out of order): what a web server
  /// serving published files links to.
  static func linkLatest(_ paths: TaskPaths, version: String) {
    let link = paths.folder + "/history/latest"
    if let current = try? FileManager.default.destinationOfSymbolicLink(atPath: link), current > version {
      return
    }
    let temp = paths.folder + "/history/.latest-\(getpid())"
    unlink(temp)
    guard symlink(version, temp) == 0 else { return }
    if rename(temp, link) != 0 { unlink(temp) }
  }

  static func listFiles(_ root: String) -> [PublishedFile] {
    var files: [PublishedFile] = []
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    while let relative = walker.nextObject() as? String {
      var info = stat()
      guard lstat(root + "/" + relative, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else { continue }
      files.append(PublishedFile(path: relative, size: Int64(info.st_size)))
    }
    return files.sorted { $0.path < $1.path }
  }
}

/// The account this process runs as: the only one a task's `--user` may name, as the daemon
/// does not switch users.
public enum Accounts {
  /// The effective user's login name (its uid when it has none).
  public static let current: String = {
    let uid = geteuid()
    guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return String(uid) }
    return String(cString: name)
  }()

  /// Whether `user` names this process's account (by name or uid).
  public static func isCurrent(_ user: String) -> Bool { user == current || user == String(geteuid()) }
}
