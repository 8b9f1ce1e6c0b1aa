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

Layout: `calendar` (Settings, Boundary, WarningTime, Holiday, Calendar, nth_weekday), `engine` (the
per-year interval engine; add, diff, is_open, next_open, minutes_by_day), `milestones` (warning
offsets, target, milestone_times, and the business-day helpers for lint and reports). Import from
`slakit.clock`; the submodules are an implementation detail.
"""

from __future__ import annotations

from .calendar import (
    DAY,
    DEFAULT,
    INSTANCES,
    UTC,
    Boundary,
    Calendar,
    Holiday,
    Settings,
    WarningTime,
    nth_weekday,
)
from .engine import add, diff, is_open, minutes_by_day, next_open
from .milestones import (
    MilestoneTimes,
    WarningAt,
    business_day_minutes,
    day_lengths,
    explain_minutes,
    milestone_times,
    target,
    warning_offset_minutes,
)

__all__ = [
    "DAY", "DEFAULT", "INSTANCES", "UTC", "Boundary", "Calendar", "Holiday", "Settings", "WarningTime",
    "nth_weekday", "add", "diff", "is_open", "minutes_by_day", "next_open", "MilestoneTimes",
    "WarningAt", "business_day_minutes", "day_lengths", "explain_minutes", "milestone_times", "target",
    "warning_offset_minutes",
]
