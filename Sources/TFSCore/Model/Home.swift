import Foundation

/// Where the home is: `--home DIR` > `TFS_HOME` > `$XDG_DATA_HOME/tfs` > `~/.local/share/tfs`.
public struct Home: Sendable, Equatable {
  public let path: String

  public init(path: String) { self.path = path }

  public static func resolve(flag: String?, environment: [String: String]) -> Home {
    if let flag, !flag.isEmpty { return Home(path: absolute(flag)) }
    if let env = environment["TFS_HOME"], !env.isEmpty { return Home(path: absolute(env)) }
    if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return Home(path: absolute(xdg) + "/tfs") }
    let user = environment["HOME"] ?? NSHomeDirectory()
    return Home(path: user + "/.local/share/tfs")
  }

  static func absolute(_ p: String) -> String {
    let path = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
    return URL(fileURLWithPath: path).standardizedFileURL.path
  }

  public var database: String { path + "/tfs.db" }
  public var lockFile: String { path + "/daemon.lock" }
  public var socketPath: String { path + "/daemon.sock" }
  public var defaultTaskRoot: String { path + "/tasks" }
}
