#!/usr/bin/env python3
"""Generate the reference data for the tfs cron engine's table-driven tests.

Writes, next to this script:

  cron_cases.tsv    valid rules: rule, zone, from, direction, expected, note
  cron_invalid.tsv  invalid rules: rule, field, token
  README.md         how to regenerate, the semantics, and every croniter disagreement

Requirements (pinned; the script refuses to run with other versions):

  Python 3.11
  croniter==7.0.0          (second opinion only; pulls in python-dateutil==2.9.0.post0)
  tzdata==2026.6           (IANA 2026f; zoneinfo is pointed at this package only)

  pip install croniter==7.0.0 python-dateutil==2.9.0.post0 tzdata==2026.6

Usage:

  python3 generate_cron_cases.py           # rewrite the three files
  python3 generate_cron_cases.py --check   # regenerate in memory, exit 1 if any file differs

The expected values are ALWAYS those of the brute-force reference below (Vixie semantics,
see README.md). croniter is only asked for a second opinion, recorded in the `note`
column and in README.md. Everything is deterministic: fixed seeds, fixed instants, no "now".
"""

from __future__ import annotations

import argparse
import bisect
import calendar
import datetime as dt
import functools
import importlib.metadata
import itertools
import random
import re
import sys
import zoneinfo
from pathlib import Path

PINNED = {"croniter": "7.0.0", "tzdata": "2026.6", "python-dateutil": "2.9.0.post0"}

# Use the pinned tzdata wheel, never the machine's /usr/share/zoneinfo.
zoneinfo.reset_tzpath(to=[])

HERE = Path(__file__).resolve().parent
COUNT = 5  # occurrences listed per case
HORIZON_DAYS = 50 * 365 + 12  # "within 50 years": at most 18262 days from `from`

# ---------------------------------------------------------------------------------------
# Rule parsing (the reference grammar)
# ---------------------------------------------------------------------------------------

FIELDS = ("second", "minute", "hour", "day-of-month", "month", "day-of-week")
BOUNDS = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "day-of-month": (1, 31),
    "month": (1, 12),
    "day-of-week": (0, 7),
}
MONTH_NAMES = {n: i + 1 for i, n in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}
DOW_NAMES = {n: i for i, n in enumerate("SUN MON TUE WED THU FRI SAT".split())}
MACROS = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}
DIGITS = re.compile(r"[0-9]+")


class RuleError(ValueError):
    """An invalid rule. `field` is one of FIELDS or "" for whole-rule errors."""

    def __init__(self, field: str, token: str, reason: str):
        super().__init__(f"{field or 'rule'}: {token!r}: {reason}")
        self.field = field
        self.token = token
        self.reason = reason


def parse_value(field: str, text: str, token: str) -> int:
    up = text.upper()
    if DIGITS.fullmatch(text):
        value = int(text)
    elif field == "month" and up in MONTH_NAMES:
        value = MONTH_NAMES[up]
    elif field == "day-of-week" and up in DOW_NAMES:
        value = DOW_NAMES[up]
    else:
        raise RuleError(field, token, f"not a value: {text!r}")
    lo, hi = BOUNDS[field]
    if not lo <= value <= hi:
        raise RuleError(field, token, f"{value} outside {lo}-{hi}")
    return value


class Field:
    """One parsed field: plain values plus the day extensions."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        self.values: set[int] = set()
        self.last_day = False  # dom `L`
        self.nearest_weekday: set[int] = set()  # dom `nW`
        self.last_weekday: set[int] = set()  # dow `nL` / `Ln`
        self.nth_weekday: set[tuple[int, int]] = set()  # dow `n#k`
        # Vixie: a dom/dow field is "restricted" unless its text starts with * or ?.
        self.restricted = not text.startswith(("*", "?"))
        lo, hi = BOUNDS[name]
        if text == "?":
            if name not in ("day-of-month", "day-of-week"):
                raise RuleError(name, text, "? is only allowed in day-of-month and day-of-week")
            self.values = set(range(lo, hi + 1))
        else:
            for item in text.split(","):
                if item == "":
                    raise RuleError(name, text, "empty list item")
                self._parse_item(item)
        if name == "day-of-week" and 7 in self.values:
            self.values.discard(7)
            self.values.add(0)

    def _parse_item(self, item: str) -> None:
        name = self.name
        lo, hi = BOUNDS[name]
        up = item.upper()
        if name == "day-of-month":
            if up == "L":
                self.last_day = True
                return
            m = re.fullmatch(r"([0-9]+)W", up)
            if m:
                self.nearest_weekday.add(parse_value(name, m.group(1), item))
                return
        if name == "day-of-week":
            m = re.fullmatch(r"([0-9A-Z]+)L", up) or re.fullmatch(r"L([0-9A-Z]+)", up)
            if m:
                self.last_weekday.add(parse_value(name, m.group(1), item) % 7)
                return
            m = re.fullmatch(r"([0-9A-Z]+)#([0-9]+)", up)
            if m:
                weekday = parse_value(name, m.group(1), item) % 7
                k = int(m.group(2))
                if not 1 <= k <= 5:
                    raise RuleError(name, item, "#k needs k in 1-5")
                self.nth_weekday.add((weekday, k))
                return
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not DIGITS.fullmatch(step_text):
                raise RuleError(name, item, "bad step")
            step = int(step_text)
            if step == 0:
                raise RuleError(name, item, "step 0")
            if step > hi - lo + 1:
                raise RuleError(name, item, "step larger than the field's number of values")
        if base == "*":
            a, b = lo, hi
        elif "-" in base:
            a_text, _, b_text = base.partition("-")
            a = parse_value(name, a_text, item)
            b = parse_value(name, b_text, item)
            if a > b:
                raise RuleError(name, item, "reversed range")
        else:
            a = parse_value(name, base, item)
            b = hi if slash else a
        self.values.update(range(a, b + 1, step))


def nearest_weekday(year: int, month: int, n: int) -> int | None:
    """Quartz `nW`: the Mon-Fri day nearest to day n, never leaving the month.

    Months without a day n have no match."""
    days_in_month = calendar.monthrange(year, month)[1]
    if n > days_in_month:
        return None
    weekday = dt.date(year, month, n).weekday()  # Monday = 0 ... Sunday = 6
    if weekday == 5:  # Saturday: Friday before, or Monday 3rd if n is the 1st
        return n - 1 if n > 1 else n + 2
    if weekday == 6:  # Sunday: Monday after, or Friday before if n is the last day
        return n + 1 if n < days_in_month else n - 2
    return n


class Rule:
    def __init__(self, text: str):
        self.text = text
        parts = text.split()
        if not parts:
            raise RuleError("", "", "empty rule")
        if parts[0].startswith("@"):
            if len(parts) != 1 or parts[0] not in MACROS:
                raise RuleError("", parts[0], "unknown macro")
            parts = MACROS[parts[0]].split()
        if len(parts) == 5:
            parts = ["0"] + parts
        if len(parts) != 6:
            raise RuleError("", "", f"{len(parts)} fields")
        self.fields = {name: Field(name, part) for name, part in zip(FIELDS, parts)}
        f = self.fields
        self.seconds = sorted(f["second"].values)
        self.minutes = sorted(f["minute"].values)
        self.hours = sorted(f["hour"].values)
        self.months = set(f["month"].values)
        self.dom = f["day-of-month"]
        self.dow = f["day-of-week"]
        # Fixed-time (Vixie): neither minute nor hour field starts with `*`.
        self.fixed_time = not f["minute"].text.startswith("*") and not f["hour"].text.startswith("*")
        self.day_or = self.dom.restricted and self.dow.restricted
        self.times = [
            h * 3600 + m * 60 + s for h in self.hours for m in self.minutes for s in self.seconds
        ]  # ascending seconds-of-day
        if not self._matches_some_day():
            raise RuleError("", "", "can never match")

    # -- calendar matching ------------------------------------------------------------

    def dom_matches(self, d: dt.date) -> bool:
        f = self.dom
        if d.day in f.values:
            return True
        if f.last_day and d.day == calendar.monthrange(d.year, d.month)[1]:
            return True
        return any(nearest_weekday(d.year, d.month, n) == d.day for n in f.nearest_weekday)

    def dow_matches(self, d: dt.date) -> bool:
        f = self.dow
        weekday = d.isoweekday() % 7  # Sunday = 0
        if weekday in f.values:
            return True
        if weekday in f.last_weekday and d.day + 7 > calendar.monthrange(d.year, d.month)[1]:
            return True
        return (weekday, (d.day - 1) // 7 + 1) in f.nth_weekday

    def day_matches(self, d: dt.date) -> bool:
        if d.month not in self.months:
            return False
        if self.day_or:
            return self.dom_matches(d) or self.dow_matches(d)
        return self.dom_matches(d) and self.dow_matches(d)

    def matches(self, civil: dt.datetime) -> bool:
        return (
            civil.second in self.seconds
            and civil.minute in self.minutes
            and civil.hour in self.hours
            and self.day_matches(civil.date())
        )

    def _matches_some_day(self) -> bool:
        # The Gregorian calendar (weekdays included) repeats every 400 years.
        d = dt.date(2000, 1, 1)
        while d.year < 2400:
            if self.day_matches(d):
                return True
            d += dt.timedelta(days=1)
        return False


@functools.lru_cache(maxsize=None)
def parse_rule(text: str) -> Rule:
    return Rule(text)


# ---------------------------------------------------------------------------------------
# Brute-force reference over zoneinfo
# ---------------------------------------------------------------------------------------

NAIVE_EPOCH = dt.datetime(1970, 1, 1)
BOUND = 15 * 3600  # every UTC offset lies within +-15 h: |instant - civil seconds| <= BOUND


@functools.lru_cache(maxsize=None)
def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local(ts: int, zone_name: str) -> dt.datetime:
    """Wall-clock reading (naive) at instant ts."""
    return dt.datetime.fromtimestamp(ts, zone(zone_name)).replace(tzinfo=None)


def civil_seconds(civil: dt.datetime) -> int:
    return (civil - NAIVE_EPOCH) // dt.timedelta(seconds=1)


def civil_from_seconds(n: int) -> dt.datetime:
    return NAIVE_EPOCH + dt.timedelta(seconds=n)


@functools.lru_cache(maxsize=None)
def instants_of(civil: dt.datetime, zone_name: str) -> tuple[int, ...]:
    """All instants whose wall clock reads `civil`: () in a gap, 2 in an overlap."""
    found = set()
    for fold in (0, 1):
        ts = int(civil.replace(tzinfo=zone(zone_name), fold=fold).timestamp())
        if local(ts, zone_name) == civil:
            found.add(ts)
    return tuple(sorted(found))


@functools.lru_cache(maxsize=None)
def first_instant_after_gap(civil: dt.datetime, zone_name: str) -> int:
    """For a nonexistent wall time: the first instant whose wall clock reads later than it."""
    ts = min(int(civil.replace(tzinfo=zone(zone_name), fold=f).timestamp()) for f in (0, 1))
    assert local(ts, zone_name) < civil
    while local(ts, zone_name) <= civil:
        ts += 1
    return ts


def fires_for(rule: Rule, civil: dt.datetime, zone_name: str) -> list[tuple[int, str]]:
    """Instants at which `rule` fires because of matching wall time `civil`, with a kind.

    kind: "" ordinary, "gap" (fixed-time rule moved to the end of a gap),
          "overlap-1"/"overlap-2" (first/second pass of a repeated wall time)."""
    exact = instants_of(civil, zone_name)
    if not exact:
        return [(first_instant_after_gap(civil, zone_name), "gap")] if rule.fixed_time else []
    if len(exact) == 1:
        return [(exact[0], "")]
    if rule.fixed_time:
        return [(exact[0], "overlap-1")]
    return [(exact[0], "overlap-1"), (exact[1], "overlap-2")]


def brute_force(rule: Rule, zone_name: str, from_ts: int, direction: str, count: int = COUNT,
                horizon_days: int = HORIZON_DAYS) -> list[tuple[int, str]]:
    """The `count` occurrences nearest to from_ts on the requested side (strictly), nearest first.

    Walks local civil days and, on matching days, every matching time of day, maps each
    matching wall time to its instants and keeps the nearest ones. It stops only once no
    later (earlier) wall time can map to an instant nearer than the ones already kept."""
    forward = direction == "next"
    limit = from_ts + (1 if forward else -1) * horizon_days * 86400
    kept: dict[int, str] = {}
    order: list[int] = []  # kept instants, nearest first
    start_day = local(from_ts, zone_name).date() + dt.timedelta(days=-2 if forward else 2)
    end_day = local(limit, zone_name).date() + dt.timedelta(days=2 if forward else -2)
    one = dt.timedelta(days=1 if forward else -1)
    times = rule.times if forward else rule.times[::-1]

    def done(civil_n: int) -> bool:
        if len(order) < count:
            return False
        if forward:
            return civil_n - BOUND > order[count - 1]
        return civil_n + BOUND < -order[count - 1]

    day = start_day
    while (day <= end_day) if forward else (day >= end_day):
        day_n = civil_seconds(dt.datetime(day.year, day.month, day.day))
        if done(day_n if forward else day_n + 86399):
            break
        if rule.day_matches(day):
            for tod in times:
                civil_n = day_n + tod
                if done(civil_n):
                    break
                civil = civil_from_seconds(civil_n)
                for ts, kind in fires_for(rule, civil, zone_name):
                    assert abs(ts - civil_n) <= BOUND
                    inside = (from_ts < ts <= limit) if forward else (limit <= ts < from_ts)
                    if inside and ts not in kept:
                        kept[ts] = kind
                        bisect.insort(order, ts if forward else -ts)
        day += one
    ordered = [ts if forward else -ts for ts in order[:count]]
    return [(ts, kept[ts]) for ts in ordered]


# -- an independent second reference: a ticking clock ------------------------------------

def ticker_fires(rule: Rule, zone_name: str, ts: int, now: dt.datetime, before: dt.datetime) -> bool:
    """Does a cron daemon that looks at the wall clock every second run the job at ts?

    `now` and `before` are the wall-clock readings at ts and ts - 1."""
    if not rule.fixed_time:
        return rule.matches(now)
    if now - before > dt.timedelta(seconds=1):
        # The wall clock jumped forward: the skipped times and `now` all run now, once.
        c = before + dt.timedelta(seconds=1)
        while c <= now:
            if rule.matches(c):
                return True
            c += dt.timedelta(seconds=1)
        return False
    if dt.datetime.fromtimestamp(ts, zone(zone_name)).fold == 1:
        return False  # repeated wall time: fixed-time jobs already ran in the first pass
    return rule.matches(now)


def ticker(rule: Rule, zone_name: str, from_ts: int, direction: str, max_ts: int) -> list[int]:
    step = 1 if direction == "next" else -1
    out = []
    ts = from_ts + step
    readings = {ts - 1: local(ts - 1, zone_name), ts: local(ts, zone_name)}
    while len(out) < COUNT and (ts <= max_ts if step == 1 else ts >= max_ts):
        if ts - 1 not in readings:
            readings[ts - 1] = local(ts - 1, zone_name)
        if ticker_fires(rule, zone_name, ts, readings[ts], readings[ts - 1]):
            out.append(ts)
        ts += step
        if ts not in readings:
            readings[ts] = local(ts, zone_name)
        readings.pop(ts - 3 * step, None)
    return out


# ---------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------

def iso(ts: int, zone_name: str) -> str:
    return dt.datetime.fromtimestamp(ts, zone(zone_name)).isoformat()


def parse_from(text: str, zone_name: str) -> int:
    """An ISO local time, with or without offset. Without an offset it must be unambiguous."""
    d = dt.datetime.fromisoformat(text)
    if d.tzinfo is None:
        found = instants_of(d, zone_name)
        assert len(found) == 1, f"{text} in {zone_name} is ambiguous or nonexistent"
        return found[0]
    ts = int(d.timestamp())
    assert iso(ts, zone_name) == d.isoformat(), f"{text} is not a valid {zone_name} reading"
    return ts


# ---------------------------------------------------------------------------------------
# croniter (second opinion)
# ---------------------------------------------------------------------------------------

def croniter_expr(text: str) -> str:
    """Our rule in croniter's spelling: seconds moved last, `nL` written `Ln`."""
    parts = text.split()
    if len(parts) == 1 and parts[0].startswith("@"):
        return text
    if len(parts) == 6:
        parts = parts[1:] + parts[:1]
    dow_index = 4
    if len(parts) > dow_index:
        items = [re.sub(r"^([0-9]+|[A-Za-z]{3})[Ll]$", r"L\1", item) for item in parts[dow_index].split(",")]
        parts[dow_index] = ",".join(items)
    return " ".join(parts)


def croniter_answer(text: str, zone_name: str, from_ts: int, direction: str, horizon_days: int):
    """("ok", [instants]) or ("rejects", message)."""
    from croniter import croniter, CroniterBadDateError

    start = dt.datetime.fromtimestamp(from_ts, zone(zone_name))
    try:
        it = croniter(croniter_expr(text), start, ret_type=dt.datetime, day_or=True,
                      implement_cron_bug=True, max_years_between_matches=50)
    except Exception as e:  # noqa: BLE001 - any refusal counts
        return ("rejects", f"{type(e).__name__}")
    out = []
    limit = from_ts + (1 if direction == "next" else -1) * horizon_days * 86400
    for _ in range(COUNT):
        try:
            d = it.get_next() if direction == "next" else it.get_prev()
        except CroniterBadDateError:
            break
        except Exception as e:  # noqa: BLE001
            return ("rejects", f"{type(e).__name__} while iterating")
        ts = int(d.timestamp())
        if (ts > limit) if direction == "next" else (ts < limit):
            break
        out.append(ts)
    return ("ok", out)


# ---------------------------------------------------------------------------------------
# Zone transitions
# ---------------------------------------------------------------------------------------

def transitions(zone_name: str, lo_ts: int, hi_ts: int) -> list[tuple[int, int]]:
    """(instant of change, offset change in seconds) for every offset change in [lo, hi]."""
    z = zone(zone_name)

    def offset(ts: int) -> int:
        return int(dt.datetime.fromtimestamp(ts, z).utcoffset().total_seconds())

    out = []
    step = 6 * 3600  # no offset in these zones lasts less than 6 hours
    t = lo_ts - step
    while t < hi_ts + step:
        a, b = offset(t), offset(t + step)
        if a != b:
            lo, hi = t, t + step
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(mid) == a:
                    lo = mid
                else:
                    hi = mid
            if lo_ts - 86400 <= hi <= hi_ts + 86400:
                out.append((hi, b - a))
        t += step
    return out


def year_transitions(zone_name: str, year: int) -> list[tuple[int, int]]:
    lo = int(dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    hi = int(dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    return [t for t in transitions(zone_name, lo, hi) if lo <= t[0] < hi]


def dst_tags(rule: Rule, zone_name: str, lo_ts: int, hi_ts: int) -> list[str]:
    """Which DST situations the rule meets between lo and hi (a transition with a matching
    wall time in its gap or overlap)."""
    tags = []
    for t, delta in transitions(zone_name, lo_ts, hi_ts):
        if not lo_ts <= t <= hi_ts:
            continue
        before = local(t - 1, zone_name)
        window = abs(delta)
        # gap: wall times before+1s .. before+delta are skipped; overlap: after .. before repeat
        start = before + dt.timedelta(seconds=1) if delta > 0 else local(t, zone_name)
        hit = any(rule.matches(start + dt.timedelta(seconds=i)) for i in range(window))
        if hit:
            kind = "dst-gap" if delta > 0 else "dst-overlap"
            tags.append(f"{kind} {'fixed' if rule.fixed_time else 'wildcard'}")
    return sorted(set(tags))


# ---------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------

class Case:
    def __init__(self, rule: str, zone_name: str, from_ts: int, direction: str, tags: list[str]):
        self.rule = rule
        self.zone = zone_name
        self.from_ts = from_ts
        self.direction = direction
        self.tags = list(tags)

    @property
    def key(self):
        return (self.rule, self.zone, self.from_ts, self.direction)


CASES: list[Case] = []


def add(rule: str, from_text: str, direction: str = "next", zone_name: str = "UTC", tags: str = ""):
    CASES.append(Case(rule, zone_name, parse_from(from_text, zone_name), direction,
                      [t for t in tags.split(";") if t]))


def add_ts(rule: str, zone_name: str, from_ts: int, direction: str, tags: str = ""):
    CASES.append(Case(rule, zone_name, from_ts, direction, [t for t in tags.split(";") if t]))


def syntax_cases() -> None:
    # every second / minute / hour, year rollover
    add("* * * * * *", "2024-12-31T23:59:58", tags="every second;year rollover")
    add("* * * * * *", "2025-01-01T00:00:02", "prev", tags="every second;year rollover")
    add("* * * * *", "2024-12-31T23:58:30", tags="5-field;every minute;year rollover")
    add("* * * * *", "2025-01-01T00:01:00", "prev", tags="5-field;every minute;year rollover")
    add("0 * * * *", "2024-02-29T21:10:00", tags="5-field;leap day;month rollover")
    add("30 15 10 * * *", "2024-05-20T10:15:30", tags="exact instant excluded")
    add("30 15 10 * * *", "2024-05-20T10:15:30", "prev", tags="exact instant excluded")
    add("0 0 * * * *", "2024-07-04T23:30:00", tags="hourly")
    # lists
    add("0,15,30,45 * * * * *", "2024-01-15T10:20:50", tags="list")
    add("0 5,10,55 * * * *", "2024-01-15T10:56:00", tags="list")
    add("0 5,10,55 * * * *", "2024-01-15T10:06:00", "prev", tags="list")
    add("0 0 1,13,23 * * *", "2024-01-15T10:20:30", tags="list")
    add("0 0 0 1,15 * *", "2024-01-15T10:20:30", tags="list")
    add("0 0 0 1 1,6 *", "2024-01-15T10:20:30", tags="list")
    add("0 0 12 * * 1,3,5", "2024-01-15T10:20:30", tags="list")
    add("0 0 12 * * 1,3,5", "2024-01-15T10:20:30", "prev", tags="list")
    add("0 0,12 1 */2 *", "2024-11-01T06:00:00", tags="5-field;list;step;year rollover")
    # ranges
    add("0 10-12 * * * *", "2024-03-05T08:11:00", tags="range")
    add("0 0 9-17 * * *", "2024-03-05T16:30:00", tags="range")
    add("0 0 0 10-12 * *", "2024-03-11T00:00:00", tags="range")
    add("0 0 0 1 6-8 *", "2024-03-11T00:00:00", tags="range")
    add("0 0 8 * * 1-5", "2024-03-08T09:00:00", tags="range;day-of-week")
    add("0 0 8 * * 1-5", "2024-03-11T07:00:00", "prev", tags="range;day-of-week")
    add("0 0 8 * * 5-7", "2024-03-06T09:00:00", tags="range;dow 7")
    add("23 0-20/2 * * *", "2024-03-06T19:00:00", tags="5-field;range step")
    # a-a is a single value
    add("0 30-30 9 * * *", "2024-03-06T09:00:00", tags="a-a")
    add("0 0 9-9 * * *", "2024-03-06T09:00:00", tags="a-a")
    add("0 0 0 15-15 * *", "2024-03-06T09:00:00", tags="a-a")
    add("0 0 0 15-15 * *", "2024-03-06T09:00:00", "prev", tags="a-a")
    add("0 0 0 * * 3-3", "2024-03-06T09:00:00", tags="a-a")
    add("0 0 0 1 6-6 *", "2024-03-06T09:00:00", tags="a-a")
    # */n
    add("*/15 * * * * *", "2024-06-30T23:59:20", tags="step;month rollover")
    add("*/7 * * * * *", "2024-06-30T10:00:50", tags="step")
    add("0 */20 * * * *", "2024-06-30T10:41:00", tags="step")
    add("0 */7 * * * *", "2024-06-30T10:50:00", tags="step")
    add("0 0 */6 * * *", "2024-06-30T10:50:00", tags="step")
    add("0 0 */6 * * *", "2024-07-01T05:00:00", "prev", tags="step")
    add("0 0 0 */10 * *", "2024-01-29T10:50:00", tags="step;dom/dow and quirk")
    add("0 0 0 1 */4 *", "2024-06-30T10:50:00", tags="step")
    add("0 0 0 * * */2", "2024-06-30T10:50:00", tags="step")
    add("*/60 * * * * *", "2024-06-30T10:50:10", tags="step equals field size")
    add("0 0 */24 * * *", "2024-06-30T10:50:10", tags="step equals field size")
    add("0 0 0 */31 * *", "2024-06-30T10:50:10", tags="step equals field size")
    add("0 0 0 1 */12 *", "2024-06-30T10:50:10", tags="step equals field size")
    add("*/5 * * * *", "2024-06-30T23:57:00", tags="5-field;step")
    # a-b/n
    add("0 0-30/10 * * * *", "2024-08-01T10:31:00", tags="range step")
    add("0 0 8-18/2 * * *", "2024-08-01T17:00:00", tags="range step")
    add("10-50/20 * * * * *", "2024-08-01T17:00:55", tags="range step")
    add("0 0 0 1-15/7 * *", "2024-08-01T17:00:55", tags="range step;dom/dow and quirk")
    add("0 0 0 1 1-12/3 *", "2024-08-01T17:00:55", tags="range step")
    add("0 0 9 * * 1-5/2", "2024-08-01T17:00:55", tags="range step")
    add("0 0 0 1 JAN-DEC/3 *", "2024-08-01T17:00:55", tags="range step;names")
    add("0 10-20/30 * * * *", "2024-08-01T17:00:55", tags="range step larger than range")
    # a/n
    add("5/15 * * * * *", "2024-09-09T09:09:59", tags="a/n")
    add("0 3/20 * * * *", "2024-09-09T09:44:00", tags="a/n")
    add("0 0 1/5 * * *", "2024-09-09T21:00:00", tags="a/n")
    add("0 0 0 2/10 * *", "2024-09-09T21:00:00", tags="a/n")
    add("0 0 0 1 2/3 *", "2024-09-09T21:00:00", tags="a/n")
    add("0 0 0 * * 1/2", "2024-09-09T21:00:00", tags="a/n;a/n in dow reaches 7 = Sunday")
    add("0 0 0 * * 1/2", "2024-09-09T21:00:00", "prev", tags="a/n;a/n in dow reaches 7 = Sunday")
    add("0 0 1/10 * *", "2024-09-09T21:00:00", tags="5-field;a/n")
    add("0 58/1 23 * * *", "2024-09-09T21:00:00", tags="a/n")
    # names
    add("0 0 0 1 JAN *", "2024-09-09T21:00:00", tags="names")
    add("0 0 0 1 jan,Jul *", "2024-09-09T21:00:00", tags="names;case-insensitive")
    add("0 0 9 * * MON-FRI", "2024-09-13T21:00:00", tags="names")
    add("0 0 9 * * mon,wed,FRI", "2024-09-13T21:00:00", tags="names;case-insensitive")
    add("0 0 0 1 JAN-MAR *", "2024-09-13T21:00:00", tags="names")
    add("0 0 0 * * SAT,SUN", "2024-09-13T21:00:00", tags="names")
    add("0 0 12 * * Sun", "2024-09-13T21:00:00", tags="names;case-insensitive")
    add("0 0 12 * * Sun", "2024-09-13T21:00:00", "prev", tags="names;case-insensitive")
    add("5 4 * * sun", "2024-09-13T21:00:00", tags="5-field;names")
    add("0 0 12 * Feb-Apr Tue-Thu", "2024-09-13T21:00:00", tags="names;dom/dow and")
    # ?
    add("0 0 12 ? * MON", "2024-10-01T00:00:00", tags="?")
    add("0 0 12 15 * ?", "2024-10-01T00:00:00", tags="?")
    add("0 0 12 ? * ?", "2024-10-01T00:00:00", tags="?")
    add("0 12 ? * 5", "2024-10-01T00:00:00", tags="5-field;?")
    add("0 0 0 ? * 5", "2024-10-01T00:00:00", "prev", tags="?;dom/dow and")
    # L in day-of-month
    add("0 0 0 L * *", "2024-01-15T00:00:00", tags="L")
    add("0 0 0 L * *", "2024-01-15T00:00:00", "prev", tags="L")
    add("0 0 23 L 2 *", "2023-01-01T00:00:00", tags="L;leap year")
    add("0 59 23 L * *", "2024-12-31T23:59:00", tags="L;year rollover")
    add("0 0 0 L * MON", "2024-09-20T00:00:00", tags="L;dom/dow or")
    add("0 0 L * *", "2025-01-31T00:00:00", tags="5-field;L")
    # nL / Ln in day-of-week
    add("0 0 18 * * 5L", "2024-01-01T00:00:00", tags="5L")
    add("0 0 18 * * L5", "2024-01-01T00:00:00", tags="L5")
    add("0 0 18 * * 5L", "2024-06-01T00:00:00", "prev", tags="5L")
    add("0 0 0 * * 0L", "2024-01-01T00:00:00", tags="5L")
    add("0 0 0 * * 7L", "2024-01-01T00:00:00", tags="5L;dow 7")
    add("0 0 0 * * L7", "2024-01-01T00:00:00", tags="L5;dow 7")
    add("0 0 0 * * 1L", "2024-12-20T00:00:00", tags="5L;year rollover")
    add("0 0 12 1 * 5L", "2024-01-01T00:00:00", tags="5L;dom/dow or")
    add("0 0 12 * 2 L4", "2024-01-01T00:00:00", tags="L5")
    add("0 0 * * 5L", "2024-01-01T00:00:00", tags="5-field;5L")
    # n#k
    add("0 0 10 * * 1#1", "2024-01-01T12:00:00", tags="n#k")
    add("0 0 10 * * 5#2", "2024-01-01T12:00:00", tags="n#k")
    add("0 0 10 * * 0#5", "2024-01-01T12:00:00", tags="n#k;fifth week")
    add("0 0 10 * * 5#5", "2024-01-01T12:00:00", tags="n#k;fifth week")
    add("0 0 10 * * 7#1", "2024-01-01T12:00:00", tags="n#k;dow 7")
    add("0 0 10 * * 2#3", "2024-01-01T12:00:00", "prev", tags="n#k")
    add("0 0 10 * 11 4#4", "2024-01-01T12:00:00", tags="n#k")
    add("0 0 10 13 * 5#2", "2024-01-01T12:00:00", tags="n#k;dom/dow or")
    add("0 10 * * 3#2", "2024-01-01T12:00:00", tags="5-field;n#k")
    # nW
    add("0 0 9 1W * *", "2024-05-31T00:00:00", tags="nW;1W on Saturday")
    add("0 0 9 1W * *", "2025-02-15T00:00:00", tags="nW;1W on Saturday")
    add("0 0 9 15W * *", "2024-05-31T00:00:00", tags="nW")
    add("0 0 9 15W * *", "2024-09-30T00:00:00", "prev", tags="nW")
    add("0 0 9 31W * *", "2024-03-01T00:00:00", tags="nW;31W on Sunday;31st in short months")
    add("0 0 9 30W * *", "2025-01-25T00:00:00", tags="nW;31st in short months")
    add("0 0 9 28W 2 *", "2026-03-01T00:00:00", tags="nW")
    add("0 0 9 1W * MON", "2024-05-31T00:00:00", tags="nW;dom/dow or")
    add("0 9 5W * *", "2024-10-01T00:00:00", tags="5-field;nW")
    # macros
    for macro in ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"):
        add(macro, "2024-02-28T23:30:00", tags="macro")
        add(macro, "2024-03-01T00:00:00", "prev", tags="macro")
    # dow 7 / 0
    add("0 0 0 * * 7", "2024-03-01T00:00:00", tags="dow 7")
    add("0 0 0 * * 0,7", "2024-03-01T00:00:00", tags="dow 7")
    add("0 0 0 * * 6-7", "2024-03-01T00:00:00", tags="dow 7")
    add("0 0 * * 7", "2024-03-03T00:00:00", "prev", tags="5-field;dow 7")
    # dom/dow OR and the AND quirk
    add("0 0 0 13 * 5", "2024-09-01T00:00:00", tags="dom/dow or")
    add("0 0 0 13 * 5", "2024-09-01T00:00:00", "prev", tags="dom/dow or")
    add("0 0 0 1,15 * MON", "2024-09-01T00:00:00", tags="dom/dow or")
    add("0 0 12 31 2 MON", "2025-01-01T00:00:00", tags="dom/dow or;dom never matches")
    add("0 0 0 L 2 SUN", "2024-01-01T00:00:00", tags="dom/dow or")
    add("0 0 0 */2 * 1", "2024-01-01T00:00:00", tags="dom/dow and quirk")
    add("0 0 0 1-31/2 * 1", "2024-01-01T00:00:00", tags="dom/dow or")
    add("0 0 0 13 * */1", "2024-01-01T00:00:00", tags="dom/dow and quirk")
    add("0 0 0 13 * */5", "2024-01-01T00:00:00", tags="dom/dow and quirk")
    add("0 0 0 13 * */5", "2024-12-01T00:00:00", "prev", tags="dom/dow and quirk")
    add("0 0 0 1 * 1-7", "2024-01-01T00:00:00", tags="dom/dow or")
    add("0 0 */2 * 1", "2024-01-01T00:00:00", tags="5-field;dom/dow and quirk")
    add("0 0 13 * 5", "2024-01-01T00:00:00", tags="5-field;dom/dow or")
    # leap years
    add("0 0 0 29 2 *", "2025-03-01T00:00:00", tags="leap year")
    add("0 0 0 29 2 *", "2023-01-01T00:00:00", tags="leap year")
    add("0 0 0 29 2 *", "2025-06-01T00:00:00", "prev", tags="leap year")
    add("0 0 0 29 2 *", "2095-01-01T00:00:00", tags="leap year;2100 is not leap")
    add("0 0 0 29 2 *", "2105-01-01T00:00:00", "prev", tags="leap year;2100 is not leap")
    add("0 0 0 29 2 *", "1999-01-01T00:00:00", tags="leap year;2000 is leap")
    add("0 12 29 2 *", "2021-07-01T00:00:00", tags="5-field;leap year")
    add("0 0 0 29 2 */6", "2024-03-01T00:00:00", tags="leap year;dom/dow and quirk;fewer than 5")
    add("0 0 0 29 2 */6", "2024-03-01T00:00:00", "prev", tags="leap year;dom/dow and quirk;fewer than 5")
    add("0 0 0 29 2 MON", "2023-01-01T00:00:00", tags="leap year;dom/dow or")
    add("0 0 0 L 2 *", "2023-01-01T00:00:00", tags="L;leap year")
    add("0 0 0 28-29 2 *", "2023-02-27T00:00:00", tags="leap year")
    add("* * * 29 2 *", "2027-06-01T00:00:00", tags="leap year;every second")
    # the 31st and short months
    add("0 0 0 31 * *", "2024-01-31T00:00:01", tags="31st in short months")
    add("0 0 0 31 * *", "2024-12-31T00:00:00", "prev", tags="31st in short months")
    add("0 0 0 30 * *", "2024-01-30T00:00:01", tags="31st in short months")
    add("0 0 0 31 4,6,9,11,12 *", "2024-01-01T00:00:00", tags="31st in short months")
    add("0 0 0 31 2,4 MON", "2024-01-01T00:00:00", tags="31st in short months;dom/dow or")
    add("0 0 31 * *", "2023-02-01T00:00:00", tags="5-field;31st in short months")
    # rollovers
    add("59 59 23 31 12 *", "2024-12-31T23:59:58", tags="year rollover")
    add("0 0 0 1 1 *", "2024-12-31T23:59:59", tags="year rollover")
    add("0 0 0 1 1 *", "2025-01-01T00:00:00", "prev", tags="year rollover;exact instant excluded")
    add("0 0 0 1 * *", "2024-01-31T23:59:59", tags="month rollover")
    add("0 0 0 1 * *", "2024-03-01T00:00:00", "prev", tags="month rollover;leap year")
    add("0 0 0 * * *", "2024-02-28T12:00:00", tags="month rollover;leap year")
    add("0 0 0 * * *", "2023-02-28T12:00:00", tags="month rollover")
    add("59 59 23 * * *", "2024-03-01T00:00:00", "prev", tags="month rollover;leap year")
    # other zones away from transitions
    add("0 30 9 * * MON-FRI", "2024-06-14T08:00:00", zone_name="Asia/Shanghai", tags="names")
    add("0 0 0 L * *", "2024-01-15T00:00:00", zone_name="Asia/Shanghai", tags="L")
    add("0 0 12 * * 5#3", "2024-01-15T00:00:00", zone_name="Asia/Shanghai", tags="n#k")
    add("@monthly", "2024-12-15T00:00:00", "prev", zone_name="Asia/Shanghai", tags="macro")
    add("*/30 * * * * *", "2024-12-31T23:59:15", zone_name="Asia/Shanghai", tags="year rollover")
    add("0 0 0 29 2 *", "2025-01-01T00:00:00", "prev", zone_name="Asia/Shanghai", tags="leap year")
    add("0 15 10 L * *", "2024-06-15T00:00:00", zone_name="Europe/London", tags="L")
    add("0 0 9 15W * *", "2024-06-01T00:00:00", zone_name="Europe/London", tags="nW")
    add("0 0 0 1 1 *", "2025-01-01T00:00:00", "prev", zone_name="Europe/London", tags="year rollover")
    add("@weekly", "2024-07-01T00:00:00", zone_name="Europe/London", tags="macro")
    add("0 0 8 * * 1-5", "2024-07-05T09:00:00", zone_name="America/New_York", tags="range")
    add("0 0 0 29 2 *", "2023-01-01T00:00:00", zone_name="America/New_York", tags="leap year")
    add("0 0 0 1 1 *", "2024-12-31T23:59:59", zone_name="America/New_York", tags="year rollover")
    add("0 0 0 31 * *", "2024-03-31T00:00:00", "prev", zone_name="America/New_York", tags="31st in short months")
    add("0 0 9 * * 5L", "2024-06-01T00:00:00", zone_name="Australia/Lord_Howe", tags="5L")
    add("0 0 0 L * *", "2024-06-01T00:00:00", zone_name="Australia/Lord_Howe", tags="L")
    add("0 0 0 1 1 *", "2025-01-01T00:00:00", "prev", zone_name="Australia/Lord_Howe", tags="year rollover")
    add("*/10 * * * * *", "2024-12-31T23:59:45", zone_name="Australia/Lord_Howe", tags="year rollover")


def dst_cases() -> None:
    """Batteries around every 2024 transition, smaller ones for 2025 and other years."""

    def T_of(zone_name: str, date: str) -> tuple[int, int]:
        year = int(date[:4])
        for t, delta in year_transitions(zone_name, year):
            if local(t, zone_name).date().isoformat() == date:
                return t, delta
        raise AssertionError(f"no transition in {zone_name} on {date}")

    def hm(civil: dt.datetime) -> tuple[int, int]:
        return civil.hour, civil.minute

    def gap_battery(zone_name: str, date: str, full: bool) -> None:
        T, delta = T_of(zone_name, date)
        assert delta > 0
        g0 = local(T - 1, zone_name) + dt.timedelta(seconds=1)  # first skipped wall time
        after = local(T, zone_name)  # first wall time after the gap
        mid = g0 + dt.timedelta(seconds=delta // 2)
        gh, gm = hm(g0)
        ah, am = hm(after)
        mh, mm = hm(mid)
        ch = (gh - 1) % 24
        d = local(T, zone_name).date()
        both = f"0 {gm},{am} {gh} * * *" if gh == ah else f"0 {gm} {gh},{ah} * * *"
        fixed = [
            (f"0 {mm} {mh} * * *", "gap middle"),
            (f"0 {gm} {gh} * * *", "gap start"),
            (f"0 {gm}/15 {gh} * * *", "several matches in gap;a/n"),
            (f"* {mm} {mh} * * *", "seconds in gap"),
            (f"15,45 {mm} {mh} * * *", "seconds in gap;list"),
            (both, "gap and first time after gap"),
            (f"{mm} {mh} * * *", "5-field"),
            (f"0 {mm} {mh} * * SUN", "names"),
            (f"0 {mm} {mh} {d.day} {d.month} *", "date-specific"),
            (f"0 {mm} {ch} * * *", "control: hour before gap"),
            ("@daily", "macro"),
        ]
        wild = [
            (f"0 {mm} * * * *", ""),
            (f"0 * {gh} * * *", ""),
            (f"0 */15 {gh} * * *", "step"),
            ("0 */15 * * * *", "step"),
            ("*/20 * * * * *", "seconds in gap"),
            ("@hourly", "macro"),
            (f"30 {mm} * * * *", "seconds in gap"),
            (f"*/30 * {gh} * * *", "seconds in gap"),
        ]
        base_tag = "transition " + zone_name + " " + date
        if full:
            next_froms = [T - 30, T + 1]
            extra_next = [T - 86400, T, T + 900, T - 3600]
            prev_froms = [T + 1200]
            extra_prev = [T + 1, T, T + 86400, T - 1]
        else:
            next_froms = [T - 30]
            extra_next = [T + 1, T - 3600]
            prev_froms = [T + 600]
            extra_prev = [T + 86400]
        rules = fixed + wild if full else [fixed[0], fixed[3], fixed[5], wild[0], wild[4], wild[5]]
        for i, (rule, tags) in enumerate(rules):
            tagged = ";".join(t for t in (tags,) if t)
            for f in next_froms + [extra_next[i % len(extra_next)]]:
                add_ts(rule, zone_name, f, "next", tagged)
            for f in prev_froms + [extra_prev[i % len(extra_prev)]]:
                add_ts(rule, zone_name, f, "prev", tagged)
        del base_tag

    def overlap_battery(zone_name: str, date: str, full: bool) -> None:
        T, delta = T_of(zone_name, date)
        assert delta < 0
        span = -delta
        o0 = local(T, zone_name)  # first repeated wall time
        F = T - span  # first pass of the repeated hour starts here
        assert local(F, zone_name) == o0
        mid = o0 + dt.timedelta(seconds=span // 2)
        end = o0 + dt.timedelta(seconds=span)  # first wall time after the overlap
        oh, om = hm(o0)
        mh, mm = hm(mid)
        eh, em = hm(end)
        fixed = [
            (f"0 {mm} {mh} * * *", "overlap middle"),
            (f"0 {om} {oh} * * *", "overlap start"),
            (f"*/20 {mm} {mh} * * *", "seconds in overlap"),
            (f"0 {om}/20 {oh} * * *", "several matches in overlap;a/n"),
            (f"{mm} {mh} * * *", "5-field"),
            (f"0 {em} {eh} * * *", "control: first time after overlap"),
            (f"0 {mm} {mh} * * SUN", "names"),
            ("@daily", "macro"),
        ]
        wild = [
            (f"0 {mm} * * * *", ""),
            (f"0 */20 {oh} * * *", "step"),
            (f"0 * {oh} * * *", ""),
            ("@hourly", "macro"),
            ("30 */15 * * * *", "seconds in overlap"),
            (f"*/30 * {oh} * * *", "seconds in overlap"),
            (f"{mm} * * * *", "5-field"),
        ]
        if full:
            next_froms = [F - 30, T + 600]
            extra_next = [F + 1200, T - 1, T, T + span + 30]
            prev_froms = [T + span + 30]
            extra_prev = [T + 600, F + 1200, T, T + 1]
        else:
            next_froms = [F - 30]
            extra_next = [T + 600, T - 1]
            prev_froms = [T + span + 30]
            extra_prev = [T + 600]
        rules = fixed + wild if full else [fixed[0], fixed[2], fixed[1], wild[0], wild[3], wild[4]]
        for i, (rule, tags) in enumerate(rules):
            for f in next_froms + [extra_next[i % len(extra_next)]]:
                add_ts(rule, zone_name, f, "next", tags)
            for f in prev_froms + [extra_prev[i % len(extra_prev)]]:
                add_ts(rule, zone_name, f, "prev", tags)

    gap_battery("America/New_York", "2024-03-10", True)
    overlap_battery("America/New_York", "2024-11-03", True)
    gap_battery("Europe/London", "2024-03-31", True)
    overlap_battery("Europe/London", "2024-10-27", True)
    gap_battery("Australia/Lord_Howe", "2024-10-06", True)
    overlap_battery("Australia/Lord_Howe", "2024-04-07", True)
    gap_battery("America/New_York", "2025-03-09", False)
    overlap_battery("America/New_York", "2025-11-02", False)
    gap_battery("Europe/London", "2025-03-30", False)
    overlap_battery("Europe/London", "2025-10-26", False)
    gap_battery("Australia/Lord_Howe", "2025-10-05", False)
    overlap_battery("Australia/Lord_Howe", "2025-04-06", False)
    # Asia/Shanghai observed DST 1986-1991
    gap_battery("Asia/Shanghai", "1991-04-14", False)
    overlap_battery("Asia/Shanghai", "1991-09-15", False)

    # other years, by hand
    ny = "America/New_York"
    add("0 30 2 * * *", "2007-03-10T12:00:00", zone_name=ny, tags="first year of the 2007 US rules")
    add("0 30 * * * *", "2007-03-11T01:00:00", zone_name=ny, tags="first year of the 2007 US rules")
    add("0 30 2 * * *", "2006-04-01T12:00:00", zone_name=ny, tags="old US rules")
    add("0 30 1 * * *", "2006-10-29T00:00:00", zone_name=ny, tags="old US rules")
    add("0 30 1 * * *", "2006-10-30T00:00:00", "prev", zone_name=ny, tags="old US rules")
    add("0 0 2 * * *", "2040-03-11T00:00:00", zone_name=ny, tags="far future")
    add("0 30 1 * * *", "2040-11-04T00:00:00", zone_name=ny, tags="far future")
    add("0 */30 1 * * *", "2040-11-04T00:00:00", zone_name=ny, tags="far future")
    ldn = "Europe/London"
    add("0 30 2 * * *", "1972-10-29T00:00:00", zone_name=ldn, tags="overlap at 02:00 in 1972")
    add("0 30 * * * *", "1972-10-29T01:00:00", zone_name=ldn, tags="overlap at 02:00 in 1972")
    add("0 30 2 * * *", "1972-03-19T00:00:00", zone_name=ldn, tags="gap at 02:00 in 1972")
    add("0 0 1 * * *", "2030-03-31T00:00:00", zone_name=ldn, tags="far future")
    lh = "Australia/Lord_Howe"
    add("0 15 2 * * *", "2010-10-03T00:00:00", zone_name=lh)
    add("0 45 1 * * *", "2010-04-04T00:00:00", zone_name=lh)
    add("0 */15 1 * * *", "2010-04-04T01:00:00", zone_name=lh)
    add("0 15 2 * * *", "2030-10-06T00:00:00", zone_name=lh, tags="far future")
    add("0 30 1 * * *", "1985-03-03T00:00:00", zone_name=lh, tags="one-hour shift in 1985")
    sh = "Asia/Shanghai"
    add("0 30 2 * * *", "1986-05-03T12:00:00", zone_name=sh, tags="first DST year")
    add("0 30 1 * * *", "1986-09-14T00:00:00", zone_name=sh, tags="first DST year")
    add("0 30 * * * *", "1986-09-14T00:40:00", zone_name=sh, tags="first DST year")
    # Shanghai today: no DST, nothing special on the dates other zones change
    for rule in ("0 30 2 * * *", "0 30 1 * * *", "@hourly", "0 30 * * * *", "*/20 * 2 * * *"):
        add(rule, "2024-03-10T01:59:30", zone_name=sh, tags="no DST")
        add(rule, "2024-11-03T02:00:10", "prev", zone_name=sh, tags="no DST")
    # UTC: same rules, nothing happens
    for rule in ("0 30 2 * * *", "0 30 1 * * *", "0 30 * * * *", "@hourly"):
        add(rule, "2024-03-31T00:59:30", tags="no DST")
        add(rule, "2024-10-27T02:00:10", "prev", tags="no DST")


# -- random cases --------------------------------------------------------------------------

RANDOM_ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Shanghai"]


def random_field(rng: random.Random, name: str) -> str:
    lo, hi = BOUNDS[name]
    if name == "day-of-week":
        hi_plain = 6
    else:
        hi_plain = hi

    def val() -> str:
        v = rng.randint(lo, hi_plain)
        if name == "month" and rng.random() < 0.3:
            return list(MONTH_NAMES)[v - 1].capitalize() if rng.random() < 0.5 else list(MONTH_NAMES)[v - 1]
        if name == "day-of-week" and rng.random() < 0.3:
            return list(DOW_NAMES)[v]
        return str(v)

    def num(v: int) -> int:
        return v

    kinds = ["*", "n", "list", "range", "*/n", "a-b/n", "a/n"]
    weights = {
        "second": [3, 6, 1, 1, 1, 1, 1],
        "minute": [2, 5, 2, 1, 2, 1, 1],
        "hour": [3, 4, 2, 2, 2, 1, 1],
        "day-of-month": [8, 1, 1, 1, 1, 1, 1],
        "month": [10, 1, 1, 1, 1, 1, 1],
        "day-of-week": [10, 1, 1, 1, 1, 1, 1],
    }[name]
    extra = []
    if name == "day-of-month":
        extra = ["?", "L", "nW"]
    if name == "day-of-week":
        extra = ["?", "nL", "Ln", "n#k"]
    kind = rng.choices(kinds + extra, weights + [1] * len(extra))[0]
    if kind == "*" or kind == "?":
        return kind
    if kind == "n":
        return val()
    if kind == "list":
        vs = sorted(set(rng.randint(lo, hi_plain) for _ in range(rng.randint(2, 3))))
        return ",".join(str(num(v)) for v in vs)
    if kind in ("range", "a-b/n"):
        a = rng.randint(lo, hi_plain)
        b = rng.randint(a, hi_plain)
        text = f"{a}-{b}"
        if kind == "a-b/n":
            text += f"/{rng.randint(1, max(1, (hi - lo + 1) // 3))}"
        return text
    if kind == "*/n":
        return f"*/{rng.randint(1, max(1, (hi - lo + 1) // 2))}"
    if kind == "a/n":
        return f"{rng.randint(lo, hi_plain)}/{rng.randint(1, max(1, (hi - lo + 1) // 2))}"
    if kind == "L":
        return "L"
    if kind == "nW":
        return f"{rng.randint(1, 31)}W"
    if kind == "nL":
        return f"{rng.randint(0, 7)}L"
    if kind == "Ln":
        return f"L{rng.randint(0, 7)}"
    if kind == "n#k":
        return f"{rng.randint(0, 7)}#{rng.randint(1, 5)}"
    raise AssertionError(kind)


def random_cases(n: int) -> None:
    rng = random.Random(20240310)
    lo = int(dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    hi = int(dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    made = 0
    while made < n:
        if rng.random() < 0.05:
            text = rng.choice(sorted(MACROS))
        else:
            names = FIELDS if rng.random() < 0.5 else FIELDS[1:]
            text = " ".join(random_field(rng, name) for name in names)
        try:
            parse_rule(text)
        except RuleError:
            continue
        zone_name = rng.choice(RANDOM_ZONES)
        trans = transitions(zone_name, lo, hi)
        if trans and rng.random() < 0.4:
            t, _ = rng.choice(trans)
            from_ts = t + rng.randint(-3 * 3600, 3 * 3600)
        else:
            from_ts = rng.randint(lo, hi)
        direction = "prev" if rng.random() < 0.35 else "next"
        add_ts(text, zone_name, from_ts, direction, "random")
        made += 1


# -- hand-computed sanity checks -------------------------------------------------------------

HAND_CHECKS = [
    # (rule, zone, from, direction, first expected occurrences)
    ("0 30 2 * * *", "America/New_York", "2024-03-10T00:00:00-05:00", "next",
     ["2024-03-10T03:00:00-04:00", "2024-03-11T02:30:00-04:00"]),
    ("0 30 1 * * *", "America/New_York", "2024-11-03T00:00:00-04:00", "next",
     ["2024-11-03T01:30:00-04:00", "2024-11-04T01:30:00-05:00"]),
    ("0 30 * * * *", "America/New_York", "2024-11-03T01:00:00-04:00", "next",
     ["2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00", "2024-11-03T02:30:00-05:00"]),
    ("0 0 2,3 * * *", "America/New_York", "2024-03-10T01:00:00-05:00", "next",
     ["2024-03-10T03:00:00-04:00", "2024-03-11T02:00:00-04:00", "2024-03-11T03:00:00-04:00"]),
    ("* 30 2 * * *", "America/New_York", "2024-03-10T00:00:00-05:00", "next",
     ["2024-03-10T03:00:00-04:00", "2024-03-11T02:30:00-04:00", "2024-03-11T02:30:01-04:00"]),
    ("0 30 1 * * *", "Europe/London", "2024-03-31T00:00:00+00:00", "next",
     ["2024-03-31T02:00:00+01:00", "2024-04-01T01:30:00+01:00"]),
    ("0 15 2 * * *", "Australia/Lord_Howe", "2024-10-06T00:00:00+10:30", "next",
     ["2024-10-06T02:30:00+11:00", "2024-10-07T02:15:00+11:00"]),
    ("0 */15 1 * * *", "Australia/Lord_Howe", "2024-04-07T01:40:00+11:00", "next",
     ["2024-04-07T01:45:00+11:00", "2024-04-07T01:30:00+10:30", "2024-04-07T01:45:00+10:30",
      "2024-04-08T01:00:00+10:30"]),
    ("0 0 0 29 2 *", "UTC", "2095-01-01T00:00:00+00:00", "next",
     ["2096-02-29T00:00:00+00:00", "2104-02-29T00:00:00+00:00"]),
    ("0 0 9 1W * *", "UTC", "2024-05-31T00:00:00+00:00", "next", ["2024-06-03T09:00:00+00:00"]),
    ("0 0 9 31W * *", "UTC", "2024-03-01T00:00:00+00:00", "next",
     ["2024-03-29T09:00:00+00:00", "2024-05-31T09:00:00+00:00"]),
    ("0 0 0 */2 * 1", "UTC", "2024-01-01T00:00:00+00:00", "next",
     ["2024-01-15T00:00:00+00:00", "2024-01-29T00:00:00+00:00", "2024-02-05T00:00:00+00:00",
      "2024-02-19T00:00:00+00:00", "2024-03-11T00:00:00+00:00"]),
    ("0 0 0 * * 1/2", "UTC", "2024-09-09T21:00:00+00:00", "next",
     ["2024-09-11T00:00:00+00:00", "2024-09-13T00:00:00+00:00", "2024-09-15T00:00:00+00:00"]),
]


def hand_check() -> None:
    for rule, zone_name, from_text, direction, want in HAND_CHECKS:
        got = brute_force(parse_rule(rule), zone_name, parse_from(from_text, zone_name), direction)
        got_iso = [iso(ts, zone_name) for ts, _ in got][: len(want)]
        assert got_iso == want, (rule, zone_name, from_text, got_iso, want)


# -- invalid rules ---------------------------------------------------------------------------

INVALID = [
    # whole-rule errors
    ("", "", ""),
    ("* * * *", "", ""),
    ("*", "", ""),
    ("* * * * * * *", "", ""),
    ("0 0 0 1 1 * 2024", "", ""),
    ("@reboot", "", "@reboot"),
    ("@every", "", "@every"),
    ("@fortnightly", "", "@fortnightly"),
    ("@", "", "@"),
    ("0 0 30 2 *", "", ""),
    ("0 0 31 4,6,9,11 *", "", ""),
    ("0 0 0 30 2 *", "", ""),
    ("0 0 0 31 2 ?", "", ""),
    ("0 0 31 2 */2", "", ""),
    ("0 0 30-31 2 *", "", ""),
    ("0 0 0 31 4 *", "", ""),
    ("0 0 31 11 ?", "", ""),
    # second
    ("60 * * * * *", "second", "60"),
    ("*/0 * * * * *", "second", "*/0"),
    ("*/61 * * * * *", "second", "*/61"),
    ("5-70 * * * * *", "second", "5-70"),
    ("55-5 * * * * *", "second", "55-5"),
    ("? * * * * *", "second", "?"),
    ("L * * * * *", "second", "L"),
    ("1,2,60 * * * * *", "second", "60"),
    ("10/61 * * * * *", "second", "10/61"),
    ("0-59/0 * * * * *", "second", "0-59/0"),
    ("-1 * * * * *", "second", "-1"),
    ("a * * * * *", "second", "a"),
    ("1-10/61 * * * * *", "second", "1-10/61"),
    # minute
    ("0 60 * * * *", "minute", "60"),
    ("0 */61 * * * *", "minute", "*/61"),
    ("0 30-10 * * * *", "minute", "30-10"),
    ("0 0/0 * * * *", "minute", "0/0"),
    ("0 1- * * * *", "minute", "1-"),
    ("0 -5 * * * *", "minute", "-5"),
    ("61 * * * *", "minute", "61"),
    ("*/0 * * * *", "minute", "*/0"),
    ("0 1-2-3 * * * *", "minute", "1-2-3"),
    ("0 */ * * * *", "minute", "*/"),
    ("0 /5 * * * *", "minute", "/5"),
    ("0 5/ * * * *", "minute", "5/"),
    ("0 1.5 * * * *", "minute", "1.5"),
    ("0 ** * * * *", "minute", "**"),
    ("0 5,70 * * * *", "minute", "70"),
    ("0 */5/2 * * * *", "minute", "*/5/2"),
    # hour
    ("0 0 24 * * *", "hour", "24"),
    ("0 0 */25 * * *", "hour", "*/25"),
    ("0 0 23-1 * * *", "hour", "23-1"),
    ("0 0 JAN * * *", "hour", "JAN"),
    ("0 0 L * * *", "hour", "L"),
    ("0 24 * * *", "hour", "24"),
    ("0 0 ? * * *", "hour", "?"),
    ("0 0 1,2,X * * *", "hour", "X"),
    # day-of-month
    ("0 0 0 0 * *", "day-of-month", "0"),
    ("0 0 0 32 * *", "day-of-month", "32"),
    ("0 0 0 */32 * *", "day-of-month", "*/32"),
    ("0 0 0 31-1 * *", "day-of-month", "31-1"),
    ("0 0 0 32W * *", "day-of-month", "32W"),
    ("0 0 0 0W * *", "day-of-month", "0W"),
    ("0 0 0 W * *", "day-of-month", "W"),
    ("0 0 0 1-5W * *", "day-of-month", "1-5W"),
    ("0 0 0 5L * *", "day-of-month", "5L"),
    ("0 0 0 1#2 * *", "day-of-month", "1#2"),
    ("0 0 0 MON * *", "day-of-month", "MON"),
    ("0 0 L/2 * *", "day-of-month", "L/2"),
    ("0 0 0 0-5 * *", "day-of-month", "0-5"),
    # month
    ("0 0 0 1 0 *", "month", "0"),
    ("0 0 0 1 13 *", "month", "13"),
    ("0 0 0 1 */13 *", "month", "*/13"),
    ("0 0 0 1 DEC-JAN *", "month", "DEC-JAN"),
    ("0 0 0 1 JANUARY *", "month", "JANUARY"),
    ("0 0 0 1 MON *", "month", "MON"),
    ("0 0 0 1 ? *", "month", "?"),
    ("0 0 0 1 L *", "month", "L"),
    ("0 0 1 FOO *", "month", "FOO"),
    ("0 0 0 1 3-13 *", "month", "3-13"),
    # day-of-week
    ("0 0 0 * * 8", "day-of-week", "8"),
    ("0 0 0 * * */9", "day-of-week", "*/9"),
    ("0 0 0 * * 5-1", "day-of-week", "5-1"),
    ("0 0 0 * * SAT-MON", "day-of-week", "SAT-MON"),
    ("0 0 0 * * JAN", "day-of-week", "JAN"),
    ("0 0 0 * * MONDAY", "day-of-week", "MONDAY"),
    ("0 0 0 * * 5#6", "day-of-week", "5#6"),
    ("0 0 0 * * 5#0", "day-of-week", "5#0"),
    ("0 0 0 * * 8#1", "day-of-week", "8#1"),
    ("0 0 0 * * 8L", "day-of-week", "8L"),
    ("0 0 0 * * L8", "day-of-week", "L8"),
    ("0 0 0 * * 1W", "day-of-week", "1W"),
    ("0 0 * * 9", "day-of-week", "9"),
    ("0 0 0 * * 1-8", "day-of-week", "1-8"),
    ("0 0 0 * * 5#", "day-of-week", "5#"),
    ("0 0 0 * * #2", "day-of-week", "#2"),
]


def check_invalid() -> list[tuple[str, str]]:
    """Assert our parser rejects every INVALID row as listed; return croniter's acceptances."""
    from croniter import croniter

    accepted = []
    for rule, field, token in INVALID:
        assert "\t" not in rule and token in rule
        try:
            parse_rule(rule)
        except RuleError as e:
            assert (e.field, e.token) == (field, token), (rule, e.field, e.token, field, token)
        else:
            raise AssertionError(f"{rule!r} should be invalid")
        try:
            it = croniter(croniter_expr(rule), dt.datetime(2024, 1, 1, tzinfo=zone("UTC")),
                          ret_type=dt.datetime, day_or=True, implement_cron_bug=True,
                          max_years_between_matches=50)
            first = it.get_next()
            accepted.append((rule, first.isoformat()))
        except Exception:  # noqa: BLE001
            pass
    return accepted


# ---------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------

REQUIRED_TAGS = [
    "list", "range", "step", "range step", "a/n", "names", "?", "L", "5L", "L5", "n#k", "nW",
    "macro", "dow 7", "dom/dow or", "dom/dow and quirk", "5-field", "leap year",
    "31st in short months", "month rollover", "year rollover", "a-a",
]
DST_ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Shanghai"]
DST_KINDS = ["dst-gap fixed", "dst-gap wildcard", "dst-overlap fixed", "dst-overlap wildcard"]


def compute(case: Case, stats: dict) -> tuple[list[str], str, dict | None]:
    rule = parse_rule(case.rule)
    got = brute_force(rule, case.zone, case.from_ts, case.direction)
    instants = [ts for ts, _ in got]
    forward = case.direction == "next"
    # fewer than COUNT: the answer must not depend on the exact 50-year cut-off
    if len(got) < COUNT:
        for days in (HORIZON_DAYS - 366, HORIZON_DAYS + 366):
            alt = brute_force(rule, case.zone, case.from_ts, case.direction, horizon_days=days)
            assert [ts for ts, _ in alt] == instants, ("cut-off sensitive", case.key)
    # next and prev are inverses
    if instants:
        back = brute_force(rule, case.zone, instants[-1], "prev" if forward else "next")
        chain = [ts for ts, _ in back]
        assert chain[: len(instants) - 1] == instants[-2::-1], ("not inverse", case.key)
        if len(chain) >= len(instants):
            beyond = chain[len(instants) - 1]
            assert (beyond <= case.from_ts) if forward else (beyond >= case.from_ts), ("inverse", case.key)
    # independent ticking-clock reference where the answer spans at most 36 hours
    if len(instants) == COUNT and abs(instants[-1] - case.from_ts) <= 36 * 3600:
        ticked = ticker(rule, case.zone, case.from_ts, case.direction, instants[-1])
        assert ticked == instants, ("ticker disagrees", case.key, ticked, instants)
        stats["ticker"] += 1
    # notes
    tags = list(dict.fromkeys(case.tags))
    near = DST_NEAR
    if instants:
        lo, hi = (case.from_ts - near, instants[-1]) if forward else (instants[-1], case.from_ts + near)
    else:
        lo, hi = case.from_ts - near, case.from_ts + near
    for t in dst_tags(rule, case.zone, lo, hi):
        if t not in tags:
            tags.append(t)
    status, answer = croniter_answer(case.rule, case.zone, case.from_ts, case.direction, HORIZON_DAYS)
    disagreement = None
    if status == "rejects":
        tags.append("croniter rejects")
        disagreement = {"kind": "croniter rejects the rule", "croniter": f"rejects ({answer})"}
    elif answer != instants:
        tags.append("croniter disagrees")
        disagreement = {"kind": classify(case, rule, instants, answer),
                        "croniter": " ".join(iso(ts, case.zone) for ts in answer) or "(none)"}
    expected = [iso(ts, case.zone) for ts in instants]
    return expected, "; ".join(tags), disagreement


DST_NEAR = 3 * 3600  # a transition this close before `from` (next) or after it (prev) counts as met

A_A = re.compile(r"(?<![0-9A-Za-z])([0-9]+)-\1(?:/[0-9]+)?(?![0-9])")
DOW_A_N = re.compile(r"^([0-9]+)/([0-9]+)$")


def rewrite_for_croniter(text: str) -> tuple[str, list[str]]:
    """Spell a rule so that croniter's known misreadings do not apply; same meaning for us."""
    kinds = []
    parts = text.split()
    if len(parts) < 5 or parts[0].startswith("@"):
        return text, kinds
    new_parts = []
    for i, part in enumerate(parts):
        field = (FIELDS if len(parts) == 6 else FIELDS[1:])[i]
        items = []
        for item in part.split(","):
            m = A_A.fullmatch(item)
            if m:
                kinds.append("a-a range read as the whole field")
                item = m.group(1)
            m = DOW_A_N.fullmatch(item)
            if field == "day-of-week" and m and 7 in range(int(m.group(1)), 8, int(m.group(2))):
                kinds.append("dow a/n reaching 7 (Sunday)")
                item = ",".join(str(v) for v in range(int(m.group(1)), 8, int(m.group(2))))
            items.append(item)
        new_parts.append(",".join(items))
    return " ".join(new_parts), kinds


def classify(case: Case, rule: Rule, ours: list[int], theirs: list[int]) -> str:
    """Why croniter's answer differs. Rewrites are confirmed by asking croniter again."""
    text, kinds = rewrite_for_croniter(case.rule)
    if kinds:
        status, again = croniter_answer(text, case.zone, case.from_ts, case.direction, HORIZON_DAYS)
        if status == "ok" and again == ours:
            return "; ".join(sorted(set(kinds)))
        theirs = again if status == "ok" else theirs
    everything = [case.from_ts] + ours + theirs
    dst = dst_tags(rule, case.zone, min(everything) - DST_NEAR, max(everything) + DST_NEAR)
    if dst:
        kinds += ["DST: " + t for t in dst]
    else:
        d, w = rule.dom, rule.dow
        if rule.day_or and (d.last_day or d.nearest_weekday or w.last_weekday or w.nth_weekday):
            kinds.append("dom/dow OR with L, nW, nL or n#k: croniter intersects")
        elif any(n >= 29 for n in d.nearest_weekday):
            kinds.append("nW beyond the month's last day: croniter uses the last day")
        else:
            kinds.append("other")
    return "; ".join(sorted(set(kinds)))


def build(verbose: bool) -> dict[str, str]:
    hand_check()
    syntax_cases()
    dst_cases()
    random_cases(100)
    seen = set()
    unique = []
    for c in CASES:
        if c.key not in seen:
            seen.add(c.key)
            unique.append(c)
    stats = {"ticker": 0}
    rows = []
    disagreements = []
    for i, case in enumerate(unique):
        if verbose and i % 50 == 0:
            print(f"  case {i}/{len(unique)}", file=sys.stderr)
        expected, note, dis = compute(case, stats)
        row = [case.rule, case.zone, iso(case.from_ts, case.zone), case.direction, " ".join(expected), note]
        assert all("\t" not in x and "\n" not in x for x in row)
        rows.append(row)
        if dis:
            disagreements.append((row, dis, dis["kind"]))
    # coverage
    notes = [r[5].split("; ") for r in rows]
    for tag in REQUIRED_TAGS:
        assert any(tag in n for n in notes), f"no case tagged {tag!r}"
    for zone_name in DST_ZONES:
        for kind in DST_KINDS:
            assert any(r[1] == zone_name and kind in r[5].split("; ") for r in rows), (zone_name, kind)
    assert sum(r[3] == "prev" for r in rows) >= 60
    assert len(rows) >= 400
    accepted = check_invalid()
    assert len(INVALID) >= 60

    cases_tsv = "rule\tzone\tfrom\tdirection\texpected\tnote\n" + "".join("\t".join(r) + "\n" for r in rows)
    invalid_tsv = "rule\tfield\ttoken\n" + "".join(f"{r}\t{f}\t{t}\n" for r, f, t in INVALID)
    readme = render_readme(rows, disagreements, accepted, stats)
    return {"cron_cases.tsv": cases_tsv, "cron_invalid.tsv": invalid_tsv, "README.md": readme}


def render_readme(rows, disagreements, accepted, stats) -> str:
    import tzdata

    n_prev = sum(r[3] == "prev" for r in rows)
    zones = sorted({r[1] for r in rows})
    by_kind: dict[str, int] = {}
    for _, _, kind in disagreements:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    lines = [README_HEAD.format(
        n_cases=len(rows), n_next=len(rows) - n_prev, n_prev=n_prev, n_invalid=len(INVALID),
        zones=", ".join(f"`{z}`" for z in zones), tzdata_version=PINNED["tzdata"],
        iana=tzdata.IANA_VERSION, croniter_version=PINNED["croniter"], n_ticker=stats["ticker"],
    )]
    lines.append("## Hand-computed checks\n")
    lines.append("The generator asserts these before writing anything (first occurrences shown):\n")
    lines.append("| rule | zone | from | direction | expected (first ones) |")
    lines.append("| --- | --- | --- | --- | --- |")
    for rule, zone_name, from_text, direction, want in HAND_CHECKS:
        lines.append(f"| `{rule}` | {zone_name} | {from_text} | {direction} | {' '.join(want)} |")
    lines.append("")
    lines.append("## Where croniter disagrees\n")
    lines.append(
        f"croniter {PINNED['croniter']} was asked every case (seconds field moved last, `nL` spelled `Ln`,"
        " `day_or=True`, `implement_cron_bug=True` so that it applies the same `*`-start AND quirk)."
        f" It disagrees with the Vixie reference, or rejects the rule, in **{len(disagreements)}** of"
        f" {len(rows)} cases. The `expected` column always holds the Vixie answer.\n")
    lines.append("| kind | cases |")
    lines.append("| --- | --- |")
    for kind in sorted(by_kind):
        lines.append(f"| {kind} | {by_kind[kind]} |")
    lines.append("")
    lines.append(README_KINDS)
    lines.append("Every case (the `note` column of these rows says `croniter disagrees` or `croniter rejects`):\n")
    lines.append("| rule | zone | from | dir | kind | croniter | ours (Vixie) |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for row, dis, kind in disagreements:
        lines.append(f"| `{row[0]}` | {row[1]} | {row[2]} | {row[3]} | {kind} | {dis['croniter']}"
                     f" | {row[4] or '(none)'} |")
    lines.append("")
    lines.append("## Invalid rules croniter accepts\n")
    lines.append("For information only (not a fixture column): croniter builds an iterator and returns a first"
                 " occurrence (from 2024-01-01T00:00:00+00:00) for these rules of `cron_invalid.tsv`:\n")
    lines.append("| rule | croniter's first occurrence |")
    lines.append("| --- | --- |")
    for rule, first in accepted:
        lines.append(f"| `{rule}` | {first} |")
    lines.append("")
    return "\n".join(lines)


README_HEAD = """\
# Cron reference fixtures

Reference data for the table-driven tests of the cron engine (`TFSCore`). **Generated** by
`generate_cron_cases.py`, which writes `cron_cases.tsv`, `cron_invalid.tsv` and this README; edit
the script, not the outputs.

## Regenerating

```sh
pip install croniter==7.0.0 python-dateutil==2.9.0.post0 tzdata==2026.6
cd Tests/TFSCoreTests/Fixtures
python3 generate_cron_cases.py           # rewrites the three files (about a minute or two)
python3 generate_cron_cases.py --check   # exits 1 if any file would change
```

Python 3.11. The output is byte-identical on every run: fixed seed, fixed `from` instants, no
clock reads, and `zoneinfo` reads the pinned `tzdata` wheel {tzdata_version} (IANA {iana}), never
the machine's `/usr/share/zoneinfo`. The script refuses other versions of croniter or tzdata.

## Sources

* **Expected values**: an independent brute-force reference in the script (Python `zoneinfo`):
  it walks local civil days, tests each matching wall-clock time of day against the rule, maps
  each to instants (none in a spring-forward gap, two in a fall-back overlap) and applies the
  DST rules below. It is checked three ways before anything is written:
  * a second reference, a per-second "ticking clock" that asks at every instant whether a daemon
    watching the wall clock would run the job, agrees on the {n_ticker} cases whose five answers
    lie within 36 hours of `from`;
  * `next` and `prev` are inverse: from the last answer, the other direction gives the earlier
    answers back, then a value at or beyond `from`;
  * the hand-computed cases below.
* **Second opinion**: croniter {croniter_version}. Disagreements are in the `note` column and
  listed at the end. Vixie wins.

## Files

`cron_cases.tsv` — {n_cases} cases ({n_next} `next`, {n_prev} `prev`); zones {zones}.
Tab-separated, header `rule	zone	from	direction	expected	note`:

* `rule`: rule text, exactly as given to the parser.
* `zone`: IANA zone name.
* `from`: ISO-8601 instant with the zone's offset at that instant, e.g. `2024-03-10T01:59:30-05:00`.
* `direction`: `next` (occurrences strictly after `from`, ascending) or `prev` (strictly before,
  nearest first, so descending).
* `expected`: up to 5 occurrences, each ISO-8601 with the zone's UTC offset at that instant,
  separated by single spaces. Fewer than 5 only when no more exist within 50 years
  (18262 days) of `from`; these cases are checked to give the same answer with a cut-off a year
  shorter or longer, so any "50 years" reading works.
* `note`: `; `-separated tags (may be empty): the syntax or calendar feature exercised, `random`
  for the seeded random rules, the DST situation met (`dst-gap fixed`, `dst-gap wildcard`,
  `dst-overlap fixed`, `dst-overlap wildcard`): computed, it means a zone transition lies between
  `from` and the last answer, or within 3 hours on the far side of `from`, and a wall time
  matching the rule lies in its gap or overlap. Last, `croniter disagrees` / `croniter rejects`.

`cron_invalid.tsv` — {n_invalid} invalid rules. Header `rule	field	token`:

* `field`: `second`, `minute`, `hour`, `day-of-month`, `month`, `day-of-week` — named by meaning,
  so in a 5-field rule the first field is `minute` — or empty for whole-rule errors (wrong field
  count, empty rule, unknown macro, can never match).
* `token`: the comma-separated list item that is wrong, exactly as written (`60` in `1,2,60`,
  `5-70`, `*/61`, `5#6`). Empty for whole-rule errors, except an unknown macro, where it is the
  macro (`@reboot`). The first row is the empty rule (a line that is just two tabs).
* Each rule has exactly one error, so the order in which a parser looks does not matter.

## Semantics (the contract)

* 6 fields `sec min hour dom mon dow`; 5 fields mean `sec = 0`. Fields are separated by runs of
  blanks.
* `*`, lists `a,b`, ranges `a-b`, steps `*/n`, `a-b/n`, `a/n` (= `a`-max step `n`); names
  `JAN`-`DEC`, `SUN`-`SAT`, case-insensitive, allowed wherever a number of that field is; dow `0`
  and `7` are Sunday; `?` = `*` in dom/dow (only as the whole field).
  Ranges: second 0-59, minute 0-59, hour 0-23, dom 1-31, month 1-12, dow 0-7.
* `L` in dom = last day of the month. In dow `5L` or `L5` = last Friday of the month. `n#k` = k-th
  weekday `n` of the month, k 1-5 (a month without a 5th one has no match). `nW` in dom = the
  Mon-Fri day nearest to day n in the same month (Quartz): Saturday → Friday before, except 1W →
  Monday 3rd; Sunday → Monday after, except on the month's last day → Friday before. A month
  without a day n (e.g. `30W` in February) has no `nW` match.
* `a-a` is the single value `a`. Reversed ranges, step 0, a step larger than the field's number of
  values (`*/61` in seconds, `*/25` in hours; dow counts 8 values 0-7) are invalid. A rule that can
  never match (checked over a whole 400-year Gregorian cycle) is invalid.
* `a/n` runs to the field maximum, and the dow maximum is 7, so dow `1/2` = 1,3,5,7 includes Sunday.
* Macros: `@yearly`/`@annually` = `0 0 0 1 1 *`, `@monthly` = `0 0 0 1 * *`, `@weekly` =
  `0 0 0 * * 0`, `@daily`/`@midnight` = `0 0 0 * * *`, `@hourly` = `0 0 * * * *`; any other `@word`
  is an unknown macro.
* dom/dow: if both fields are restricted (neither text starts with `*` or `?`), a day matches when
  either matches (Vixie OR); otherwise both must match. So `*/2` in dom is unrestricted (AND).
  `L`, `nW`, `5L`, `n#k` make their field restricted.
* Rules are evaluated in the zone's local wall-clock time.
  * **Fixed-time** rule: minute and hour fields both do not start with `*` (after macro expansion;
    `@daily` is fixed-time, `@hourly` is not; `0/15` is fixed-time, `*/15` is not; the seconds
    field plays no part). A matching wall time inside a spring-forward gap fires once, at the first
    instant after the gap (any number of matches in one gap, plus a match at exactly the first wall
    time after the gap, give a single fire there). A repeated wall time (fall-back overlap) fires
    only at its first occurrence (the earlier, pre-transition offset).
  * **Wildcard** rule (minute or hour starts with `*`): follows the wall clock; nonexistent wall
    times never fire, repeated wall times fire at both instants.
* `next` = strictly after `from`, `prev` = strictly before; they are inverse on the occurrence
  sequence.

### Decisions where the brief was open

* `token` is the whole comma-separated list item (`5-70`, not `70`).
* `nW` with n beyond the month's length does not fire in that month (no clamping to the last day),
  consistent with a plain `31`.
* dow counts 8 values (0-7) for the "step larger than the number of values" rule, so `*/8` is
  valid (= Sunday) and `*/9` invalid; only `*/9` appears in the fixtures.
* Names work in ranges and steps (`JAN-DEC/3`, `MON-FRI`). The reference also takes them in
  `5L`/`n#k` positions (`FRIL`, `FRI#2`) and reads a range ending in `SUN` (`FRI-SUN`) as reversed
  (SUN = 0) and so invalid, but none of these is in either file.
* Not in either file, so still open: lists mixing extensions (`15,L`, `1W,15W`, `1#1,5L`),
  `?` inside a list, `LW`, `L-3`, a bare `L` in dow, upper-case macros, leading zeros (`05`), an
  empty list item (`1,,2`; the reference reports the whole field as the token).
* The gap fire happens on the gap's own date only if the rule's date fields match that date (the
  skipped wall time must itself match the rule).
"""

README_KINDS = """\
What the kinds mean (the generator works the kind out and, where it can, confirms it by asking
croniter again with a spelling that avoids the difference):

* **DST: dst-overlap fixed** — croniter runs a fixed-time rule again when its wall time repeats
  (at the second, post-transition offset too); Vixie runs it once, at the first occurrence.
* **DST: dst-overlap wildcard** — croniter misses the second pass of a repeated wall time
  (Lord Howe's 30-minute overlap); Vixie fires at both instants.
* **DST: dst-gap fixed** — croniter moves a nonexistent time forward by the gap's length, keeping
  its seconds (02:30:15 → 03:00:15; for `* 30 2 * * *` its `prev` from after the gap answers
  03:00:59); Vixie fires once, at the first instant after the gap (03:00:00).
* **DST: dst-gap wildcard** — croniter moves nonexistent wall times of a wildcard rule forward
  (`0 * 2 * * *` fires at 03:00); Vixie drops them.
* **a-a range read as the whole field** — croniter expands an explicit equal range such as
  `15-15` (or `8-8/2`) to the whole field; here `a-a` is the single value `a`. Confirmed: with
  `a` written instead, croniter agrees.
* **dow a/n reaching 7 (Sunday)** — `a/n` runs to the field maximum, 7 for day-of-week, so dow
  `1/2` is 1,3,5,7 and includes Sunday; croniter stops at 6. Confirmed by spelling the list out.
* **dom/dow OR with L, nW, nL or n#k: croniter intersects** — when both day fields are restricted
  and one uses an extension, croniter requires both (or gives nothing); Vixie ORs them.
* **nW beyond the month's last day: croniter uses the last day** — `31W` in April: croniter fires
  on the weekday nearest April 30; here a month without day n has no `nW` match.
"""


def check_versions() -> None:
    for package, version in PINNED.items():
        have = importlib.metadata.version(package)
        if have != version:
            sys.exit(f"{package} {have} installed, {version} required: "
                     f"pip install croniter==7.0.0 python-dateutil==2.9.0.post0 tzdata==2026.6")
    if sys.version_info[:2] != (3, 11):
        print("warning: written for Python 3.11", file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    check_versions()
    outputs = build(args.verbose)
    if args.check:
        stale = [n for n, text in outputs.items()
                 if not (HERE / n).exists() or (HERE / n).read_text(encoding="utf-8") != text]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        print("fixtures are up to date")
        return 0
    for name, text in outputs.items():
        (HERE / name).write_bytes(text.encode("utf-8"))
    print(f"wrote {', '.join(outputs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
