import Foundation
import TFSCore
import TFSStore
import Testing

@testable import TFSCLI

/// Golden strings for the read commands' tables and JSON (history, events, status, --files).
@Suite struct RenderTests {
  let utc = ZoneRules.forZone(TimeZone(identifier: "UTC")!)
  /// 2024-01-05T12:00:00Z
  let t0: Int64 = 1_704_456_000_000

  /// Colour depends on whether the test's stdout is a terminal: compare without escapes.
  func plain(_ text: String) -> String {
    text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
  }

  func run(
    _ id: RunID, _ task: String, status: RunStatus, trigger: Trigger = .schedule, at offsetMs: Int64 = 0,
    durationMs: Int64? = 1_234, exitCode: Int32? = nil, signal: Int32? = nil
  ) -> Run {
    let queued = t0 + offsetMs
    let started: Int64? = status == .missed || status == .queued ? nil : queued + 5
    return Run(
      id: id, task: (try? TaskName(task))!, version: Times.version(epochSeconds: queued / 1000, zone: utc),
      trigger: trigger, status: status, scheduledAt: trigger == .manual ? nil : queued, queuedAt: queued,
      startedAt: started, endedAt: status.isFinal ? started.flatMap { s in durationMs.map { s + $0 } } : nil,
      exitCode: exitCode, signal: signal, pid: started == nil ? nil : 4242,
      logPath: started == nil ? nil : "logs/x.log", logBytes: 10)
  }

  var runs: [Run] {
    [
      run(12, "etl/nightly", status: .running, at: 3_600_000, durationMs: nil),
      run(11, "etl/nightly", status: .failed, trigger: .retry, at: 60_000, exitCode: 2),
      run(10, "backup", status: .killed, trigger: .manual, durationMs: 184_000, signal: 15),
      run(9, "backup", status: .missed, trigger: .schedule, at: -60_000, durationMs: nil),
    ]
  }

  @Test func historyTable() {
    #expect(
      plain(HistoryTable.render(runs, zone: utc)) == """
        ID  TASK         VERSION           TRIGGER   STARTED              DURATION  STATUS   EXIT
        12  etl/nightly  202401/05/130000  schedule  2024-01-05 13:00:00  -         running  -
        11  etl/nightly  202401/05/120100  retry     2024-01-05 12:01:00  1.2s      failed   2
        10  backup       202401/05/120000  manual    2024-01-05 12:00:00  3m04s     killed   sig 15
        9   backup       202401/05/115900  schedule  -                    -         missed   -
        """)
  }

  @Test func runJSON() {
    #expect(
      Render.run(runs[1], zone: utc).render()
        == #"{"id":11,"task":"etl/nightly","version":"202401/05/120100","trigger":"retry","#
        + #""status":"failed","scheduled_at":"2024-01-05T12:01:00+00:00","#
        + #""queued_at":"2024-01-05T12:01:00+00:00","started_at":"2024-01-05T12:01:00+00:00","#
        + #""ended_at":"2024-01-05T12:01:01+00:00","duration_ms":1234,"exit_code":2,"signal":null,"#
        + #""pid":4242,"attempt":0,"reason":"","actor":null,"log_path":"logs/x.log","log_bytes":10,"#
        + #""stderr_head":""}"#)
  }

  let events = [
    Event(
      id: 7, at: 1_704_456_060_000, type: "failed", task: "etl/nightly", runID: 11, actor: "tfsd",
      title: "run 11 of 'etl/nightly' failed (exit 2)", details: #"{"exit_code":2}"#, delivery: "delivered"),
    Event(
      id: 3, at: 1_704_456_000_000, type: "added", task: "backup", actor: "ops",
      title: "task 'backup' added", details: "not json", delivery: "none"),
  ]

  @Test func eventsTable() {
    #expect(
      plain(EventsTable.render(events, zone: utc)) == """
        ID  AT                   TYPE    TASK         ACTOR  DELIVERY   TITLE
        7   2024-01-05 12:01:00  failed  etl/nightly  tfsd   delivered  run 11 of 'etl/nightly' failed (exit 2)
        3   2024-01-05 12:00:00  added   backup       ops    none       task 'backup' added
        """)
    let widths = EventsTable.Widths(task: 12)
    #expect(
      plain(widths.header())
        == "ID      AT                   TYPE            TASK          ACTOR     DELIVERY              TITLE")
    #expect(
      plain(widths.line(events[1], zone: utc, deliveries: []))
        == "3       2024-01-05 12:00:00  added           backup        ops       none                  task 'backup' added"
    )
  }

  @Test func eventJSONKeepsStoredDetailsAndReplacesBrokenOnes() {
    #expect(
      Render.event(events[0], zone: utc).render()
        == #"{"id":7,"at":"2024-01-05T12:01:00+00:00","type":"failed","task":"etl/nightly","run_id":11,"#
        + #""actor":"tfsd","title":"run 11 of 'etl/nightly' failed (exit 2)","details":{"exit_code":2},"#
        + #""delivery":"delivered","deliveries":[]}"#)
    #expect(Render.event(events[1], zone: utc).render().contains(#""details":{}"#))
  }

  @Test func publishedFiles() {
    let files = [
      PublishedFile(path: "report.csv", size: 1_048_576), PublishedFile(path: "img/a.png", size: 0),
    ]
    #expect(
      FilesTable.render(files) == """
        PATH        SIZE
        report.csv  1048576
        img/a.png   0
        """)
    #expect(
      FilesTable.json(runs[1], folder: "/h/tasks/etl/nightly/history/202401/05/120100", files: files).render()
        == #"{"run_id":11,"task":"etl/nightly","version":"202401/05/120100","status":"failed","#
        + #""folder":"/h/tasks/etl/nightly/history/202401/05/120100","files":[{"path":"report.csv","#
        + #""size":1048576},{"path":"img/a.png","size":0}]}"#)
    #expect(FilesTable.render([]) == "PATH  SIZE")
  }

  var failing: [FailingTask] {
    [
      FailingTask(name: "etl/nightly", status: .failed, runID: 11, at: t0 + 61_234, enabled: true),
      FailingTask(name: "sync", status: .lost, runID: 5, at: t0 - 3_600_000, enabled: false),
    ]
  }

  func report(lockPid: Int32?, heartbeatAgeMs: Int64, stopped: Bool = false) -> StatusReport {
    let now = t0 + 3_725_000
    return StatusReport(
      home: "/h", nowMs: now, lockPid: lockPid,
      daemon: StatusReport.Daemon(
        pid: 77, startedAt: t0 - 86_400_000, heartbeatAt: now - heartbeatAgeMs, version: "0.1.0",
        stoppedAt: stopped ? now - heartbeatAgeMs : nil),
      live: [runs[0], run(13, "backup", status: .queued, at: 3_700_000)], failing: failing,
      alerts: [events[0]])
  }

  @Test func statusTextWithADaemonUp() {
    #expect(
      plain(StatusView.text(report(lockPid: 77, heartbeatAgeMs: 1_200), zone: utc)) == """
        daemon   up (pid 77, since 2024-01-04 12:00:00, heartbeat 1.2s ago, version 0.1.0)
        running  1
        queued   1
        failing  2
        channels none: alerts are recorded, not sent ('tfs channel add')

        RUNNING
        ID  TASK         VERSION           STATUS   STARTED              ELAPSED  PID
        12  etl/nightly  202401/05/130000  running  2024-01-05 13:00:00  2m04s    4242
        13  backup       202401/05/130140  queued   -                    -        -

        FAILING
        TASK         STATUS  ENDED                RUN  STATE
        etl/nightly  failed  2024-01-05 12:01:01  11   enabled
        sync         lost    2024-01-05 11:00:00  5    disabled

        RECENT ALERTS
        ID  AT                   TYPE    TASK         TITLE
        7   2024-01-05 12:01:00  failed  etl/nightly  run 11 of 'etl/nightly' failed (exit 2)
        """)
  }

  @Test func statusTextWithAFailingChannel() {
    var r = report(lockPid: 77, heartbeatAgeMs: 1_200)
    r.live = []
    r.failing = []
    r.alerts = []
    let hook = Channel(name: "hook", target: .webhook(url: "https://h/x", preset: .generic, headers: []))
    r.channels = [
      ChannelRecord(
        channel: hook, createdAt: t0, failures: 4, lastError: "HTTP 503", lastAttemptAt: t0,
        lastSuccessAt: nil,
        pending: 2),
      ChannelRecord(
        channel: Channel(name: "pager", target: .command("page")), createdAt: t0, failures: 0, lastError: "",
        lastAttemptAt: nil, lastSuccessAt: nil, pending: 0),
    ]
    #expect(
      plain(StatusView.text(r, zone: utc)) == """
        daemon   up (pid 77, since 2024-01-04 12:00:00, heartbeat 1.2s ago, version 0.1.0)
        running  0
        queued   0
        failing  0
        channels 2 (1 failing, 2 pending)

        FAILING CHANNELS
        CHANNEL  KIND     FAILURES  PENDING  LAST ERROR
        hook     webhook  4         2        HTTP 503
        """)
    #expect(r.problems == ["alert channel 'hook' failing: 4 failed attempts in a row (HTTP 503)"])
  }

  @Test(arguments: [
    (Int32?.none, Int64(5_000), false, "down (pid 77 last heartbeat 2024-01-05 13:02:00)"),
    (nil, 5_000, true, "down (pid 77 stopped 2024-01-05 13:02:00)"),
    (77, 12_000, false, "down (pid 77 holds the lock; heartbeat 12s ago)"),
    (78, 1_000, false, "down (pid 78 holds the lock; heartbeat 1s ago)"),
  ])
  func daemonCell(lockPid: Int32?, ageMs: Int64, stopped: Bool, expected: String) {
    let r = report(lockPid: lockPid, heartbeatAgeMs: ageMs, stopped: stopped)
    #expect(StatusView.daemonCell(r, zone: utc) == expected)
    #expect(r.state != .up)
  }

  @Test func daemonNeverStarted() {
    var r = report(lockPid: nil, heartbeatAgeMs: 0)
    r.daemon = nil
    #expect(StatusView.daemonCell(r, zone: utc) == "down (never started)")
    #expect(
      r.problems == [
        "no daemon is running for /h; start one with 'tfs daemon'",
        "1 task failing: etl/nightly (failed)",  // sync is disabled: shown, not a problem
      ])
  }

  @Test func problemsAreEmptyWhenUpAndNothingFails() {
    var r = report(lockPid: 77, heartbeatAgeMs: 9_999)
    #expect(r.state == .up)
    r.failing = []
    #expect(r.problems.isEmpty)
    r.failing = Array(repeating: failing[0], count: 7)
    #expect(r.problems.first?.hasPrefix("7 tasks failing: etl/nightly (failed), ") == true)
    #expect(r.problems.first?.hasSuffix(", …") == true)
    r.daemon?.heartbeatAt = r.nowMs - 10_000
    #expect(r.problems.first == "the daemon (pid 77) holds the lock but has sent no heartbeat for 10s")
  }

  @Test func statusJSON() {
    var r = report(lockPid: 77, heartbeatAgeMs: 1_200)
    r.live = [runs[0]]
    r.failing = [failing[0]]
    r.alerts = []
    #expect(
      StatusView.json(r, zone: utc).render()
        == #"{"ok":false,"problems":["1 task failing: etl/nightly (failed)"],"#
        + #""daemon":{"state":"up","up":true,"pid":77,"started_at":"2024-01-04T12:00:00+00:00","#
        + #""heartbeat_at":"2024-01-05T13:02:03+00:00","heartbeat_age_ms":1200,"version":"0.1.0","#
        + #""stopped_at":null},"nodes":null,"runs":[{"id":12,"task":"etl/nightly","version":"202401/05/130000","#
        + #""trigger":"schedule","status":"running","scheduled_at":"2024-01-05T13:00:00+00:00","#
        + #""queued_at":"2024-01-05T13:00:00+00:00","started_at":"2024-01-05T13:00:00+00:00","#
        + #""ended_at":null,"duration_ms":null,"exit_code":null,"signal":null,"pid":4242,"attempt":0,"#
        + #""reason":"","actor":null,"log_path":"logs/x.log","log_bytes":10,"stderr_head":"","#
        + #""elapsed_ms":124995}],"failing":[{"task":"etl/nightly","status":"failed","run_id":11,"#
        + #""ended_at":"2024-01-05T12:01:01+00:00","enabled":true}],"alerts":[],"channels":[]}"#)
  }
}
