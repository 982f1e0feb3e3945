import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSStore

@Suite struct TaskQueryTests {
  @Test func addTaskStoresEveryFieldAndAnAddedEvent() throws {
    try withStore { store, _ in
      var s = try spec("team/job", rule: "*/10 * * * * *")
      s.title = "Title"
      s.description = "long text"
      s.owners = ["a@x", "b@y"]
      s.timeZone = "Asia/Tokyo"
      s.timeoutMs = 5000
      s.onTimeout = .alert
      s.overlap = .replace
      s.catchUp = .all
      s.catchUpWindowMs = 3_600_000
      s.retries = 3
      s.retryDelayMs = 2000
      s.jitterMs = 500
      s.environment = ["A": "1", "B": "two words"]
      s.workdir = "/tmp"
      s.enabled = false
      try store.addTask(s, actor: "alice", now: t0)
      let record = try #require(try store.task(name("team/job")))
      #expect(record.spec == s)
      #expect(record.createdAt == t0 && record.updatedAt == t0)
      #expect(record.lastRunID == nil && record.lastStatus == nil)
      let event = try #require(try store.events(EventFilter(task: "team/job")).first)
      #expect(event.type == "added" && event.actor == "alice" && event.at == t0)
      #expect(JSON.stringDictionary(event.details)["rule"] == "*/10 * * * * *")
    }
  }

  @Test func addingAnExistingNameFailsAndWritesNothing() throws {
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "x", now: t0)
      let events = try store.lastEventID()
      #expect(throws: StoreError.taskExists("a")) { try store.addTask(try spec("a"), actor: "x", now: t0) }
      #expect(try store.lastEventID() == events)
    }
  }

  @Test func tasksAreSortedByNameAndFilterable() throws {
    try withStore { store, _ in
      for (n, enabled) in [("b", true), ("a/z", false), ("C", true), ("a", true)] {
        try store.addTask(try spec(n, enabled: enabled), actor: "x", now: t0)
      }
      #expect(try store.tasks().map(\.spec.name.rawValue) == ["C", "a", "a/z", "b"])
      #expect(try store.tasks(enabledOnly: true).map(\.spec.name.rawValue) == ["C", "a", "b"])
      #expect(try store.taskCount() == 4)
      #expect(try store.task(name("nope")) == nil)
    }
  }

  @Test func updateTaskReturnsTheDiffAndRecordsIt() throws {
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "x", now: t0)
      let diff = try store.updateTask(name("a"), actor: "bob", now: t0 + 5) {
        $0.title = "new"
        $0.retries = 2
      }
      #expect(diff.map(\.field) == ["title", "retries"])
      #expect(diff.map(\.old) == ["", "0"] && diff.map(\.new) == ["new", "2"])
      let record = try #require(try store.task(name("a")))
      #expect(record.spec.title == "new" && record.updatedAt == t0 + 5 && record.createdAt == t0)
      let event = try #require(try store.events(EventFilter(task: "a", type: "modified")).first)
      #expect(event.actor == "bob")
      #expect(event.details.contains("\"field\":\"title\"") && event.details.contains("\"new\":\"new\""))
    }
  }

  @Test func updateWithoutChangeWritesNothing() throws {
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "x", now: t0)
      let events = try store.lastEventID()
      let diff = try store.updateTask(name("a"), actor: "x", now: t0 + 9) { $0.enabled = true }
      #expect(diff.isEmpty)
      #expect(try store.lastEventID() == events)
      #expect(try store.task(name("a"))?.updatedAt == t0)
    }
  }

  @Test func updateUsesTheGivenEventType() throws {
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "x", now: t0)
      try store.updateTask(name("a"), actor: "x", now: t0, eventType: .disabled) { $0.enabled = false }
      #expect(try store.events(EventFilter(task: "a")).first?.type == "disabled")
      #expect(try store.task(name("a"))?.spec.enabled == false)
    }
  }

  @Test func updateOfAMissingTaskFails() throws {
    try withStore { store, _ in
      #expect(throws: StoreError.noSuchTask("ghost")) {
        try store.updateTask(name("ghost"), actor: "x", now: t0) { $0.retries = 1 }
      }
    }
  }

  @Test func updateThatThrowsLeavesTheTaskAlone() throws {
    struct Boom: Error {}
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "x", now: t0)
      // The closure's error comes back wrapped as StoreError.database (see the report).
      #expect(throws: (any Error).self) {
        try store.updateTask(name("a"), actor: "x", now: t0) {
          $0.retries = 5
          throw Boom()
        }
      }
      #expect(try store.task(name("a"))?.spec.retries == 0)
    }
  }

  @Test func removeTaskKeepsOrPurgesRuns() throws {
    try withStore { store, _ in
      for n in ["keep", "purge"] {
        try store.addTask(try spec(n), actor: "x", now: t0)
        try store.insertRun(run(n))
        try store.insertRun(run(n, "202401/05/120001", status: .queued))
      }
      try store.removeTask(name("keep"), purge: false, actor: "x", now: t0)
      try store.removeTask(name("purge"), purge: true, actor: "x", now: t0)
      #expect(try store.tasks().isEmpty)
      #expect(try store.runs(RunFilter(task: "keep")).map(\.status) == [.succeeded])
      #expect(try store.runs(RunFilter(task: "purge")).isEmpty)
      #expect(try store.events(EventFilter(type: "deleted")).count == 2)
      #expect(throws: StoreError.noSuchTask("keep")) {
        try store.removeTask(name("keep"), purge: false, actor: "x", now: t0)
      }
    }
  }

  @Test func removeIdleTaskRefusesWhileARunIsLive() throws {
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "x", now: t0)
      try store.insertRun(run("a"))
      let live = try store.insertRun(run("a", "202401/05/120001", status: .running))
      let events = try store.lastEventID()
      #expect(try store.removeIdleTask(name("a"), purge: true, actor: "x", now: t0) == .busy([live.id]))
      #expect(try store.task(name("a")) != nil)
      #expect(try store.lastEventID() == events)
      try store.finishRun(live.id, RunEnd(status: .killed, endedAt: t0 + 1))
      #expect(try store.runCount(task: name("a")) == 2)
      #expect(
        try store.removeIdleTask(name("a"), purge: true, actor: "y", now: t0) == .removed(purgedRuns: 2))
      #expect(try store.runCount(task: name("a")) == 0)
      let event = try #require(try store.events(EventFilter(task: "a", type: "deleted")).first)
      #expect(event.actor == "y" && JSON.stringDictionary(event.details)["runs_deleted"] == "2")
      // The audit trail survives a purge.
      #expect(try store.events(EventFilter(task: "a", type: "added")).count == 1)
    }
  }

  @Test func removeIdleTaskWithoutPurgeKeepsRuns() throws {
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "x", now: t0)
      try store.insertRun(run("a"))
      #expect(
        try store.removeIdleTask(name("a"), purge: false, actor: "x", now: t0) == .removed(purgedRuns: 0))
      #expect(try store.runCount(task: name("a")) == 1)
      #expect(throws: StoreError.noSuchTask("a")) {
        try store.removeIdleTask(name("a"), purge: false, actor: "x", now: t0)
      }
    }
  }

  @Test func addTasksIsAllOrNothing() throws {
    try withStore { store, _ in
      try store.addTask(try spec("c/2"), actor: "x", now: t0)
      let batch = [try spec("c/1"), try spec("c/2"), try spec("c/3")]
      #expect(try store.existingTasks(batch.map(\.name)) == [name("c/2")])
      #expect(throws: StoreError.taskExists("c/2")) { try store.addTasks(batch, actor: "x", now: t0) }
      #expect(try store.tasks().map(\.spec.name.rawValue) == ["c/2"])
      try store.addTasks([try spec("c/1"), try spec("c/3")], actor: "imp", now: t0)
      #expect(try store.taskCount() == 3)
      #expect(try store.events(EventFilter(type: "added")).filter { $0.actor == "imp" }.count == 2)
    }
  }
}
