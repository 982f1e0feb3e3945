#!/usr/bin/env python3
"""APScheduler 3.11 doing P1's or P1b's work, for the daemon benchmarks (SPEC §8, Peers).

  apscheduler_peer.py --record FILE --command PROGRAM --tasks DIR [--env K=V ...] NAME ...

One job per NAME on CronTrigger(second="*"), in a BackgroundScheduler with a ThreadPoolExecutor of
as many workers as jobs (APScheduler's default of 10 would be the bottleneck at 100 and 1,000
jobs, not the scheduler); every other setting is APScheduler's default: misfire_grace_time 1 s,
coalesce on, max_instances 1, a memory job store. A fire runs `PROGRAM DIR/NAME/run.sh` with
subprocess.Popen (new session, stdin/stdout/stderr /dev/null, this environment plus the --env
pairs, TFS_TASK_NAME=NAME and TFS_RUN_ID=a fresh id) and returns as soon as Popen has (the child
has exec'd); a reaper thread waits for the children, so the job never waits for its child and no
zombie is left.

Each fire is one line of FILE, written from APScheduler's own events (scheduled_run_time is the
occurrence):
  fire NAME SCHEDULED SPAWNED RUN_ID  (EVENT_JOB_EXECUTED; SPAWNED = time.time() once Popen returned)
  missed NAME SCHEDULED               (EVENT_JOB_MISSED: later than misfire_grace_time)
  skipped NAME SCHEDULED              (EVENT_JOB_MAX_INSTANCES: the previous fire still spawning)
  error NAME SCHEDULED MESSAGE        (EVENT_JOB_ERROR: Popen raised)
Times are Unix seconds. Occurrences that coalesce folded away have no line at all.

It starts paused and prints "ready" once every job is added. Commands on stdin, one a line:
"resume", "pause". When stdin closes (or on SIGTERM) it shuts the scheduler down, gives its
children 2 s, kills the sessions of those still running, flushes FILE and exits.
"""
import argparse
import itertools
import os
import signal
import subprocess
import sys
import threading
import time

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from peerlib import own_process_group


class Children:
    """The children not reaped yet. One thread reaps them all with waitpid(-1); a Popen is kept
    here until then (so that its __del__ never reaps a pid that another child got since)."""

    def __init__(self):
        self.lock = threading.Condition()
        self.live = {}  # pid -> Popen
        self.early = {}  # pid -> status, reaped before spawn() registered it
        threading.Thread(target=self._reap, daemon=True).start()

    def spawn(self, argv, env):
        p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        with self.lock:
            status = self.early.pop(p.pid, None)
            if status is None:
                self.live[p.pid] = p
                self.lock.notify()
            else:
                p.returncode = status
        return p.pid

    def _reap(self):
        while True:
            with self.lock:
                while not self.live:
                    self.lock.wait()
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                time.sleep(0.001)  # a Popen between fork and registration
                continue
            with self.lock:
                p = self.live.pop(pid, None)
                if p is None:
                    self.early[pid] = status
                else:
                    p.returncode = status
                self.lock.notify_all()

    def stop(self, grace):
        deadline = time.time() + grace
        with self.lock:
            while self.live and time.time() < deadline:
                self.lock.wait(0.05)
            for pid in list(self.live):
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--record", required=True)
    p.add_argument("--command", required=True, metavar="PROGRAM")
    p.add_argument("--tasks", required=True, metavar="DIR")
    p.add_argument("--env", action="append", default=[], metavar="K=V")
    p.add_argument("names", nargs="+", metavar="NAME")
    a = p.parse_args()
    own_process_group()
    base = dict(os.environ)
    base.update(kv.split("=", 1) for kv in a.env)
    children = Children()
    ids = itertools.count(1)
    record = open(a.record, "w")
    record_lock = threading.Lock()  # events come from every worker thread; a TextIOWrapper has no lock

    def write(line):
        with record_lock:
            record.write(line + "\n")

    def fire(name, argv):
        env = dict(base)
        run_id = f"ap{next(ids)}"
        env["TFS_TASK_NAME"] = name
        env["TFS_RUN_ID"] = run_id
        children.spawn(argv, env)
        return time.time(), run_id

    def on_event(e):
        sched = e.scheduled_run_time.timestamp() if e.code != EVENT_JOB_MAX_INSTANCES else None
        if e.code == EVENT_JOB_EXECUTED:
            spawned, run_id = e.retval
            write(f"fire {e.job_id} {sched:.6f} {spawned:.6f} {run_id}")
        elif e.code == EVENT_JOB_MISSED:
            write(f"missed {e.job_id} {sched:.6f}")
        elif e.code == EVENT_JOB_ERROR:
            write(f"error {e.job_id} {sched:.6f} {str(e.exception).replace(chr(10), ' ')}")
        else:
            for t in e.scheduled_run_times:
                write(f"skipped {e.job_id} {t.timestamp():.6f}")

    sched = BackgroundScheduler(executors={"default": ThreadPoolExecutor(max_workers=len(a.names))})
    sched.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES)
    sched.start(paused=True)
    for name in a.names:
        argv = [a.command, os.path.join(a.tasks, name, "run.sh")]
        sched.add_job(fire, CronTrigger(second="*"), args=(name, argv), id=name, name=name)

    def on_term(_signo, _frame):
        raise SystemExit

    signal.signal(signal.SIGTERM, on_term)
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == "resume":
                sched.resume()
            elif cmd == "pause":
                sched.pause()
            print(cmd, flush=True)
    except (SystemExit, ValueError):
        pass
    finally:
        sched.shutdown(wait=True)  # the jobs running now only have a Popen to finish
        children.stop(2)
        with record_lock:
            record.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
