import GRDB
import TFSCore

extension Store {
  /// Every stored setting (unset keys are absent).
  public func settings() throws(StoreError) -> [String: String] {
    try read { db in
      Dictionary(
        uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM setting").map {
          ($0["key"] as String, $0["value"] as String)
        })
    }
  }

  public func setting(_ key: Setting) throws(StoreError) -> String? {
    try read { db in
      try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key.rawValue])
    }
  }

  /// Sets (or with nil unsets) a setting and records a `configured` audit event.
  public func setSetting(_ key: Setting, to value: String?, actor: String, now: Int64) throws(StoreError) {
    try write { db in
      let old = try String.fetchOne(
        db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key.rawValue])
      if let value {
        try db.execute(
          sql:
            "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
          arguments: [key.rawValue, value])
      } else {
        try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [key.rawValue])
      }
      try Store.insertEvent(
        db,
        Event(
          at: now, type: EventType.configured.rawValue, actor: actor,
          title: value == nil ? "setting \(key.rawValue) unset" : "setting \(key.rawValue) set",
          details: JSON.object(["key": key.rawValue, "old": old ?? "", "new": value ?? ""])))
    }
  }
}
