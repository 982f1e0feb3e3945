import TFSCore

extension Store {
  /// Adds several tasks and their `added` events in one transaction: all of them or none
  /// (`StoreError.taskExists` names the first one already there).
  public func addTasks(_ specs: [TaskSpec], actor: String, now: Int64) throws(StoreError) {
    try sqlWrite { db in
      for spec in specs { try Store.insertTask(db, spec, actor: actor, now: now) }
    }
  }

  /// Those of `names` that are already tasks, sorted.
  public func existingTasks(_ names: [TaskName]) throws(StoreError) -> [TaskName] {
    try sqlRead { db in
      try names.filter { try db.row("SELECT 1 FROM task WHERE name = ?", [.text($0.rawValue)]) != nil }
        .sorted()
    }
  }
}
