"""Case histories for the backtest tests, on top of the shared `FakeOrg`.

    bt = BacktestOrg(org)                     # defines EmailMessage, CaseComment, CaseHistory, CaseStatus
    acct = bt.account("Gold")
    case = bt.case(acct, "2026-02-06T21:30:00Z", owner=bt.queue)
    bt.change(case, "Owner", bt.queue, bt.agent, "2026-02-09T14:20:00Z")   # two rows, as Salesforce writes
    bt.email(case, "2026-02-09T16:00:00Z"); bt.comment(case, ...); bt.close(case, ...); bt.reopen(case, ...)
    FakeBulkQuery(org)                        # Bulk API 2.0 query jobs (kind "bulk")

Shapes follow the Object Reference: CaseHistory has CaseId, Field, OldValue, NewValue, CreatedDate
(a foreign-key change such as Owner writes two rows: names, then Ids); EmailMessage has ParentId,
Incoming, Status ('3' = Sent), MessageDate; CaseComment has ParentId, IsPublished, CreatedById
(User.UserType 'Standard' for internal users); CaseStatus has ApiName, MasterLabel, IsClosed.

Bulk API 2.0 query (Bulk API 2.0 Developer Guide): POST jobs/query -> UploadComplete; GET the job
(InProgress, then JobComplete); GET .../results?maxRecords=N[&locator=L] returns CSV with the
SELECT's field paths as the header (`MilestoneType.Name`) and the next locator in `Sforce-Locator`
("null" on the last set). Queries with GROUP BY, OFFSET, aggregates or child sub-queries are
refused with 400 API_ERROR / INVALIDJOB as Salesforce documents.
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlparse

from tests.fakes.ids import KEY_PREFIXES, IdFactory

NY = "America/New_York"


def define_objects(org) -> None:
    for name, prefix in (("EmailMessage", "02s"), ("CaseComment", "00a"), ("CaseHistory", "017"),
                         ("CaseStatus", "01J")):
        KEY_PREFIXES.setdefault(name, prefix)
    org.define("EmailMessage", {"ParentId": "reference:Case", "Incoming": "boolean", "Status": "picklist",
                                "MessageDate": "datetime", "Subject": "string"})
    org.define("CaseComment", {"ParentId": "reference:Case", "IsPublished": "boolean", "CommentBody": "textarea"})
    org.define("CaseHistory", {"CaseId": "reference:Case", "Field": "picklist", "OldValue": "anyType",
                               "NewValue": "anyType", "DataType": "picklist"})
    org.define("CaseStatus", {"ApiName": "string", "MasterLabel": "string", "IsClosed": "boolean"})
    if "UserType" not in org.objects["User"]:
        org.add_field("User", "UserType", "picklist")
    if "Support_Tier__c" not in org.objects["Account"]:
        org.add_field("Account", "Support_Tier__c", "picklist")


class BacktestOrg:
    def __init__(self, org):
        self.org = org
        define_objects(org)
        for status, closed in (("New", False), ("Working", False), ("Closed", True), ("Solved", True)):
            org.insert("CaseStatus", {"ApiName": status, "MasterLabel": status, "IsClosed": closed})
        self.agent = org.insert("User", {"Name": "Dana Reyes", "IsActive": True, "UserType": "Standard"})
        self.customer = org.insert("User", {"Name": "Portal Pat", "IsActive": True, "UserType": "PowerCustomerSuccess"})
        self.queue = org.insert("Group", {"Name": "Tier 1 Queue", "DeveloperName": "Tier_1", "Type": "Queue"})
        self.names = {self.agent: "Dana Reyes", self.customer: "Portal Pat", self.queue: "Tier 1 Queue"}

    @classmethod
    def on(cls, org, cases: dict[str, str]) -> "BacktestOrg":
        """The helpers for an org `scenario()` already filled (its agent and queue, no new records)."""
        bt = cls.__new__(cls)
        bt.org, bt.agent, bt.queue = org, cases["agent"], cases["queue"]
        bt.names = {bt.agent: "Dana Reyes", bt.queue: "Tier 1 Queue"}
        return bt

    def account(self, tier: str | None, name: str | None = None) -> str:
        return self.org.insert("Account", {"Name": name or f"{tier} customer", "Support_Tier__c": tier})

    def case(self, account: str, created: str, *, owner: str | None = None, status: str = "New", **fields) -> str:
        return self.org.insert("Case", {"AccountId": account, "CreatedDate": created, "Status": status,
                                        "OwnerId": owner or self.agent, "Subject": "help", **fields})

    def change(self, case: str, field: str, old, new, at: str) -> None:
        """One CaseHistory change (and the org's current value). Owner writes a names row and an Ids row."""
        if field == "Owner":
            self.org.insert("CaseHistory", {"CaseId": case, "Field": "Owner", "OldValue": self.names.get(old, old),
                                            "NewValue": self.names.get(new, new), "DataType": "Text",
                                            "CreatedDate": at})
            self.org.insert("CaseHistory", {"CaseId": case, "Field": "Owner", "OldValue": old, "NewValue": new,
                                            "DataType": "EntityId", "CreatedDate": at})
            self.org.records["Case"][case]["OwnerId"] = new
            return
        self.org.insert("CaseHistory", {"CaseId": case, "Field": field, "OldValue": old, "NewValue": new,
                                        "CreatedDate": at})
        rec = self.org.records["Case"][case]
        rec[field] = new
        if field == "Status":
            closed = new in ("Closed", "Solved")
            rec["IsClosed"] = closed
            rec["ClosedDate"] = at if closed else rec.get("ClosedDate")

    def close(self, case: str, at: str, old: str = "New") -> None:
        self.change(case, "Status", old, "Closed", at)

    def reopen(self, case: str, at: str) -> None:
        self.change(case, "Status", "Closed", "Working", at)

    def email(self, case: str, at: str, *, incoming: bool = False, status: str = "3") -> str:
        return self.org.insert("EmailMessage", {"ParentId": case, "Incoming": incoming, "Status": status,
                                                "MessageDate": at, "CreatedDate": at, "Subject": "re: help"})

    def comment(self, case: str, at: str, *, public: bool = True, internal: bool = True) -> str:
        return self.org.insert("CaseComment", {"ParentId": case, "IsPublished": public, "CommentBody": "on it",
                                               "CreatedById": self.agent if internal else self.customer,
                                               "CreatedDate": at})


class FakeBulkQuery:
    """Bulk API 2.0 query jobs for the fake org; `polls_before_complete` InProgress answers first,
    `fail_next_job = True` makes the next job end Failed."""

    def __init__(self, org):
        from tests.fakes.rest import run_soql

        self.org, self.run_soql = org, run_soql
        self.ids = IdFactory(pod="7q")
        self.jobs: dict[str, dict] = {}
        self.polls_before_complete = 1
        self.fail_next_job = False  # the next job ends Failed ("Query timed out")
        v = r"/services/data/v[\d.]+/jobs/query"
        org.route("POST", v + r"/?$", "bulk")(self._create)
        org.route("GET", v + r"/(?P<job>\w+)/?$", "bulk")(self._info)
        org.route("GET", v + r"/(?P<job>\w+)/results/?$", "bulk")(self._results)

    def _create(self, org, request, match):
        from tests.fakes.evaluate import QueryError
        from tests.fakes.soql import Unsupported, parse

        body = json.loads(request.body)
        soql = body.get("query") or ""
        refused = [{"errorCode": "API_ERROR", "message": "This query is not supported by Bulk API 2.0"}]
        try:
            q = parse(soql)
        except Unsupported:
            return 400, refused
        if body.get("operation") not in ("query", "queryAll") or q.is_aggregate or q.count_only or q.offset:
            return 400, refused
        try:
            rows, _ = self.run_soql(org, soql)
        except QueryError as exc:
            return 400, [{"errorCode": exc.code, "message": exc.message}]
        paths = [f.path for f in q.fields]
        job_id = self.ids.new("Bulk2Job")
        self.jobs[job_id] = {"id": job_id, "state": "UploadComplete", "polls": 0, "paths": paths,
                             "rows": [[_csv(_at(r, p)) for p in paths] for r in rows], "object": q.sobject,
                             "final": "Failed" if self.fail_next_job else "JobComplete"}
        self.fail_next_job = False
        return 200, self._public(self.jobs[job_id])

    def _info(self, org, request, match):
        job = self.jobs.get(match.group("job"))
        if job is None:
            return 404, [{"errorCode": "NOT_FOUND", "message": "job not found"}]
        job["polls"] += 1
        job["state"] = "InProgress" if job["polls"] <= self.polls_before_complete else job["final"]
        out = self._public(job)
        if job["final"] == "Failed":
            out["errorMessage"] = "Query timed out"
        return 200, out

    def _results(self, org, request, match):
        job = self.jobs.get(match.group("job"))
        if job is None or job["state"] != "JobComplete":
            return 400, [{"errorCode": "INVALIDJOBSTATE", "message": "job is not complete"}]
        q = parse_qs(urlparse(request.url).query)
        size = int((q.get("maxRecords") or ["50000"])[0])
        start = int((q.get("locator") or ["0"])[0])
        part = job["rows"][start:start + size]
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(job["paths"])
        w.writerows(part)
        nxt = start + size
        locator = str(nxt) if nxt < len(job["rows"]) else "null"
        return 200, out.getvalue(), {"Content-Type": "text/csv", "Sforce-Locator": locator,
                                     "Sforce-NumberOfRecords": str(len(part))}

    @staticmethod
    def _public(job: dict) -> dict:
        return {"id": job["id"], "operation": "query", "object": job["object"], "state": job["state"],
                "contentType": "CSV", "apiVersion": 62.0, "lineEnding": "LF", "columnDelimiter": "COMMA"}


def _at(rec, path: str):
    for part in path.split("."):
        if not isinstance(rec, dict):
            return None
        rec = rec.get(part)
    return rec


def _csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def scenario(org) -> dict[str, str]:
    """The cases tests/http/test_backtest.py replays (times UTC; New York is UTC-5 in February).

    Gold, on 09:00-17:00 New York with a holiday on Mon 2026-02-16:
      A  Fri 02-06 16:30 NY, queue-owned; assigned to an agent Mon 09:20; email Mon 11:00; closed Tue 10:00
      B  Fri 02-13 16:00 NY, agent-owned; email Tue 02-17 11:10 (Monday is the holiday); closed Wed 15:00
      C  Mon 02-23 09:00 NY, queue-owned; stopped 10:00, resumed Tue 10:00; email Tue 12:30; still open
      D  Wed 02-25 09:00 NY, agent-owned; noise (an incoming email, a customer's comment, a private
         comment), a public agent comment 09:30; closed 10:00, reopened 11:00, closed Thu 15:00
      E  Mon 02-23 09:00 NY, agent-owned; L2_Assigned__c true 11:00, false 16:00; no response; closed Tue 10:00
      G  Mon 03-02 09:40 NY, queue-owned; open (the period ends at 10:00 NY)
      H  Tue 02-17 09:00 NY, agent-owned; closed 10:00 without any response
    Standard: S  Thu 02-19 10:00 NY; email Fri 09:30.
    Not replayed: N (an account of no tier), J (a Gold case of January, before the period).
    Recorded (CaseMilestone): A First Response met; C Agent Assignment violated.
    """
    from tests.fakes.audit_org import DAYS, hours_fields

    bt = BacktestOrg(org)
    org.add_field("Case", "L2_Assigned__c", "boolean")
    hours = org.insert("BusinessHours", {"Name": "US Business Hours", "IsActive": True, "IsDefault": True,
                                         "TimeZoneSidKey": NY, **hours_fields({d: ("09:00", "17:00") for d in DAYS[:5]})})
    types = {n: org.insert("MilestoneType", {"Name": n, "RecurrenceType": "recursNever"})
             for n in ("First Response", "Agent Assignment")}
    gold, std, none = bt.account("Gold"), bt.account("Standard"), bt.account(None, "No tier Inc")
    c: dict[str, str] = {"agent": bt.agent, "queue": bt.queue, "hours": hours}
    z = "T{}:00.000+0000".format

    c["A"] = bt.case(gold, "2026-02-06" + z("21:30"), owner=bt.queue)
    bt.change(c["A"], "Owner", bt.queue, bt.agent, "2026-02-09" + z("14:20"))
    bt.email(c["A"], "2026-02-09" + z("16:00"))
    bt.close(c["A"], "2026-02-10" + z("15:00"))

    c["B"] = bt.case(gold, "2026-02-13" + z("21:00"))
    bt.email(c["B"], "2026-02-17" + z("16:10"))
    bt.close(c["B"], "2026-02-18" + z("20:00"))

    c["C"] = bt.case(gold, "2026-02-23" + z("14:00"), owner=bt.queue, IsStopped=False)
    bt.change(c["C"], "IsStopped", False, True, "2026-02-23" + z("15:00"))
    bt.change(c["C"], "IsStopped", True, False, "2026-02-24" + z("15:00"))
    bt.email(c["C"], "2026-02-24" + z("17:30"))

    c["D"] = bt.case(gold, "2026-02-25" + z("14:00"))
    bt.email(c["D"], "2026-02-25" + z("14:05"), incoming=True)
    bt.comment(c["D"], "2026-02-25" + z("14:10"), internal=False)
    bt.comment(c["D"], "2026-02-25" + z("14:20"), public=False)
    bt.comment(c["D"], "2026-02-25" + z("14:30"))
    bt.close(c["D"], "2026-02-25" + z("15:00"))
    bt.reopen(c["D"], "2026-02-25" + z("16:00"))
    bt.close(c["D"], "2026-02-26" + z("20:00"), old="Working")

    c["E"] = bt.case(gold, "2026-02-23" + z("14:00"), L2_Assigned__c=False)
    bt.change(c["E"], "L2_Assigned__c", False, True, "2026-02-23" + z("16:00"))
    bt.change(c["E"], "L2_Assigned__c", True, False, "2026-02-23" + z("21:00"))
    bt.close(c["E"], "2026-02-24" + z("15:00"))

    c["G"] = bt.case(gold, "2026-03-02" + z("14:40"), owner=bt.queue)

    c["H"] = bt.case(gold, "2026-02-17" + z("14:00"))
    bt.close(c["H"], "2026-02-17" + z("15:00"))

    c["S"] = bt.case(std, "2026-02-19" + z("15:00"))
    bt.email(c["S"], "2026-02-20" + z("14:30"))

    c["N"] = bt.case(none, "2026-02-19" + z("15:00"))
    c["J"] = bt.case(gold, "2026-01-20" + z("15:00"))

    org.insert("CaseMilestone", {"CaseId": c["A"], "MilestoneTypeId": types["First Response"],
                                 "StartDate": "2026-02-06" + z("21:30"), "TargetDate": "2026-02-09" + z("17:30"),
                                 "CompletionDate": "2026-02-09" + z("16:00"), "BusinessHoursId": hours})
    org.insert("CaseMilestone", {"CaseId": c["C"], "MilestoneTypeId": types["Agent Assignment"],
                                 "StartDate": "2026-02-23" + z("14:00"), "TargetDate": "2026-02-23" + z("14:30"),
                                 "BusinessHoursId": hours})
    return c
