"""Simulate support tiers offline: for a case opened at an instant (optionally stopped and resumed,
or with a criteria time), when each milestone starts, when its warnings fire, its target and
violation, and how much budget each local day uses. Also the one place that turns a project's
`BusinessHours` into a `slakit.clock.Calendar`.

    run(path, tier=None, opened="2026-02-06T16:30-05:00", stops=[...], resumes=[...]) -> [TierTimeline]
    simulate(project, opened, tier=None, stops=(), criteria_at=None, settings=clock.DEFAULT)
    simulate_tier(project, tier, opened, ...) -> TierTimeline
    to_json(timeline) -> {"tier", "opened", "milestones": [{"name", "business_hours",
        "time_limit_minutes", "start", "target", "warnings": [{"percent", "at",
        "time_length_minutes"}]}], "conventions": {...}}      (instants UTC, YYYY-MM-DDTHH:MM:SSZ)
    calendar_for(hours) -> Calendar | None          None hours = 24/7 elapsed time
    business_day_minutes(hours) -> int              `1bd` on these hours (SlakitError if undefined)
    describe_limit(milestone, hours) -> str         "2d = 2,880 business minutes = 6 business days of 8h"
    parse_instant(text, option, zones) -> datetime  UsageError naming the zone when no offset is given

Milestones whose `start` is `criteria` (the default for milestones with `applies_when` or a
recurrence) start at `criteria_at` when given, else at the opening (flagged `assumed_criteria`);
milestones with `applies_when` are simulated as if their criteria hold. Recurring milestones show
their first occurrence (a recurring milestone without `applies_when` starts at the opening).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, overload
from zoneinfo import ZoneInfo

from slakit import clock
from slakit.config.project import BusinessHours, Milestone, Project, Tier
from slakit.config.resolve import week_spans
from slakit.errors import SlakitError, UsageError


@overload
def calendar_for(hours: BusinessHours) -> clock.Calendar: ...
@overload
def calendar_for(hours: None) -> None: ...
@overload
def calendar_for(hours: BusinessHours | None) -> clock.Calendar | None: ...
def calendar_for(hours: BusinessHours | None) -> clock.Calendar | None:
    """The clock calendar of a project's business hours; None (24/7) stays None."""
    if hours is None:
        return None
    if not hours.known:
        raise SlakitError(
            f"business hours '{hours.name}' are `existing: true` without hours, so the simulator "
            f"cannot use them",
            field=f"business_hours[{hours.name}]",
            hint="add time_zone and hours to that entry (existing hours are still never deployed), "
                 "or point the tier or milestone at hours defined in the file")
    return _calendar(hours)


@functools.lru_cache(maxsize=64)
def _calendar(hours: BusinessHours) -> clock.Calendar:
    holidays = []
    for h in hours.holidays:
        window = (h.window.start, h.window.end) if h.window else None
        if h.recurs == "nth":
            assert h.instance is not None and h.weekday is not None and h.month is not None
            holidays.append(clock.Holiday.nth_weekday(h.instance, h.weekday, h.month, window, h.name))
        else:
            assert h.date is not None  # resolve requires a date unless nth-weekday
            make = clock.Holiday.yearly if h.recurs == "yearly" else clock.Holiday.on_date
            holidays.append(make(h.date, window, h.name))
    week = tuple(week_spans(hours))
    assert hours.time_zone is not None  # hours.known
    return clock.Calendar(hours.time_zone, week, tuple(holidays), name=hours.name)


def business_day_minutes(hours: BusinessHours) -> int:
    """Length of one business day (`1bd`) on these hours."""
    try:
        return clock.business_day_minutes(calendar_for(hours))
    except ValueError as exc:
        raise SlakitError(f"'1bd' has no meaning on business hours '{hours.name}': {exc}",
                          hint="write the time limit in hours (h) or minutes (m)") from None


def describe_limit(milestone: Milestone, hours: BusinessHours | None) -> str:
    """What a time limit means on its hours: '2d = 2,880 business minutes = 6 business days of 8h'."""
    text, minutes = milestone.time_limit_text, milestone.time_limit_minutes
    if hours is not None and not hours.known:
        return f"{text} = {minutes:,} business minutes on '{hours.name}' (its hours are not in the file)"
    return f"{text} = {clock.explain_minutes(minutes, calendar_for(hours))}"


@dataclass(frozen=True)
class MilestoneTimeline:
    name: str
    business_hours: str | None  # governing hours' name, None = 24/7
    time_zone: str  # where local days and times are read (UTC for 24/7)
    time_limit_minutes: int
    time_limit_text: str
    start_mode: str  # process | criteria
    assumed_criteria: bool  # criteria start without --criteria-at: started at the opening
    conditional: bool  # has applies_when: simulated as if it holds
    recurrence: str
    times: clock.MilestoneTimes


@dataclass(frozen=True)
class TierTimeline:
    tier: str
    opened: dt.datetime
    milestones: tuple[MilestoneTimeline, ...]
    stops: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    criteria_at: dt.datetime | None = None
    settings: clock.Settings = field(default_factory=clock.Settings)


def simulate_tier(project: Project, tier: Tier, opened: dt.datetime, *,
                  stops: Sequence[tuple[dt.datetime, dt.datetime]] = (),
                  criteria_at: dt.datetime | None = None,
                  settings: clock.Settings = clock.DEFAULT) -> TierTimeline:
    out = []
    for ms in tier.milestones:
        hours = project.hours_for(tier, ms)
        try:
            cal = calendar_for(hours)
        except SlakitError as exc:
            raise SlakitError(exc.message, file=project.source, line=ms.line or tier.line,
                              field=f"{tier.name} / {ms.name}", hint=exc.problem.hint) from None
        # a criteria start with criteria (applies_when) begins at --criteria-at; a recurring
        # milestone without criteria has its criteria hold from the entry: its first occurrence
        # starts at the opening
        criteria_start = ms.start == "criteria" and bool(ms.criteria or ms.criteria_formula)
        start = criteria_at if (criteria_start and criteria_at is not None) else opened
        warnings = [(p, ms.warning_offset_minutes(p)) for p in ms.warnings]
        try:
            times = clock.milestone_times(cal, start, ms.time_limit_minutes, warnings=warnings,
                                          stops=stops, settings=settings)
        except ValueError as exc:
            raise SlakitError(f"cannot simulate {tier.name} / {ms.name}: {exc}", file=project.source,
                              line=ms.line) from None
        out.append(MilestoneTimeline(
            name=ms.name, business_hours=hours.name if hours else None,
            time_zone=cal.time_zone if cal else "UTC",
            time_limit_minutes=ms.time_limit_minutes, time_limit_text=ms.time_limit_text,
            start_mode=ms.start, assumed_criteria=criteria_start and criteria_at is None,
            conditional=bool(ms.criteria or ms.criteria_formula), recurrence=ms.recurrence, times=times))
    return TierTimeline(tier.name, opened, tuple(out), tuple(stops), criteria_at, settings)


def _tiers(project: Project, tier: str | None) -> list[Tier]:
    if tier is None:
        return list(project.tiers)
    try:
        return [project.tier(tier)]
    except KeyError:
        names = ", ".join(t.name for t in project.tiers)
        raise UsageError(f"no tier named '{tier}' in {project.source}", field="--tier",
                         hint=f"tiers: {names}") from None


def simulate(project: Project, opened: dt.datetime, *, tier: str | None = None,
             stops: Sequence[tuple[dt.datetime, dt.datetime]] = (), criteria_at: dt.datetime | None = None,
             settings: clock.Settings = clock.DEFAULT) -> list[TierTimeline]:
    """One timeline per tier (the named one, or every tier in file order)."""
    return [simulate_tier(project, t, opened, stops=stops, criteria_at=criteria_at, settings=settings)
            for t in _tiers(project, tier)]


def zones_for(project: Project, tier: str | None = None) -> list[tuple[str, str, str]]:
    """(tier, hours name, IANA zone) of the hours governing the tiers, for messages."""
    seen: list[tuple[str, str, str]] = []
    for t in _tiers(project, tier):
        for ms in t.milestones or (None,):
            hours = project.hours_for(t, ms)
            if hours is not None and not hours.known:
                continue
            row = (t.name, hours.name, hours.time_zone) if hours and hours.time_zone else (t.name, "24/7", "UTC")
            if row not in seen:
                seen.append(row)
    return seen


def parse_instant(text: str, option: str, zones: Sequence[tuple[str, str, str]] = ()) -> dt.datetime:
    """An ISO-8601 instant with an offset (`Z` or `-05:00`); a UsageError says what to add."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} {text!r} is not an ISO-8601 date and time",
                         hint="write it like 2026-02-06T16:30-05:00 or 2026-02-06T21:30Z") from None
    if value.utcoffset() is not None:
        return value
    parts = []
    for tier, hours, zone in zones:
        offset = value.replace(tzinfo=ZoneInfo(zone)).strftime("%z")
        offset = "Z" if zone == "UTC" else f"{offset[:3]}:{offset[3:]}"
        where = f"the zone of {tier}'s business hours '{hours}'" if hours != "24/7" else f"{tier} runs 24/7"
        parts.append(f"{zone}, {where}: {value.isoformat(timespec='minutes')}{offset}")
    hint = ("add the offset of " + "; or ".join(dict.fromkeys(parts))) if parts else "add Z or an offset like -05:00"
    raise UsageError(f"{option} {text} has no UTC offset, so the instant is ambiguous", hint=hint)


def utc_z(instant: dt.datetime) -> str:
    return instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _percent(p: float) -> int | float:
    return int(p) if float(p).is_integer() else p


def conventions(settings: clock.Settings) -> dict[str, str]:
    return settings.describe()


def to_json(tl: TierTimeline) -> dict:
    """The issue's document: all instants UTC `YYYY-MM-DDTHH:MM:SSZ`, plus the conventions used."""
    return {
        "tier": tl.tier,
        "opened": utc_z(tl.opened),
        "milestones": [
            {
                "name": m.name,
                "business_hours": m.business_hours,
                "time_limit_minutes": m.time_limit_minutes,
                "start": utc_z(m.times.start),
                "target": utc_z(m.times.target),
                "warnings": [{"percent": _percent(w.percent), "at": utc_z(w.at),
                              "time_length_minutes": -w.offset_minutes} for w in m.times.warnings],
            }
            for m in tl.milestones
        ],
        "conventions": conventions(tl.settings),
    }


def run(path: str | Path, *, opened: str, tier: str | None = None, stops: Sequence[str] = (),
        resumes: Sequence[str] = (), criteria_at: str | None = None,
        settings: clock.Settings = clock.DEFAULT) -> list[TierTimeline]:
    """Load tiers.yml, read the CLI's instants (located errors), simulate."""
    from slakit.config import load_project

    project = load_project(path)
    zones = zones_for(project, tier)
    when = parse_instant(opened, "--opened", zones)
    if len(stops) != len(resumes):
        raise UsageError(f"{len(stops)} --stop but {len(resumes)} --resume",
                         hint="give one --resume for each --stop, in order")
    spans = []
    for s, r in zip(stops, resumes):
        a, b = parse_instant(s, "--stop", zones), parse_instant(r, "--resume", zones)
        if b <= a:
            raise UsageError(f"--resume {r} is not after --stop {s}")
        spans.append((a, b))
    spans.sort()
    for (_, r1), (s2, _) in zip(spans, spans[1:]):
        if s2 < r1:
            raise UsageError("stopped spans overlap", hint="each --stop must come after the previous --resume")
    crit = parse_instant(criteria_at, "--criteria-at", zones) if criteria_at else None
    if crit is not None and crit < when:  # criteria cannot become true on a case not yet opened
        raise UsageError(f"--criteria-at {crit.isoformat()} is before --opened {when.isoformat()}",
                         field="--criteria-at", hint="give an instant at or after the opening")
    return simulate(project, when, tier=tier, stops=spans, criteria_at=crit, settings=settings)
