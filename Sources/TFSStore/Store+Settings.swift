import TFSCore

/// Settings, on either engine (`SQLDatabase`).
extension Store {
  /// Every stored setting (unset keys are absent).
  public func settings() throws(StoreError) -> [String: String] {
    try sqlRead { db in
      Dictionary(
        uniqueKeysWithValues: try db.rows("SELECT key, value FROM setting", []).map {
          ($0.text("key") ?? "", $0.text("value") ?? "")
        })
    }
  }

  public func setting(_ key: Setting) throws(StoreError) -> String? {
    try sqlRead { db in try db.text("SELECT value FROM setting WHERE key = ?", [.text(key.rawValue)]) }
  }

  /// Sets (or with nil unsets) a setting and records a `configured` audit event.
  public func setSetting(_ key: Setting, to value: String?, actor: String, now: Int64) throws(StoreError) {
    try sqlWrite { db in
      let old = try db.text("SELECT value FROM setting WHERE key = ?", [.text(key.rawValue)])
      if let value {
        try db.execute(
          "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
          [.text(key.rawValue), .text(value)])
      } else {
        try db.execute("DELETE FROM setting WHERE key = ?", [.text(key.rawValue)])
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
