import Foundation
import TFSCore
import TFSEngine

/// What `add`, `modify` and `apply` warn about (stderr; the change is made anyway): what would
/// make the task's runs fail at once, while there is time to fix it.
enum TaskWarnings {
  /// `entry file '…' does not exist yet`; `executor 'nodejs' is not on PATH (…)`.
  static func check(_ spec: TaskSpec, settings: EffectiveSettings, prefix: String = "") {
    let paths = settings.paths(spec.name)
    if !FileManager.default.fileExists(atPath: paths.entry(spec.entry)) {
      Terminal.warn(prefix + "entry file '\(paths.entry(spec.entry))' does not exist yet")
    }
    guard let word = try? CommandWords.split(spec.command).first else { return }
    let path = spec.environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    if PosixLauncher.resolve(word, path: path, workdir: paths.workdir(spec.workdir)) == nil {
      let where_ = word.contains("/") ? "is not an executable file" : "is not on PATH"
      Terminal.warn(prefix + "executor '\(word)' \(where_); runs fail until it is")
    }
  }
}
