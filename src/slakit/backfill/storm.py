"""How many open cases `backfill --cases` would stamp already violated (the "violation storm").

A stamped case's milestones count from `Case.SlaStartDate` (the processes start there). With
`--sla-start now` (the default) the clock starts at the stamp, so no case is violated at once;
with `--sla-start created` it starts at the case's CreatedDate, and an old case is violated as
soon as it is stamped. For each tier the threshold is the latest creation instant whose target
is already past: a milestone that starts with the process (no `applies_when`) on its own
business hours, the earliest of the tier's milestones to expire. Cases created at or before it
are counted with one COUNT() query, so the dry run downloads no case. Milestones with criteria
(whether they apply cannot be told offline) and hours the file does not define are left out.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from slakit import clock
from slakit.config.project import Project, Tier
from slakit.org.soql import soql

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

SLA_STARTS = ("now", "created")
MAX_BACK = dt.timedelta(days=3660)  # past ten years back nothing in a plan changes


def _latest_violated_creation(cal: clock.Calendar | None, minutes: int, now: dt.datetime) -> dt.datetime | None:
    """The latest instant t (to the minute) with target(t, minutes) < now; None if none within MAX_BACK."""
    def past(t: dt.datetime) -> bool:
        return clock.add(cal, t, minutes) < now

    step = dt.timedelta(minutes=max(1, minutes))
    lo = now - step
    while not past(lo):
        step *= 2
        if step > MAX_BACK:
            return None
        lo = now - step
    hi = now  # past(now) is False: a limit is at least a minute
    while hi - lo > dt.timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(second=0, microsecond=0)
        if mid <= lo:
            break
        if past(mid):
            lo = mid
        else:
            hi = mid
    return lo


def violation_threshold(project: Project, tier: Tier, now: dt.datetime) -> dt.datetime | None:
    """Cases of `tier` created at or before this instant are violated the moment they are stamped
    with a process start at their CreatedDate."""
    from slakit.simulate import calendar_for

    best: dt.datetime | None = None
    for ms in tier.milestones:
        if ms.criteria or ms.criteria_formula:
            continue
        hours = project.hours_for(tier, ms)
        if hours is not None and not hours.known:
            continue
        t = _latest_violated_creation(calendar_for(hours), ms.time_limit_minutes, now)
        if t is not None and (best is None or t > best):
            best = t
    return best


def sf_instant(instant: dt.datetime) -> str:
    """A datetime value for a REST write: 2026-03-02T15:00:00.000Z."""
    return instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def soql_instant(instant: dt.datetime) -> str:
    """A SOQL datetime literal: 2026-03-02T15:00:00Z."""
    return instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def count_violated(sf: Salesforce, project: Project, target, result, now: dt.datetime, sla_start: str) -> None:
    """Fill `cases_violated_if_created` (one COUNT() of the open cases created at or before the
    tier's threshold) and `cases_violated_at_once` (the same with --sla-start created, else 0)."""
    from slakit.backfill.plan import open_cases_soql
    from slakit.org.errors import org_errors

    count = 0
    threshold = violation_threshold(project, project.tier(target.name), now) if result.cases_planned else None
    if threshold is not None:
        query = open_cases_soql(target, "COUNT()", extra=soql("CreatedDate <= {:literal}", soql_instant(threshold)))
        with org_errors(f"counting open cases of tier '{target.name}' past their targets"):
            count = int(sf.query(query)["totalSize"])
    result.cases_violated_if_created = count
    result.cases_violated_at_once = count if sla_start == "created" else 0
