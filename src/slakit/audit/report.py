"""`slakit report`: milestone compliance per tier (entitlement process), milestone and week.

Why a stream and not GROUP BY: Salesforce marks CaseMilestone's MilestoneTypeId, IsCompleted,
IsViolated and StartDate as filterable but not groupable (Object Reference), so SOQL cannot
break counts down by milestone, outcome or week. What SOQL does: the date filter, only the
columns needed, and one `SELECT COUNT()` up front (the total, for progress and a cross-check).
Records then arrive page by page (2,000 at a time via nextRecordsUrl) and are folded into
counters; no page is kept.

Durations: each completed milestone's business minutes from StartDate to CompletionDate on its
own business hours (the clock). For exact medians without keeping rows, every group keeps a
histogram of whole minutes (a Counter: minute value -> how many): memory grows with the number
of distinct durations (bounded by the longest one, a few thousand values), never with the number
of milestones. Percentiles use the nearest-rank method (p90 = the smallest duration at or above
90% of the sorted list; the median of an even count is the lower middle).

Outcomes: met = completed on time; violated = IsViolated (completed late, or open past target);
open = neither yet. % met = met / (met + violated): open milestones are not judged yet.
Weeks are ISO weeks starting Monday 00:00 UTC, keyed by the milestone's StartDate.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from slakit import clock
from slakit.audit.at_risk import NO_TIER, TIER_PATH, _get
from slakit.audit.durations import parse_sf_datetime, soql_datetime
from slakit.audit.hours import HoursBook, load_hours
from slakit.org.soql import count, iter_records
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.config.project import Project

FIELDS = (f"{TIER_PATH}, MilestoneType.Name, StartDate, TargetDate, CompletionDate, "
          f"IsCompleted, IsViolated, BusinessHoursId, {CASE.via('BusinessHoursId')}")


def quantile(hist: Counter, p: float) -> int | None:
    """Nearest-rank percentile of a minute histogram (p in 0..100)."""
    n = sum(hist.values())
    if not n:
        return None
    rank = max(1, math.ceil(p / 100.0 * n))
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover


@dataclass
class Stats:
    count: int = 0
    met: int = 0
    violated: int = 0
    open: int = 0
    minutes: Counter = field(default_factory=Counter)

    def add(self, outcome: str, minutes: int | None) -> None:
        self.count += 1
        setattr(self, outcome, getattr(self, outcome) + 1)
        if minutes is not None:
            self.minutes[minutes] += 1

    @property
    def pct_met(self) -> float | None:
        judged = self.met + self.violated
        return round(100.0 * self.met / judged, 1) if judged else None

    def as_dict(self) -> dict:
        return {"count": self.count, "met": self.met, "violated": self.violated, "open": self.open,
                "pct_met": self.pct_met, "median_minutes": quantile(self.minutes, 50),
                "p90_minutes": quantile(self.minutes, 90), "completed": sum(self.minutes.values())}


@dataclass
class Report:
    since: dt.datetime
    until: dt.datetime
    groups: dict[tuple[str, str], Stats] = field(default_factory=dict)  # (tier, milestone)
    weekly: dict[tuple[str, str, dt.date], Stats] = field(default_factory=dict)  # (tier, milestone, week)
    expected: int | None = None
    scanned: int = 0

    def tiers(self) -> list[str]:
        return sorted({t for t, _ in self.groups})

    def weeks(self) -> list[dt.date]:
        return sorted({w for _, _, w in self.weekly})

    def tier_week(self, tier: str, week: dt.date) -> Stats:
        """One tier's counts for one week (all milestones summed; durations not merged)."""
        out = Stats()
        for (t, _, w), s in self.weekly.items():
            if t == tier and w == week:
                out.count += s.count
                out.met += s.met
                out.violated += s.violated
                out.open += s.open
        return out

    def as_dict(self) -> dict:
        return {
            "since": self.since.isoformat(), "until": self.until.isoformat(), "milestones_scanned": self.scanned,
            "groups": [{"tier": t, "milestone": m, **s.as_dict()} for (t, m), s in sorted(self.groups.items())],
            "weekly": [{"tier": t, "milestone": m, "week": w.isoformat(), **s.as_dict()}
                       for (t, m, w), s in sorted(self.weekly.items())],
        }


def week_of(when: dt.datetime) -> dt.date:
    day = when.astimezone(dt.timezone.utc).date()
    return day - dt.timedelta(days=day.weekday())


def outcome(rec: dict) -> str:
    if rec.get("IsViolated"):
        return "violated"
    return "met" if rec.get("IsCompleted") else "open"


def business_minutes(rec: dict, book: HoursBook) -> int | None:
    start, done = parse_sf_datetime(rec.get("StartDate")), parse_sf_datetime(rec.get("CompletionDate"))
    if start is None or done is None:
        return None
    cal = book.get(rec.get("BusinessHoursId") or _get(rec, CASE.via("BusinessHoursId")))
    return max(0, clock.diff(cal, start, done))


class Aggregator:
    """Folds CaseMilestone records into per-group and per-week Stats, one record at a time."""

    def __init__(self, report: Report, book: HoursBook):
        self.report, self.book = report, book

    def add(self, rec: dict) -> None:
        start = parse_sf_datetime(rec.get("StartDate"))
        if start is None:
            return
        tier = _get(rec, TIER_PATH) or NO_TIER
        milestone = _get(rec, "MilestoneType.Name") or "(unknown)"
        result, minutes = outcome(rec), business_minutes(rec, self.book)
        self.report.groups.setdefault((tier, milestone), Stats()).add(result, minutes)
        self.report.weekly.setdefault((tier, milestone, week_of(start)), Stats()).add(result, minutes)
        self.report.scanned += 1


def compliance_report(sf: Salesforce, *, since: dt.datetime, until: dt.datetime | None = None,
                      tiers: list[str] | None = None,
                      project: Project | None = None, book: HoursBook | None = None,
                      progress: Callable[[int, int | None], None] | None = None) -> Report:
    """Stream the CaseMilestones started in [since, until) into a Report."""
    from slakit.org.soql import soql

    until = until or dt.datetime.now(dt.timezone.utc)
    where = f"StartDate >= {soql_datetime(since)} AND StartDate < {soql_datetime(until)}"
    if tiers:
        where += soql(f" AND {TIER_PATH} IN {{}}", list(tiers))
    book = book or load_hours(sf, project)
    report = Report(since=since, until=until)
    report.expected = count(sf, f"SELECT COUNT() FROM {CASE.milestone_object} WHERE {where}",
                            action="counting milestones")
    agg = Aggregator(report, book)
    query = f"SELECT {FIELDS} FROM {CASE.milestone_object} WHERE {where}"
    for rec in iter_records(sf, query, action="reading milestones"):
        agg.add(rec)
        if progress is not None and report.scanned % 500 == 0:
            progress(report.scanned, report.expected)
    if progress is not None:
        progress(report.scanned, report.expected)
    return report
