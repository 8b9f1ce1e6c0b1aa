"""The interval engine and the basic operations: `_Engine` turns one calendar into per-year arrays
of open intervals (UTC epoch seconds, running totals; DST-correct window edges), and add, diff,
is_open, next_open and minutes_by_day answer from them by binary search. `_ts` (an aware instant to
floored epoch seconds) and `_out` (back to a datetime in the calendar's zone) are shared with
`slakit.clock.milestones`. Pure standard library.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from .calendar import DAY, DEFAULT, Boundary, Calendar, Settings


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
        self.y0: int | None = None  # years covered, inclusive (y1 is meaningful once y0 is set)
        self.y1 = 0
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
