import Foundation

/// The acting OS user, recorded in the audit trail.
public enum Actor {
  public static func current() -> String {
    if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name {
      return String(cString: name)
    }
    return ProcessInfo.processInfo.environment["USER"] ?? "uid \(geteuid())"
  }
}
