"""Milestones on the clock: warning offsets (`warning_offset_minutes`, `WarningAt`), a milestone's
target alone (`target`) or with warnings, stops and per-day budget (`milestone_times` ->
`MilestoneTimes`), and the helpers lint and reports use to read budgets in business days
(`day_lengths`, `business_day_minutes`, `explain_minutes`). Pure standard library.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Sequence

from .calendar import DAY, DEFAULT, Boundary, Calendar, Settings, WarningTime, _norm_day
from .engine import _Engine, _out, _ts


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
