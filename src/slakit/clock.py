"""The SLA clock: business hours, holidays and time zones, exact to the minute. Pure: no I/O, no
slakit imports, only the standard library. The simulator, lint, smoke tests and reports share it.

Inputs (this module's own types; `slakit.simulate.calendar_for` converts a project's hours):
    Calendar(time_zone, week, holidays=(), name="")
        week: 7 entries, Monday first; each None (closed), one (start_min, end_min) pair or a
        sequence of pairs, minutes after local midnight, 0 <= start < end <= 1440 (1440 = midnight
        ending the day; (0, 1440) = a 24h day).
    Holiday.on_date(date, window=None) | Holiday.yearly(date, window=None) |
    Holiday.nth_weekday(instance, weekday, month, window=None)
        window None = all day, else (start_min, end_min) local. instance 1-4 or "first".."fourth",
        -1 or "last"; weekday 0 = Monday. A yearly holiday recurs from its date's year on (the
        Salesforce RecurrenceStartDate); 29 February recurs in leap years only.
    A calendar of None means 24/7: plain elapsed (wall-clock) time.

Operations (instants are timezone-aware datetimes; below a minute is dropped: floored):
    add(cal, start, minutes, settings=DEFAULT) -> datetime   counting starts at next_open(start)
    diff(cal, start, end) -> int                               open minutes in [start, end)
    is_open(cal, instant) -> bool          windows are half-open: open at 09:00, closed at 17:00
    next_open(cal, instant) -> datetime    instant itself when open
    minutes_by_day(cal, start, end) -> [(local date, open minutes)]
    milestone_times(cal, start, limit_minutes, warnings=[(percent, offset_min)], stops=[(stop,
        resume)], settings=DEFAULT) -> MilestoneTimes(start, counting_from, target, violation,
        warnings, used_by_day)
    target(cal, start, limit_minutes, stops=..., settings=DEFAULT) -> datetime   the target only
    warning_offset_minutes(limit, percent)   minutes before target, rounded up (never fires late)
    business_day_minutes(week_or_cal)        length of the open day (`1bd`); ValueError if they differ
    explain_minutes(minutes, cal)            "2,880 business minutes = 6 business days of 8h"
Results come back in the calendar's zone (for None: the zone of the input instant).

DST: window edges are local wall clock; time inside a window is real elapsed time, so a 24h day
is 23h on spring-forward day and 25h on fall-back day. An edge that does not exist (inside the
spring-forward gap) moves to the first instant after the gap; an ambiguous edge (fall-back) takes
its first occurrence.

Conventions where Salesforce documents nothing (`Settings`): `Boundary.AT_CLOSE` (default) puts a
budget that runs out exactly at closing time on the close, `Boundary.NEXT_OPEN` on the next
opening; `WarningTime.BUSINESS` (default) counts warning offsets in business time (a 75% warning
fires when 75% of the budget is used), `WarningTime.WALL` subtracts them from the target in
elapsed time. The violation instant is the target (violation actions have timeLength 0;
IsViolated holds once now > target).

Cost: each calendar lazily builds per-year arrays of open intervals (UTC seconds) with running
totals, so add/diff are binary searches: cost grows with the years touched, never with minutes.
"""

from __future__ import annotations

import bisect
import calendar as _calmod
import datetime as dt
import enum
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
DAY = 1440
INSTANCES = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


class Boundary(str, enum.Enum):
    AT_CLOSE = "at_close"  # a budget ending exactly at closing time is due at the close
    NEXT_OPEN = "next_open"  # ... is due at the next opening


class WarningTime(str, enum.Enum):
    BUSINESS = "business"  # warning offset counts business time
    WALL = "wall"  # warning offset counts elapsed time before the target


@dataclass(frozen=True)
class Settings:
    boundary: Boundary = Boundary.AT_CLOSE
    warning_time: WarningTime = WarningTime.BUSINESS

    def describe(self) -> dict[str, str]:
        return {
            "boundary": self.boundary.value,
            "warning_time": self.warning_time.value,
            "minute_precision": "floor",
            "violation": "at_target",
        }


DEFAULT = Settings()


def nth_weekday(year: int, month: int, weekday: int, instance: int) -> dt.date | None:
    """The nth (1-4, -1 = last) `weekday` (0 = Monday) of a month."""
    first_wd, days = _calmod.monthrange(year, month)
    if instance == -1:
        last = dt.date(year, month, days)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    day = 1 + (weekday - first_wd) % 7 + 7 * (instance - 1)
    return dt.date(year, month, day) if day <= days else None


@dataclass(frozen=True)
class Holiday:
    date: dt.date | None = None
    window: tuple[int, int] | None = None  # None = all day
    recurs_yearly: bool = False
    instance: int | None = None  # nth weekday: 1..4, -1 = last
    weekday: int | None = None
    month: int | None = None
    name: str = ""

    @classmethod
    def on_date(cls, date: dt.date, window: tuple[int, int] | None = None, name: str = "") -> Holiday:
        return cls(date=date, window=window, name=name)

    @classmethod
    def yearly(cls, date: dt.date, window: tuple[int, int] | None = None, name: str = "") -> Holiday:
        return cls(date=date, window=window, recurs_yearly=True, name=name)

    @classmethod
    def nth_weekday(cls, instance: int | str, weekday: int, month: int,
                    window: tuple[int, int] | None = None, name: str = "") -> Holiday:
        n = INSTANCES[instance] if isinstance(instance, str) else int(instance)
        if n not in (1, 2, 3, 4, -1) or not 0 <= weekday <= 6 or not 1 <= month <= 12:
            raise ValueError(f"bad nth-weekday holiday: {instance} {weekday} {month}")
        return cls(window=window, instance=n, weekday=weekday, month=month, name=name)

    def in_year(self, year: int) -> dt.date | None:
        if self.instance is not None:
            return nth_weekday(year, self.month, self.weekday, self.instance)
        if self.date is None:
            return None
        if not self.recurs_yearly:
            return self.date if self.date.year == year else None
        if year < self.date.year:
            return None
        try:
            return self.date.replace(year=year)
        except ValueError:  # 29 February in a common year
            return None


def _norm_day(entry: Any) -> tuple[tuple[int, int], ...]:
    if not entry:
        return ()
    if isinstance(entry[0], int):
        entry = (entry,)
    wins = tuple(sorted((int(s), int(e)) for s, e in entry))
    for s, e in wins:
        if not 0 <= s < e <= DAY:
            raise ValueError(f"window {s}-{e} is not inside one day (0 <= start < end <= 1440)")
    return wins


@dataclass(frozen=True, eq=False)
class Calendar:
    time_zone: str
    week: tuple
    holidays: tuple[Holiday, ...] = ()
    name: str = ""
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("week needs 7 entries, Monday first")
        object.__setattr__(self, "week", tuple(_norm_day(d) for d in self.week))
        object.__setattr__(self, "holidays", tuple(self.holidays))
        ZoneInfo(self.time_zone)  # raises for an unknown zone

    @classmethod
    def always(cls, time_zone: str = "UTC") -> Calendar:
        return cls(time_zone, ((0, DAY),) * 7)

    @property
    def zone(self) -> ZoneInfo:
        return self.engine().zone

    def engine(self) -> _Engine:
        eng = self._cache.get("engine")
        if eng is None:
            eng = self._cache["engine"] = _Engine(self)
        return eng


def _subtract(wins: Sequence[tuple[int, int]], cuts: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out = list(wins)
    for cs, ce in cuts:
        nxt = []
        for s, e in out:
            if ce <= s or cs >= e:
                nxt.append((s, e))
                continue
            if s < cs:
                nxt.append((s, cs))
            if ce < e:
                nxt.append((ce, e))
        out = nxt
    return out


class _Engine:
    """Open intervals of one calendar as UTC epoch seconds over a growing range of local years."""

    MAX_EMPTY_YEARS = 50

    def __init__(self, cal: Calendar):
        self.zone = ZoneInfo(cal.time_zone)
        self.week = cal.week
        self.holidays = cal.holidays
        self.never = not any(self.week)
        self.y0 = self.y1 = None  # years covered, inclusive
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cum: list[int] = []  # open seconds from the range start to each interval's end
        self.days: list[int] = []  # local date ordinal of each interval
        self.lo = self.hi = 0  # covered span [lo, hi) in epoch seconds

    def edge(self, day: dt.date, minute: int) -> int:
        """Epoch seconds of the first instant whose local wall time is >= day + minute."""
        if minute >= DAY:
            day, minute = day + dt.timedelta(days=1), minute - DAY
        naive = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60)
        a = int(naive.replace(tzinfo=self.zone).timestamp())
        b = int(naive.replace(tzinfo=self.zone, fold=1).timestamp())
        if b >= a:  # normal (equal) or ambiguous (fold=0 is the first occurrence)
            return a
        lo, hi = b, a  # in a gap: wall(lo) < naive <= wall(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if dt.datetime.fromtimestamp(mid, self.zone).replace(tzinfo=None) >= naive:
                hi = mid
            else:
                lo = mid
        return hi

    def _year(self, y: int) -> list[tuple[int, int, int]]:
        cuts: dict[dt.date, list[tuple[int, int]]] = {}
        for h in self.holidays:
            d = h.in_year(y)
            if d is not None:
                cuts.setdefault(d, []).append(h.window or (0, DAY))
        out = []
        day = dt.date(y, 1, 1)
        one = dt.timedelta(days=1)
        while day.year == y:
            wins = self.week[day.weekday()]
            if wins and day in cuts:
                wins = _subtract(wins, cuts[day])
            for s, e in wins:
                a, b = self.edge(day, s), self.edge(day, e)
                if b > a:
                    out.append((a, b, day.toordinal()))
            day += one
        return out

    def _rebuild(self, rows: list[tuple[int, int, int]]) -> None:
        self.starts = [r[0] for r in rows]
        self.ends = [r[1] for r in rows]
        self.days = [r[2] for r in rows]
        total, cum = 0, []
        for a, b, _ in rows:
            total += b - a
            cum.append(total)
        self.cum = cum

    def _extend(self, back: bool = False) -> bool:
        """Cover one more year; False when that year has no open time."""
        if self.y0 is None:
            raise AssertionError("range not started")
        y = self.y0 - 1 if back else self.y1 + 1
        if not 1 < y < 9999:
            raise ValueError("instant out of the supported range (years 2..9998)")
        rows = self._year(y)
        if back:
            self._rebuild(rows + list(zip(self.starts, self.ends, self.days)))
            self.y0, self.lo = y, self.edge(dt.date(y, 1, 1), 0)
        else:
            base = self.cum[-1] if self.cum else 0
            for a, b, d in rows:
                base += b - a
                self.starts.append(a)
                self.ends.append(b)
                self.days.append(d)
                self.cum.append(base)
            self.y1, self.hi = y, self.edge(dt.date(y + 1, 1, 1), 0)
        return bool(rows)

    def cover(self, t: int, reset: bool = True) -> None:
        """Extend the covered years to hold t; far outside them (and `reset`), start afresh."""
        far = 3 * 366 * 86400
        if self.y0 is None or (reset and not self.lo - far <= t < self.hi + far):
            y = dt.datetime.fromtimestamp(t, self.zone).year
            self.y0 = self.y1 = y
            self.lo, self.hi = self.edge(dt.date(y, 1, 1), 0), self.edge(dt.date(y + 1, 1, 1), 0)
            self._rebuild(self._year(y))
        while t < self.lo:
            self._extend(back=True)
        while t >= self.hi:
            self._extend()

    def locate(self, t: int, reset: bool = True) -> int:
        """Index of the first open interval ending after t (the one holding t, or the next).
        With reset=False earlier indices stay valid (the range only grows forward)."""
        if self.never:
            raise ValueError("the calendar is never open")
        if not self.lo <= t < self.hi:
            self.cover(t, reset)
        i = bisect.bisect_right(self.ends, t)
        empty = 0
        while i == len(self.ends):
            empty = 0 if self._extend() else empty + 1
            if empty > self.MAX_EMPTY_YEARS:
                raise ValueError("the calendar has no open time for 50 years")
            i = bisect.bisect_right(self.ends, t)
        return i

    def used(self, i: int, t: int) -> int:
        """Open seconds from the range start to t, where i = locate(t)."""
        s = self.starts[i]
        return self.cum[i] - (self.ends[i] - s) + (t - s if t > s else 0)

    def add(self, t: int, secs: int, boundary: Boundary) -> int:
        i = self.locate(t)
        goal = self.used(i, t) + secs
        find = bisect.bisect_left if boundary is Boundary.AT_CLOSE else bisect.bisect_right
        j = find(self.cum, goal, i)
        empty = 0
        while j == len(self.cum):
            empty = 0 if self._extend() else empty + 1
            if empty > self.MAX_EMPTY_YEARS:
                raise ValueError("the calendar has no open time for 50 years")
            j = find(self.cum, goal, i)
        return self.ends[j] - (self.cum[j] - goal)

    def diff(self, a: int, b: int) -> int:
        if b < a:
            return -self.diff(b, a)
        i = self.locate(a)
        j = self.locate(b, reset=False)
        return self.used(j, b) - self.used(i, a)

    def by_day(self, a: int, b: int) -> dict[int, int]:
        out: dict[int, int] = {}
        if b <= a:
            return out
        i = self.locate(a)
        self.locate(b, reset=False)
        while i < len(self.starts) and self.starts[i] < b:
            part = min(self.ends[i], b) - max(self.starts[i], a)
            if part > 0:
                out[self.days[i]] = out.get(self.days[i], 0) + part
            i += 1
        return out


def _ts(instant: dt.datetime) -> int:
    if not isinstance(instant, dt.datetime) or instant.utcoffset() is None:
        raise ValueError(f"{instant!r} has no time zone: give an aware datetime")
    return math.floor(instant.timestamp()) // 60 * 60


def _out(t: int, cal: Calendar | None, like: dt.datetime) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, cal.engine().zone if cal is not None else like.tzinfo)


def add(cal: Calendar | None, start: dt.datetime, minutes: int, settings: Settings = DEFAULT) -> dt.datetime:
    """The instant `minutes` of open time after start (counting from the next opening)."""
    if minutes < 0:
        raise ValueError("minutes must be >= 0")
    t = _ts(start)
    if cal is None:
        return _out(t + minutes * 60, None, start)
    return _out(cal.engine().add(t, minutes * 60, settings.boundary), cal, start)


def diff(cal: Calendar | None, start: dt.datetime, end: dt.datetime) -> int:
    """Open minutes between two instants (negative when end < start)."""
    a, b = _ts(start), _ts(end)
    secs = b - a if cal is None else cal.engine().diff(a, b)
    return secs // 60 if secs >= 0 else -((-secs) // 60)


def is_open(cal: Calendar | None, instant: dt.datetime) -> bool:
    if cal is None:
        return True
    t = _ts(instant)
    eng = cal.engine()
    i = eng.locate(t)  # first: locating may rebuild the arrays
    return eng.starts[i] <= t


def next_open(cal: Calendar | None, instant: dt.datetime) -> dt.datetime:
    t = _ts(instant)
    if cal is None:
        return _out(t, None, instant)
    eng = cal.engine()
    i = eng.locate(t)
    return _out(max(t, eng.starts[i]), cal, instant)


def minutes_by_day(cal: Calendar | None, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.date, int]]:
    """Open minutes per local day (the calendar's zone; UTC for None) in [start, end)."""
    eng = (cal or Calendar.always()).engine()
    return [(dt.date.fromordinal(d), s // 60) for d, s in sorted(eng.by_day(_ts(start), _ts(end)).items())]


# -- milestones ------------------------------------------------------------------------------

def warning_offset_minutes(limit_minutes: int, percent: float) -> int:
    """Minutes before the target a `percent` warning fires, rounded up so it never fires late."""
    return max(0, math.ceil(limit_minutes * (100.0 - percent) / 100.0 - 1e-9))


@dataclass(frozen=True)
class WarningAt:
    percent: float
    offset_minutes: int  # before the target; Salesforce timeLength = -offset_minutes
    at: dt.datetime


@dataclass(frozen=True)
class MilestoneTimes:
    start: dt.datetime  # real start: process entry or criteria time
    counting_from: dt.datetime  # first open, unstopped instant at or after start
    target: dt.datetime
    violation: dt.datetime  # violation actions fire here; IsViolated once now > target
    warnings: tuple[WarningAt, ...]
    used_by_day: tuple[tuple[dt.date, int], ...]  # budget minutes consumed per local day
    stops: tuple[tuple[dt.datetime, dt.datetime], ...]


def _walk(eng: _Engine | None, start: int, budget: int, stops: list[tuple[int, int]],
          boundary: Boundary) -> tuple[int, list[tuple[int, int]]]:
    """Spend `budget` open seconds from start, skipping stopped spans; (end, counted spans)."""
    cursor, remaining, spans = start, budget, []
    for s, r in stops:
        if r <= cursor:
            continue
        if s <= cursor:
            cursor = r
            continue
        used = eng.diff(cursor, s) if eng else s - cursor
        if used > remaining or (used == remaining and boundary is Boundary.AT_CLOSE):
            break
        spans.append((cursor, s))
        remaining -= used
        cursor = r
    end = eng.add(cursor, remaining, boundary) if eng else cursor + remaining
    spans.append((cursor, end))
    return end, spans


def target(cal: Calendar | None, start: dt.datetime, limit_minutes: int, *,
           stops: Sequence[tuple[dt.datetime, dt.datetime]] = (), settings: Settings = DEFAULT) -> dt.datetime:
    """A milestone's target (Salesforce TargetDate) only: `milestone_times` without the extras."""
    eng = cal.engine() if cal is not None else None
    spans_in = sorted((_ts(s), _ts(r)) for s, r in stops) if stops else []
    end, _ = _walk(eng, _ts(start), limit_minutes * 60, spans_in, settings.boundary)
    return _out(end, cal, start)


def milestone_times(cal: Calendar | None, start: dt.datetime, limit_minutes: int, *,
                    warnings: Sequence[tuple[float, int]] = (),
                    stops: Sequence[tuple[dt.datetime, dt.datetime]] = (),
                    settings: Settings = DEFAULT) -> MilestoneTimes:
    """Target, warnings and per-day budget of one milestone. `warnings`: (percent, offset minutes
    before the target); `stops`: (stopped at, resumed at) spans, during which no budget is used."""
    if limit_minutes < 1:
        raise ValueError("a time limit is at least 1 minute")
    eng = cal.engine() if cal is not None else None
    t0 = _ts(start)
    spans_in = sorted((_ts(s), _ts(r)) for s, r in stops)
    for s, r in spans_in:
        if r <= s:
            raise ValueError("a resume must come after its stop")
    target, spans = _walk(eng, t0, limit_minutes * 60, spans_in, settings.boundary)
    counting, _ = _walk(eng, t0, 0, spans_in, Boundary.NEXT_OPEN)
    warns = []
    for percent, offset in warnings:
        if settings.warning_time is WarningTime.WALL:
            at = target - offset * 60
        else:
            at, _ = _walk(eng, t0, max(0, limit_minutes - offset) * 60, spans_in, settings.boundary)
        warns.append(WarningAt(percent, offset, _out(at, cal, start)))
    per_day: dict[int, int] = {}
    day_eng = eng or Calendar.always().engine()
    for a, b in spans:
        for d, secs in day_eng.by_day(a, b).items():
            per_day[d] = per_day.get(d, 0) + secs
    return MilestoneTimes(
        start=_out(t0, cal, start), counting_from=_out(counting, cal, start),
        target=_out(target, cal, start), violation=_out(target, cal, start),
        warnings=tuple(warns),
        used_by_day=tuple((dt.date.fromordinal(d), s // 60) for d, s in sorted(per_day.items())),
        stops=tuple((_out(s, cal, start), _out(r, cal, start)) for s, r in spans_in),
    )


# -- helpers for lint and reports ------------------------------------------------------------

def day_lengths(week: Calendar | Sequence[Any]) -> list[int]:
    """Open minutes of each open weekday (closed days left out)."""
    days = week.week if isinstance(week, Calendar) else tuple(_norm_day(d) for d in week)
    return [sum(e - s for s, e in d) for d in days if d]


def business_day_minutes(week: Calendar | Sequence[Any]) -> int:
    """Minutes in one business day (`1bd`); ValueError when open days differ or none is open."""
    lengths = set(day_lengths(week))
    if not lengths:
        raise ValueError("no day is open, so a business day has no length")
    if len(lengths) > 1:
        raise ValueError("open days differ in length (" + ", ".join(_hm(n) for n in sorted(lengths))
                         + "), so a business day has no single length")
    return lengths.pop()


def _hm(minutes: float) -> str:
    h, m = divmod(int(minutes), 60)
    return f"{h}h{m:02d}" if m else f"{h}h"


def explain_minutes(minutes: int, week: Calendar | Sequence[Any] | None) -> str:
    """'2,880 business minutes = 6 business days of 8h' (or the wall-clock reading for 24/7)."""
    text = f"{minutes:,} business minutes"
    if week is None:
        return text + f" = {minutes / DAY:g} days of 24h (24/7)"
    try:
        day = business_day_minutes(week)
    except ValueError as exc:
        return f"{text} ({exc})"
    return f"{text} = {minutes / day:g} business days of {_hm(day)}"
