import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSStore

@Suite struct EventQueryTests {
  @Test func eventsFilterAndOrder() throws {
    try withStore { store, _ in
      #expect(try store.lastEventID() == 0)
      let a = try store.record(Event(at: t0, type: "failed", task: "a", actor: "d", title: "1"))
      let b = try store.record(Event(at: t0 + 10, type: "missed", task: "a", actor: "d", title: "2"))
      let c = try store.record(
        Event(at: t0 + 20, type: "failed", task: "b", runID: 5, actor: "d", title: "3"))
      #expect(try store.lastEventID() == c)
      func titles(_ f: EventFilter) throws -> [String] { try store.events(f).map(\.title) }
      #expect(try titles(EventFilter()) == ["3", "2", "1"])
      #expect(try titles(EventFilter(task: "a")) == ["2", "1"])
      #expect(try titles(EventFilter(type: "failed")) == ["3", "1"])
      #expect(try titles(EventFilter(sinceMs: t0 + 10)) == ["3", "2"])
      #expect(try titles(EventFilter(afterID: a)) == ["2", "3"])
      #expect(try titles(EventFilter(limit: 1)) == ["3"])
      let stored = try #require(try store.events(EventFilter(afterID: b)).first)
      // No channel takes it: delivery none (SPEC §7).
      #expect(
        stored
          == Event(
            id: c, at: t0 + 20, type: "failed", task: "b", runID: 5, actor: "d", title: "3", delivery: "none")
      )
    }
  }
}

@Suite struct SettingQueryTests {
  @Test func setGetUnsetWithAuditEvents() throws {
    try withStore { store, _ in
      #expect(try store.settings().isEmpty)
      #expect(try store.setting(.retention) == nil)
      try store.setSetting(.retention, to: "7d", actor: "ann", now: t0)
      try store.setSetting(.retention, to: "8d", actor: "ann", now: t0 + 1)
      try store.setSetting(.notify, to: "a@x", actor: "ann", now: t0 + 2)
      #expect(try store.settings() == ["retention": "8d", "notify": "a@x"])
      try store.setSetting(.retention, to: nil, actor: "bob", now: t0 + 3)
      #expect(try store.setting(.retention) == nil)
      let events = try store.events(EventFilter(type: "configured"))
      #expect(events.count == 4 && events[0].actor == "bob")
      #expect(JSON.stringDictionary(events[0].details) == ["key": "retention", "old": "8d", "new": ""])
      #expect(JSON.stringDictionary(events[2].details) == ["key": "retention", "old": "7d", "new": "8d"])
    }
  }
}

@Suite struct DaemonQueryTests {
  @Test func daemonRowLifecycle() throws {
    try withStore { store, _ in
      #expect(try store.daemonInfo() == nil)
      try store.daemonStarted(pid: 100, version: "0.1.0", now: t0, taskCount: 3)
      #expect(
        try store.daemonInfo()
          == DaemonInfo(pid: 100, startedAt: t0, heartbeatAt: t0, version: "0.1.0", stoppedAt: nil))
      try store.heartbeat(pid: 100, now: t0 + 2000)
      try store.heartbeat(pid: 999, now: t0 + 9000)  // not the owner: ignored
      #expect(try store.daemonInfo()?.heartbeatAt == t0 + 2000)
      try store.daemonStopped(pid: 100, now: t0 + 3000)
      #expect(try store.daemonInfo()?.stoppedAt == t0 + 3000)
      try store.daemonStarted(pid: 200, version: "0.1.1", now: t0 + 5000, taskCount: 0)
      let info = try #require(try store.daemonInfo())
      #expect(info.pid == 200 && info.stoppedAt == nil && info.startedAt == t0 + 5000)
      let started = try store.events(EventFilter(type: "daemon-started"))
      #expect(started.count == 2 && started[1].title.contains("3 tasks"))
    }
  }
}
