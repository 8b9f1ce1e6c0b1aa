"""Bulk API 2.0 ingest for the fake org, added through `FakeOrg.route` (kind "bulk").

    bulk = FakeBulk(org)                 # after org.install(rsps)
    bulk.polls_before_complete = 2       # InProgress answers before JobComplete
    bulk.lock_rows = 3                   # the first 3 rows processed fail UNABLE_TO_LOCK_ROW
    bulk.fail_job = "InternalServerError: ..."   # the next job ends Failed after processing half

Lifecycle as Salesforce documents it: POST jobs/ingest (state Open) -> PUT .../batches (CSV,
201; once only) -> PATCH state UploadComplete -> GET job (InProgress ... JobComplete) ->
GET successfulResults / failedResults / unprocessedrecords (CSV: `sf__Id`, `sf__Created` or
`sf__Error`, then the columns sent). Rows are written with the org's own validation, so record
failures come from `org.validators` like they do for collections.
"""

from __future__ import annotations

import csv
import io
import json

from tests.fakes.ids import IdFactory


class FakeBulk:
    def __init__(self, org):
        self.org = org
        self.jobs: dict[str, dict] = {}
        self.ids = IdFactory(pod="7b")
        self.polls_before_complete = 0
        self.lock_rows = 0
        self.fail_job: str | None = None
        v = r"/services/data/v[\d.]+/jobs/ingest"
        org.route("POST", v + r"/?$", "bulk")(self._create)
        org.route("PUT", v + r"/(?P<job>\w+)/batches/?$", "bulk")(self._upload)
        org.route("PATCH", v + r"/(?P<job>\w+)/?$", "bulk")(self._patch)
        org.route("GET", v + r"/(?P<job>\w+)/?$", "bulk")(self._info)
        org.route("GET", v + r"/(?P<job>\w+)/(?P<kind>successfulResults|failedResults|unprocessedrecords)/?$",
                  "bulk")(self._results)
        org.route("DELETE", v + r"/(?P<job>\w+)/?$", "bulk")(self._delete)

    # -- handlers --------------------------------------------------------------------------
    def _create(self, org, request, match):
        body = json.loads(request.body)
        if body.get("contentType", "CSV") != "CSV" or body.get("operation") not in ("insert", "delete", "update"):
            return 400, [{"errorCode": "INVALIDJOB", "message": "unsupported job"}]
        if body["object"] not in org.visible_objects():
            return 400, [{"errorCode": "INVALIDJOB", "message": f"Unable to find object: {body['object']}"}]
        job_id = self.ids.new("Bulk2Job")
        self.jobs[job_id] = {"id": job_id, "operation": body["operation"], "object": body["object"],
                             "state": "Open", "contentType": "CSV", "lineEnding": body.get("lineEnding", "LF"),
                             "columnDelimiter": body.get("columnDelimiter", "COMMA"), "data": None,
                             "polls": 0, "ok": [], "failed": [], "unprocessed": [], "columns": []}
        return 200, self._public(self.jobs[job_id])

    def _upload(self, org, request, match):
        job = self.jobs.get(match.group("job"))
        if job is None:
            return 404, [{"errorCode": "NOT_FOUND", "message": "job not found"}]
        if job["state"] != "Open" or job["data"] is not None:
            return 400, [{"errorCode": "INVALIDJOBSTATE", "message": "Job data already uploaded or job closed"}]
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        job["data"] = body.decode("utf-8") if isinstance(body, bytes) else body
        return 201, ""

    def _patch(self, org, request, match):
        job = self.jobs.get(match.group("job"))
        if job is None:
            return 404, [{"errorCode": "NOT_FOUND", "message": "job not found"}]
        state = json.loads(request.body).get("state")
        if state == "Aborted":
            job["state"] = "Aborted"
        elif state == "UploadComplete":
            if job["state"] != "Open":
                return 400, [{"errorCode": "INVALIDJOBSTATE", "message": "job is not open"}]
            self._process(job)
            job["state"] = "UploadComplete"
        return 200, self._public(job)

    def _info(self, org, request, match):
        job = self.jobs.get(match.group("job"))
        if job is None:
            return 404, [{"errorCode": "NOT_FOUND", "message": "job not found"}]
        if job["state"] in ("UploadComplete", "InProgress"):
            job["polls"] += 1
            job["state"] = "InProgress" if job["polls"] <= self.polls_before_complete else job["final"]
        return 200, self._public(job)

    def _results(self, org, request, match):
        job = self.jobs.get(match.group("job"))
        if job is None:
            return 404, [{"errorCode": "NOT_FOUND", "message": "job not found"}]
        kind = match.group("kind")
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        cols = job["columns"]
        if kind == "successfulResults":
            w.writerow(["sf__Id", "sf__Created", *cols])
            for rid, row in job["ok"]:
                w.writerow([rid, "true" if job["operation"] == "insert" else "false", *[row.get(c, "") for c in cols]])
        elif kind == "failedResults":
            w.writerow(["sf__Id", "sf__Error", *cols])
            for err, row in job["failed"]:
                w.writerow([row.get("Id", ""), err, *[row.get(c, "") for c in cols]])
        else:
            w.writerow(cols)
            for row in job["unprocessed"]:
                w.writerow([row.get(c, "") for c in cols])
        return 200, out.getvalue()

    def _delete(self, org, request, match):
        self.jobs.pop(match.group("job"), None)
        return 204, None

    # -- processing ------------------------------------------------------------------------
    def _process(self, job: dict) -> None:
        reader = csv.DictReader(io.StringIO(job["data"] or ""))
        job["columns"] = list(reader.fieldnames or [])
        rows = list(reader)
        stop_at = len(rows) // 2 if self.fail_job else len(rows)
        for n, row in enumerate(rows):
            if n >= stop_at:
                job["unprocessed"].append(row)
                continue
            values = {k: (v if v != "" else None) for k, v in row.items()}
            if self.lock_rows > 0:
                self.lock_rows -= 1
                job["failed"].append(("UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--", row))
                continue
            if job["operation"] == "delete":
                rec = self.org.get_record(values.get("Id"))
                if rec is None:
                    job["failed"].append(("ENTITY_IS_DELETED:entity is deleted:--", row))
                else:
                    self.org.delete(job["object"], rec["Id"])
                    job["ok"].append((rec["Id"], row))
                continue
            values = {k: v for k, v in values.items() if v is not None}
            errors = self.org.validate(job["object"], values, job["operation"])
            if errors:
                e = errors[0]
                job["failed"].append((f"{e['statusCode']}:{e['message']}:{','.join(e.get('fields') or [])} --", row))
                continue
            job["ok"].append((self.org.insert(job["object"], values), row))
        job["final"] = "Failed" if self.fail_job else "JobComplete"
        job["errorMessage"] = self.fail_job
        self.fail_job = None

    @staticmethod
    def _public(job: dict) -> dict:
        out = {k: job[k] for k in ("id", "operation", "object", "state", "contentType", "lineEnding",
                                   "columnDelimiter")}
        out["apiVersion"] = 62.0
        if job["state"] in ("JobComplete", "Failed", "Aborted", "InProgress"):
            out["numberRecordsProcessed"] = len(job["ok"]) + len(job["failed"])
            out["numberRecordsFailed"] = len(job["failed"])
        if job.get("errorMessage") and job["state"] == "Failed":
            out["errorMessage"] = job["errorMessage"]
        return out


# -- a backfill scenario shared by the backfill tests ---------------------------------------------
TIERS_YML = """\
api_version: "62.0"
business_hours:
  - name: US Business Hours
    time_zone: America/New_York
    hours:
      weekdays: "09:00-17:00"
tiers:
  - name: Platinum
    milestones:
      - {name: First Response, time_limit: 2h, completes_when: first_response}
    entitlement:
      accounts: "Support_Tier__c = 'Platinum'"
      term: 12 months
  - name: Gold
    business_hours: US Business Hours
    milestones:
      - {name: First Response, time_limit: 4h, completes_when: first_response}
    entitlement:
      accounts: "Support_Tier__c = 'Gold' OR AnnualRevenue > 1000000"
      term: 12 months
      name: "{tier} Care"
  - name: Standard
    business_hours: US Business Hours
    milestones:
      - {name: First Response, time_limit: 1d, completes_when: first_response}
    entitlement:
      accounts: "Support_Tier__c = 'Standard' OR Support_Tier__c = null"
"""


def seed_processes(org, *, gold: bool = True, standard_active: bool = True, hours: bool = True) -> dict:
    """Account fields, entitlement processes (Gold in two versions, v2 the active default), hours."""
    org.add_field("Account", "Support_Tier__c", "picklist")
    org.add_field("Account", "AnnualRevenue", "double")
    ids = {"Platinum": org.insert("SlaProcess", Name="Platinum", IsActive=True, IsVersionDefault=True,
                                  VersionNumber=1)}
    if gold:
        ids["Gold_v1"] = org.insert("SlaProcess", Name="Gold", IsActive=False, IsVersionDefault=False,
                                    VersionNumber=1)
        ids["Gold"] = org.insert("SlaProcess", Name="Gold", IsActive=True, IsVersionDefault=True, VersionNumber=2,
                                 VersionMaster=ids["Gold_v1"])
    ids["Standard"] = org.insert("SlaProcess", Name="Standard", IsActive=standard_active,
                                 IsVersionDefault=True, VersionNumber=1)
    if hours:
        ids["hours"] = org.insert("BusinessHours", Name="US Business Hours", IsActive=True)
    return ids


def seed_accounts(org, counts: dict[str, int]) -> dict[str, list[str]]:
    """`counts` = {"Platinum": 3, "Gold": 2, None: 1, "Bronze": 1}: accounts by Support_Tier__c."""
    out: dict = {}
    for tier, n in counts.items():
        for i in range(n):
            out.setdefault(tier, []).append(org.insert("Account", Name=f"{tier or 'None'} {i}",
                                                       Support_Tier__c=tier))
    return out
