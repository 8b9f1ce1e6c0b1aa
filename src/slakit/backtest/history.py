"""Reading a period's cases and their histories from the org, batched, into `CaseFacts`.

Per page of cases (at most 2,000, from REST paging or a Bulk API 2.0 query job), histories are
read for batches of `BATCH` case Ids with `IN (...)` clauses, one query per object and batch,
never one per case:
- EmailMessage `Incoming = false AND Status = '3'` (sent) and CaseComment `IsPublished = true AND
  CreatedBy.UserType = 'Standard'` (internal user): the first response, as the rendered
  completion flows define it (only when a milestone completes on `first_response`);
- CaseHistory rows of the fields the replay needs: `Owner` / `ownerAssignment` / `ownerAccepted`
  (the Id rows: a foreign-key change writes one row with names and one with Ids, Object Reference
  "CaseHistory"), `Status`, `IsStopped` and the fields of `applies_when` / `completes_when`;
- CaseMilestone: what the org recorded (IsViolated, CompletionDate), for the side-by-side view.
A batch of 200 Ids keeps each GET under 6,000 characters of URL.

Field history is only written for tracked fields. `tracked_fields` asks which of the needed fields
have any CaseHistory row in the period (one `LIMIT 1` query per field); the others are "unseen": their
past values cannot be known, so verdicts that depend on them say `unknown`. Status without
history still gives the close from `ClosedDate` (a reopen is then invisible); a pause without
`IsStopped` history is only known while the case is stopped now (`StopStartDate`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Iterable, Iterator

from slakit.audit.durations import parse_sf_datetime, soql_datetime
from slakit.backtest.verdict import CaseFacts, Timeline
from slakit.org.errors import org_errors
from slakit.org.soql import in_chunks, soql
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

BATCH = 200
CASE_FIELDS = ("Id", "CaseNumber", "AccountId", "CreatedDate", "ClosedDate", "IsClosed", "Status", "OwnerId",
               "BusinessHoursId", "IsStopped", "StopStartDate")
OWNER_FIELDS = ("Owner", "ownerAssignment", "ownerAccepted")
RECORDED_FIELDS = (f"{CASE.parent_field}, MilestoneType.Name, StartDate, TargetDate, CompletionDate, IsCompleted, "
                   f"IsViolated, BusinessHoursId, {CASE.via('BusinessHoursId')}")
ID_RE = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")


def rows(sf: Salesforce, query: str, policy, action: str) -> Iterator[dict]:
    """Records of `query` page by page, each page retried by backfill's `RetryPolicy` (5xx, timeouts)."""
    from slakit.backfill.stream import records

    with org_errors(action):
        yield from records(sf, query, policy)


def history_names(case_fields: Iterable[str]) -> list[str]:
    """CaseHistory `Field` values for Case field names (OwnerId -> Owner and its special values)."""
    out: list[str] = []
    for name in case_fields:
        for f in (OWNER_FIELDS if name == "OwnerId" else (name,)):
            if f not in out:
                out.append(f)
    return out


def tracked_fields(sf: Salesforce, case_fields: list[str], since: dt.datetime, until: dt.datetime, policy) -> set[str]:
    """Case fields with at least one CaseHistory row in [since, until): one `LIMIT 1` probe per field
    (selective and cheap on a large history table, where an aggregate over it could time out)."""
    seen = set()
    for name in case_fields:
        query = soql("SELECT Id FROM CaseHistory WHERE Field IN {} AND CreatedDate >= {:literal} AND CreatedDate "
                     "< {:literal} LIMIT 1", history_names([name]), soql_datetime(since), soql_datetime(until))
        if next(rows(sf, query, policy, "reading which fields have history"), None) is not None:
            seen.add(name)
    return seen


def closed_statuses(sf: Salesforce, policy) -> set[str]:
    found = rows(sf, "SELECT ApiName, MasterLabel FROM CaseStatus WHERE IsClosed = true", policy,
                 "reading closed case statuses")
    return {str(v).lower() for r in found for v in (r.get("ApiName"), r.get("MasterLabel")) if v}


def case_soql(fields: Iterable[str], since: dt.datetime, until: dt.datetime, where: str | None) -> str:
    text = (f"SELECT {', '.join(fields)} FROM {CASE.sobject} WHERE CreatedDate >= {soql_datetime(since)} "
            f"AND CreatedDate < {soql_datetime(until)}")
    return text + (f" AND {where}" if where else "")


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _is_owner_id(value: object) -> bool:
    """A User (005) or queue (00G) Id, as the Ids row of an Owner change carries."""
    return isinstance(value, str) and value[:3] in ("005", "00G") and bool(ID_RE.match(value))


class HistoryReader:
    """Reads the histories of a page of cases, batched, and builds their `CaseFacts`."""

    def __init__(self, sf: Salesforce, *, fields: list[str], tracked: set[str], closed: set[str], responses: bool,
                 recorded: bool, until: dt.datetime, policy, batch: int = BATCH):
        self.sf, self.fields, self.tracked, self.closed = sf, fields, tracked, closed
        self.responses, self.recorded, self.until, self.batch = responses, recorded, until, batch
        self.policy = policy
        self.history_fields = history_names([f for f in fields if f in tracked] +
                                            [f for f in ("Status", "IsStopped") if f in tracked])
        self.unseen = frozenset(f for f in fields if f not in tracked and f not in ("Status", "IsStopped"))

    def _rows(self, query: str, action: str) -> Iterator[dict]:
        yield from rows(self.sf, query, self.policy, action)

    def facts(self, cases: list[dict]) -> Iterator[tuple[dict, CaseFacts, list[dict]]]:
        """(case record, facts, recorded CaseMilestones) for every case of the page, in page order."""
        for chunk in in_chunks(cases, self.batch):
            ids = [c["Id"] for c in chunk]
            responses: dict[str, list[dt.datetime]] = {}
            changes: dict[str, list[dict]] = {}
            recorded: dict[str, list[dict]] = {}
            if self.responses:
                for r in self._rows(soql("SELECT ParentId, MessageDate, CreatedDate FROM EmailMessage WHERE "
                                         "ParentId IN {} AND Incoming = false AND Status = '3'", ids),
                                    "reading outbound emails"):
                    when = parse_sf_datetime(r.get("MessageDate") or r.get("CreatedDate"))
                    if when is not None:
                        responses.setdefault(r["ParentId"][:15], []).append(when)
                for r in self._rows(soql("SELECT ParentId, CreatedDate FROM CaseComment WHERE ParentId IN {} AND "
                                         "IsPublished = true AND CreatedBy.UserType = 'Standard'", ids),
                                    "reading case comments"):
                    when = parse_sf_datetime(r.get("CreatedDate"))
                    if when is not None:
                        responses.setdefault(r["ParentId"][:15], []).append(when)
            if self.history_fields:
                for r in self._rows(soql("SELECT CaseId, Field, OldValue, NewValue, CreatedDate FROM CaseHistory "
                                         "WHERE CaseId IN {} AND Field IN {}", ids, self.history_fields),
                                    "reading case history"):
                    changes.setdefault(r["CaseId"][:15], []).append(r)
            if self.recorded:
                query = f"SELECT {RECORDED_FIELDS} FROM {CASE.milestone_object} WHERE {CASE.parent_field} IN {{}}"
                for r in self._rows(soql(query, ids), "reading recorded milestones"):
                    recorded.setdefault(r[CASE.parent_field][:15], []).append(r)
            for case in chunk:
                key = case["Id"][:15]
                yield case, self.build(case, changes.get(key, []), responses.get(key, [])), recorded.get(key, [])

    def build(self, case: dict, rows: list[dict], responses: list[dt.datetime]) -> CaseFacts:
        created = parse_sf_datetime(case.get("CreatedDate"))
        assert created is not None
        by_field: dict[str, list[tuple[dt.datetime, object, object]]] = {}
        for r in rows:
            when = parse_sf_datetime(r.get("CreatedDate"))
            if when is None:
                continue
            name = str(r.get("Field"))
            old, new = r.get("OldValue"), r.get("NewValue")
            if name in OWNER_FIELDS:
                if not (_is_owner_id(new) or _is_owner_id(old)):
                    continue  # the row carrying names; its twin carries the Ids
                name = "OwnerId"
            by_field.setdefault(name, []).append((when, old, new))
        timelines: dict[str, Timeline] = {}
        for name in set(self.fields) | {"OwnerId"}:
            changes = sorted(by_field.get(name, []), key=lambda x: x[0])
            initial = changes[0][1] if changes else case.get(name)
            # a change stamped at (or before) the creation, e.g. an assignment rule, is the initial state
            timelines[name] = [(created, initial)] + [(max(t, created), new) for t, _, new in changes]
        timelines["IsClosed"] = self._closed_timeline(case, created, by_field.get("Status", []))
        stops = self._stops(case, created, by_field.get("IsStopped", []))
        return CaseFacts(case_id=case["Id"], number=str(case.get("CaseNumber") or ""), created=created,
                         timelines=timelines, responses=sorted(responses), stops=stops, unseen=self.unseen,
                         business_hours_id=case.get("BusinessHoursId"))

    def _closed_timeline(self, case: dict, created: dt.datetime, rows: list) -> Timeline:
        rows = sorted(rows, key=lambda x: x[0])
        closed = self.closed
        line: Timeline = [(created, bool(rows) and str(rows[0][1] or "").lower() in closed)]
        for t, _, new in rows:
            line.append((max(t, created), str(new or "").lower() in closed))
        if _truthy(case.get("IsClosed")) and line[-1][1] is not True:
            closed_at = parse_sf_datetime(case.get("ClosedDate"))
            line.append((max(closed_at or created, created), True))
        return line

    def _stops(self, case: dict, created: dt.datetime, rows: list) -> list[tuple[dt.datetime, dt.datetime]]:
        spans, since = [], None
        for t, _, new in sorted(rows, key=lambda x: x[0]):
            if _truthy(new) and since is None:
                since = t
            elif not _truthy(new) and since is not None:
                spans.append((since, t))
                since = None
        if since is None and _truthy(case.get("IsStopped")):
            since = parse_sf_datetime(case.get("StopStartDate"))
        if since is not None:
            spans.append((since, max(self.until, since + dt.timedelta(minutes=1))))
        return spans


def read_pages(sf: Salesforce, query: str, *, use_bulk: bool, policy=None, sleep=None) -> Iterator[list[dict]]:
    """Pages of case records: REST (nextRecordsUrl, 2,000 a page) or one Bulk API 2.0 query job."""
    if use_bulk:
        from slakit.backtest.bulkquery import bulk_pages

        with org_errors("reading cases (Bulk API 2.0 query)"):  # a failed job is an OrgError with the fix
            yield from bulk_pages(sf, query, policy=policy, sleep=sleep)
        return
    from slakit.backfill.retry import RetryPolicy
    from slakit.backfill.stream import pages

    with org_errors("reading cases"):
        for page in pages(sf, query, policy or RetryPolicy(sleep=sleep)):
            yield page.get("records") or []
