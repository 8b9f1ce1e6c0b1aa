"""--wait-actions: poll for the side effects of milestone actions (field updates and tasks on the
smoke cases) with back-off, up to a time limit, and report which fired and when.

Salesforce queues time-dependent workflow actions and runs them in batches that start within
about an hour of being due, sometimes later. One poll reads the watched Case fields (one query)
and the Tasks on the watched cases (one query); the delay between polls doubles from
FIRST_DELAY up to MAX_DELAY, so a 75-minute wait costs about 20 polls. A side effect the API
cannot read (email alerts: `Expect.observable` false) is reported as skipped, with its kind's reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from slakit.org.soql import query_list, soql
from slakit.salesforce import CASE
from slakit.smoke.checks import parse_dt, show_dt
from slakit.smoke.report import Check
from slakit.smoke.scenarios import ExpectedAction, _show, action_name

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

FIRST_DELAY = 30.0
MAX_DELAY = 300.0


@dataclass
class Watch:
    tier: str
    action: ExpectedAction
    sources: list[str]  # "L2 Dwell on_violation", ...
    case_id: str
    since: dt.datetime | None  # when it became due (target / completion), for "fired N min after"
    seen_at: dt.datetime | None = None
    value: Any = None

    @property
    def name(self) -> str:
        return action_name(self.action, self.sources)


def _matches(action: ExpectedAction, value: Any) -> bool:
    if action.value == "now":
        return value not in (None, "")
    if isinstance(action.value, bool):
        return value is action.value or str(value).lower() == str(action.value).lower()
    return value is not None and str(value) == str(action.value)


def _after(w: Watch) -> str:
    if not (w.since and w.seen_at):
        return ""
    minutes = (w.seen_at - w.since).total_seconds() / 60
    return f", {minutes:+.0f} min from the target"


def poll_actions(sf: Salesforce, watches: list[Watch], case_fields: set[str], *, timeout: float, now: Callable[[],
                 dt.datetime],
                 sleep: Callable[[float], None], say: Callable[[str], None]) -> list[Check]:
    """Poll until every watched side effect is seen or `timeout` seconds pass; one Check each."""
    checks: list[Check] = []
    pending: list[Watch] = []
    for w in watches:
        if not w.action.expect.observable:
            checks.append(Check(w.tier, w.name, "skip", message=w.action.expect.unseen))
        elif w.action.kind == "field" and (w.action.field or "").lower() not in case_fields:
            checks.append(Check(w.tier, w.name, "fail", expected=CASE.field(w.action.field or ""),
                                observed=f"no such field on {CASE.sobject}", message="the field the action sets is missing"))
        else:
            pending.append(w)
    start = now()
    delay = FIRST_DELAY
    polls = 0
    max_polls = int(timeout // MAX_DELAY) + 8  # the back-off needs fewer; bounded even if the clock stalls
    while pending:
        polls += 1
        _observe(sf, pending, now())
        pending = [w for w in pending if w.seen_at is None]
        elapsed = (now() - start).total_seconds()
        if not pending or elapsed >= timeout or polls >= max_polls:
            break
        wait = min(delay, timeout - elapsed)
        say(f"waiting for {len(pending)} action(s): poll {polls}, next in {wait:.0f}s "
            f"({elapsed / 60:.0f} of {timeout / 60:.0f} min)")
        sleep(wait)
        delay = min(delay * 2, MAX_DELAY)
    waited = (now() - start).total_seconds()
    for w in watches:
        if not w.action.expect.observable or (w.action.kind == "field" and (w.action.field or "").lower() not in case_fields):
            continue
        expected = (f"{w.action.label()} on the {w.action.case} case" +
                    (f" (target {show_dt(w.since)})" if w.since else ""))
        if w.seen_at is not None:
            shown = _show(w.value) if w.action.kind == "field" else "created"
            checks.append(Check(w.tier, w.name, "pass", expected=expected,
                                observed=f"{shown} at {show_dt(w.seen_at)}{_after(w)}", seconds=waited))
        else:
            checks.append(Check(w.tier, w.name, "fail", expected=expected,
                                observed=f"not seen after {waited / 60:.0f} min ({polls} polls)", seconds=waited,
                                message="Salesforce may still run it later; raise --actions-timeout to wait longer"))
    return checks


def _observe(sf: Salesforce, pending: list[Watch], at: dt.datetime) -> None:
    cases = sorted({w.case_id for w in pending})
    fields = sorted({w.action.field for w in pending if w.action.kind == "field" and w.action.field})
    if fields:
        rows = query_list(sf, soql(f"SELECT Id, LastModifiedDate, {', '.join(fields)} FROM {CASE.sobject} WHERE Id IN {{}}",
                                   cases), action="reading smoke cases")
        by_id = {r["Id"][:15]: r for r in rows}
        for w in pending:
            row = by_id.get(w.case_id[:15])
            if w.action.kind == "field" and row is not None and _matches(w.action, row.get(w.action.field)):
                w.seen_at = parse_dt(row.get("LastModifiedDate")) or at
                w.value = row.get(w.action.field)
    if any(w.action.kind == "task" for w in pending):
        rows = query_list(sf, soql("SELECT Id, WhatId, Subject, CreatedDate FROM Task WHERE WhatId IN {}", cases),
                          action="reading tasks on smoke cases")
        for w in pending:
            if w.action.kind != "task":
                continue
            for r in rows:
                if str(r.get("WhatId"))[:15] == w.case_id[:15] and (r.get("Subject") or "") == (w.action.subject or ""):
                    w.seen_at = parse_dt(r.get("CreatedDate")) or at
                    break
