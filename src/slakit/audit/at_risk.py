"""`slakit at-risk`: open, uncompleted CaseMilestones that are violated or due within a window of
business time, soonest first, with the business time remaining from the clock.

The window is business time: a milestone is listed when the open minutes between now and its
target (on the milestone's own business hours) are at most `within`. SOQL cannot filter on that,
so the query is bounded by the latest instant any calendar reaches after `within` business
minutes (remaining <= within  <=>  target <= add(now, within), per calendar); rows past their own
calendar's bound are dropped. Paused cases (Case.IsStopped) keep the remaining time they had when
they stopped. Ordering: business minutes remaining ascending (most overdue first), then target.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slakit import clock
from slakit.audit.durations import parse_sf_datetime, short, soql_datetime
from slakit.audit.hours import HoursBook, load_hours
from slakit.org.soql import iter_records, soql
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.config.project import Project

TIER_PATH = CASE.via("Entitlement.SlaProcess.Name")  # the tier: the record's entitlement's process
FIELDS = ", ".join(["Id", CASE.parent_field, *map(CASE.via, ("CaseNumber", "Subject", "Account.Name", "Owner.Name")),
                    TIER_PATH, "MilestoneType.Name", "StartDate", "TargetDate", "BusinessHoursId",
                    *map(CASE.via, ("BusinessHoursId", CASE.stopped_field, "StopStartDate"))])
NO_TIER = "(no entitlement)"


@dataclass
class AtRiskRow:
    case_number: str
    case_id: str
    subject: str | None
    account: str | None
    tier: str
    milestone: str
    owner: str | None
    target: dt.datetime
    remaining_minutes: int  # business minutes; negative = overdue by that much
    state: str  # violated | due | paused
    hours: str | None

    def as_dict(self) -> dict:
        return {"case_number": self.case_number, "case_id": self.case_id, "subject": self.subject,
                "account": self.account, "tier": self.tier, "milestone": self.milestone, "owner": self.owner,
                "target": self.target.astimezone(dt.timezone.utc).isoformat(), "state": self.state,
                "remaining_minutes": self.remaining_minutes, "remaining": short(self.remaining_minutes),
                "business_hours": self.hours}


@dataclass
class AtRisk:
    now: dt.datetime
    within_minutes: int
    rows: list[AtRiskRow] = field(default_factory=list)
    scanned: int = 0

    def counts(self) -> dict[str, int]:
        out = {"violated": 0, "due": 0, "paused": 0}
        for r in self.rows:
            out[r.state] += 1
        return out

    def as_dict(self) -> dict:
        return {"now": self.now.astimezone(dt.timezone.utc).isoformat(), "within_minutes": self.within_minutes,
                "scanned": self.scanned, "counts": self.counts(), "milestones": [r.as_dict() for r in self.rows]}


def _get(rec: dict | None, path: str):
    for part in path.split("."):
        if not isinstance(rec, dict):
            return None
        rec = rec.get(part)
    return rec


def build_query(cutoff: dt.datetime, tiers: list[str] | None) -> str:
    where = f"IsCompleted = false AND {CASE.via(CASE.closed_field)} = false AND TargetDate <= {soql_datetime(cutoff)}"
    if tiers:
        where += soql(f" AND {TIER_PATH} IN {{}}", list(tiers))
    return f"SELECT {FIELDS} FROM {CASE.milestone_object} WHERE {where} ORDER BY TargetDate ASC"


def cutoff_for(book: HoursBook, now: dt.datetime, within: int) -> dt.datetime:
    """The latest target any calendar (or 24/7 wall time) can have and still be within the window."""
    ends = [now + dt.timedelta(minutes=within)]
    ends += [clock.add(cal, now, within) for cal in book.calendars.values() if cal is not None]
    return max(ends) + dt.timedelta(minutes=1)


def classify(rec: dict, book: HoursBook, now: dt.datetime, within: int) -> AtRiskRow | None:
    """The row for one CaseMilestone record, or None when it is not within the window."""
    target = parse_sf_datetime(rec.get("TargetDate"))
    if target is None:
        return None
    hours_id = rec.get("BusinessHoursId") or _get(rec, CASE.via("BusinessHoursId"))
    cal = book.get(hours_id)
    paused = bool(_get(rec, CASE.via(CASE.stopped_field)))
    since = (parse_sf_datetime(_get(rec, CASE.via("StopStartDate"))) or now) if paused else now
    if target < since:
        remaining, state = -clock.diff(cal, target, since), "violated"
    else:
        remaining = clock.diff(cal, since, target)
        if remaining > within:
            return None
        state = "paused" if paused else "due"
    return AtRiskRow(
        case_number=_get(rec, CASE.via("CaseNumber")) or "", case_id=rec.get(CASE.parent_field) or "",
        subject=_get(rec, CASE.via("Subject")), account=_get(rec, CASE.via("Account.Name")),
        tier=_get(rec, TIER_PATH) or NO_TIER,
        milestone=_get(rec, "MilestoneType.Name") or "", owner=_get(rec, CASE.via("Owner.Name")),
        target=target, remaining_minutes=remaining, state=state, hours=book.name(hours_id))


def at_risk(sf: Salesforce, *, within_minutes: int, tiers: list[str] | None = None, now: dt.datetime | None = None,
            project: Project | None = None, book: HoursBook | None = None) -> AtRisk:
    """Milestones violated or due within `within_minutes` business minutes, soonest first."""
    now = now or dt.datetime.now(dt.timezone.utc)
    book = book or load_hours(sf, project)
    result = AtRisk(now=now, within_minutes=within_minutes)
    query = build_query(cutoff_for(book, now, within_minutes), tiers)
    for rec in iter_records(sf, query, action="reading open milestones"):
        result.scanned += 1
        row = classify(rec, book, now, within_minutes)
        if row is not None:
            result.rows.append(row)
    result.rows.sort(key=lambda r: (r.remaining_minutes, r.target, r.case_number))
    return result
