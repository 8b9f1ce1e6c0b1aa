"""Salesforce's entitlement automation on top of the shared fake org, for the smoke tests.

    smoke = SmokeOrg(fake_org, mdapi, completions=GOLD_RULES)   # after `mdapi` (the SOAP fake)
    run_smoke(project, conn, now=smoke.now, sleep=smoke.sleep)

What the real org does and this fake stands in for:
- the deployed processes (read from the files the Metadata API fake stored: milestones,
  `minutesToComplete`, `milestoneCriteriaFilterItems`, timeTriggers, successActions) decide
  which CaseMilestones exist as soon as a case insert returns, and an update that makes a
  milestone's criteria true adds it: TargetDate = start + minutesToComplete (the smoke processes
  run on 24/7 hours), where start is the update's time with `useCriteriaStartTime` true and the
  case's CreatedDate otherwise; BusinessHoursId = the process's;
- the rendered stamping flow (before save): a case without an entitlement gets its account's
  active entitlement whose process is active (`stamping=False`: the flow is not there);
- the rendered completion flows: `completions` maps a milestone type name to its trigger
  ("first_response": a public CaseComment or an outbound sent EmailMessage; "case_closed";
  "owner_assigned": owner becomes a User; ("Field__c", value)). How they run is read from the
  deployed flows (flows/*.flow the Metadata API fake holds): a Case update completes in the same
  save when a Case completion flow has an immediate path on update, else (an AsyncAfterCommit path)
  `completion_delay` seconds later, as do creates and comments/emails; CompletionDate is the
  event's time (ClosedDate, the save, the comment's CreatedDate, the email's MessageDate) when the
  flows assign `Completion_Time`, else the time the completion runs ($Flow.CurrentDateTime);
- time-dependent workflow actions (field updates, tasks from the deployed Case.workflow) run
  `action_delay` seconds after they are due, as Salesforce's hourly batches do;
  success actions run when the milestone completes;
- IsViolated is computed on read from the clock (the shared fake's default).
Time moves only through `sleep()`/`advance()`, which also run whatever automation has come due.
Deleting a case removes its milestones, comments, emails and tasks, as Salesforce does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml import etree

from slakit.render.actions import TYPE_OF
from slakit.salesforce import MD_NS
from slakit.render.manifest import WORKFLOW_CHILDREN
from tests.fakes.evaluate import parse_when
from tests.fakes.org import FakeOrg, sf_datetime

NS = f"{{{MD_NS}}}"
# A milestone action's `type` (Alert, FieldUpdate, Task: the action types slakit renders, from
# slakit.render.actions) -> the Case.workflow element that defines it (alerts, fieldUpdates, tasks:
# the Metadata API's Workflow<type> children, from slakit.smoke.package).
WORKFLOW_TAG = {child[len("Workflow"):]: tag for tag, child in WORKFLOW_CHILDREN.items()
                if child[len("Workflow"):] in TYPE_OF.values()}
assert set(WORKFLOW_TAG) == set(TYPE_OF.values()), "an action type slakit renders has no workflow element"
EXTRA_OBJECTS = {
    "CaseComment": ({"ParentId": "reference:Case", "CommentBody": "textarea", "IsPublished": "boolean"}, "00a"),
    "EmailMessage": ({"ParentId": "reference:Case", "Incoming": "boolean", "Status": "picklist", "Subject": "string",
                      "TextBody": "textarea", "ToAddress": "string"}, "02s"),
    "QueueSobject": ({"QueueId": "reference:Group", "SobjectType": "picklist"}, "03g"),
    "CaseStatus": ({"ApiName": "string", "MasterLabel": "string", "IsClosed": "boolean", "SortOrder": "int"}, "01J"),
}
CASE_FIELDS = {"L2_Assigned__c": "boolean", "SLA_Breached__c": "boolean", "Resolution_Met_At__c": "datetime",
               "Description": "textarea"}


def _text(el, tag: str) -> str | None:
    return el.findtext(f"{NS}{tag}")


class SmokeOrg:
    def __init__(self, org: FakeOrg, mdapi, *, completions: dict[str, Any] | None = None, stamping: bool = True,
                 completion_delay: float = 5, action_delay: float = 40 * 60, target_skew_minutes: int = 0,
                 queue: bool = True):
        self.org, self.mdapi = org, mdapi
        self.completions = dict(completions or {})
        self.stamping = stamping
        self.completion_delay = dt.timedelta(seconds=completion_delay)
        self.action_delay = dt.timedelta(seconds=action_delay)
        self.target_skew = dt.timedelta(minutes=target_skew_minutes)
        self.pending: list[tuple[dt.datetime, str, dt.datetime | None]] = []  # (due, CaseMilestone Id, event time)
        self.fired: set[tuple[str, str, int]] = set()  # (milestone id, action name, timeLength)
        self.slept: list[float] = []
        for name, (fields, prefix) in EXTRA_OBJECTS.items():
            org.define(name, fields, prefix=prefix)
        for name, ftype in CASE_FIELDS.items():
            org.add_field("Case", name, ftype)
        org.add_field("Task", "Description", "textarea")
        for i, (label, closed) in enumerate((("New", False), ("Working", False), ("Closed", True))):
            org.insert("CaseStatus", ApiName=label, MasterLabel=label, IsClosed=closed, SortOrder=i + 1)
        if queue:
            qid = org.insert("Group", Name="Support Queue", DeveloperName="Support_Queue", Type="Queue")
            org.insert("QueueSobject", QueueId=qid, SobjectType="Case")
        org.on_write("Account", self._owned)
        org.on_write("Case", self._case)
        org.on_write("CaseComment", self._comment)
        org.on_write("EmailMessage", self._email)

    # -- time ------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return self.org.now()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds=seconds)

    def advance(self, **delta) -> None:
        self.org.advance(**delta)
        self.run_due()

    def run_due(self) -> None:
        now = self.now()
        due, self.pending = [p for p in self.pending if p[0] <= now], [p for p in self.pending if p[0] > now]
        for at, ms_id, event in due:
            self._complete(ms_id, event if event is not None and self._flows()["event_time"] else at)
        for ms in list(self.org.records["CaseMilestone"].values()):
            if ms.get("CompletionDate"):
                continue
            target = parse_when(ms["TargetDate"])
            for length, actions in self._triggers(ms):
                key_due = target + dt.timedelta(minutes=length) + self.action_delay
                for name, kind in actions:
                    if key_due <= now and (ms["Id"], name, length) not in self.fired:
                        self.fired.add((ms["Id"], name, length))
                        self._run_action(ms["CaseId"], name, kind, key_due)

    # -- deployed metadata -----------------------------------------------------------------
    def _process_xml(self, process_id: str):
        proc = self.org.get_record(process_id)
        if proc is None:
            return None
        base, number = proc["NameNorm"], int(proc.get("VersionNumber") or 1)
        for path in (f"entitlementProcesses/{base}_v{number}.entitlementProcess",
                     f"entitlementProcesses/{base}.entitlementProcess"):
            if path in self.mdapi.files:
                return etree.fromstring(self.mdapi.files[path])
        return None

    def _milestone_xml(self, ms: dict):
        case = self.org.get_record(ms["CaseId"])
        ent = self.org.get_record(case.get("EntitlementId")) if case else None
        root = self._process_xml(ent["SlaProcessId"]) if ent else None
        name = self.org.get_record(ms["MilestoneTypeId"])["Name"]
        for m in root.findall(f"{NS}milestones") if root is not None else []:
            if _text(m, "milestoneName") == name:
                return m
        return None

    def _triggers(self, ms: dict) -> list[tuple[int, list[tuple[str, str]]]]:
        m = self._milestone_xml(ms)
        out = []
        for tt in m.findall(f"{NS}timeTriggers") if m is not None else []:
            acts = [(_text(a, "name"), _text(a, "type")) for a in tt.findall(f"{NS}actions")]
            out.append((int(_text(tt, "timeLength") or 0), acts))
        return out

    def _flows(self) -> dict[str, bool]:
        """How the deployed completion flows run: `sync_update` (a Case flow with an immediate
        path on update) and `event_time` (CompletionDate from Completion_Time, not the run time)."""
        out = {"sync_update": False, "event_time": False}
        for path, data in self.mdapi.files.items():
            if not path.startswith("flows/") or b"Get_Open_Case_Milestones" not in data:
                continue
            root = etree.fromstring(data)
            start = root.find(f"{NS}start")
            if start is not None and _text(start, "object") == "Case" and start.find(f"{NS}connector") is not None \
                    and _text(start, "recordTriggerType") in ("Update", "CreateAndUpdate"):
                out["sync_update"] = True
            refs = [e.text for e in root.iter(f"{NS}elementReference")]
            out["event_time"] = out["event_time"] or "Completion_Time" in refs
        return out

    def _workflow_action(self, name: str, kind: str):
        data = self.mdapi.files.get("workflows/Case.workflow")
        if data is None:
            return None
        tag = WORKFLOW_TAG.get(kind)
        for el in etree.fromstring(data).findall(f"{NS}{tag}") if tag else []:
            if _text(el, "fullName") == name:
                return el
        return None

    def _run_action(self, case_id: str, name: str, kind: str, at: dt.datetime) -> None:
        el = self._workflow_action(name, kind)
        case = self.org.get_record(case_id)
        if el is None or case is None:
            return
        if kind == "FieldUpdate":
            value: Any = _text(el, "literalValue")
            if _text(el, "formula") == "NOW()":
                value = sf_datetime(at)
            elif self.org.objects["Case"].get(_text(el, "field")) == "boolean":
                value = value in ("1", "true")
            case[_text(el, "field")] = value
            case["LastModifiedDate"] = sf_datetime(at)
        elif kind == "Task":
            tid = self.org.insert("Task", Subject=_text(el, "subject"), WhatId=case_id, OwnerId=case.get("OwnerId"),
                                  Status=_text(el, "status"))
            self.org.get_record(tid)["CreatedDate"] = sf_datetime(at)
        # an Alert sends an email and leaves no record behind (this fake sends nothing)

    # -- automation ------------------------------------------------------------------------
    def _owned(self, org, rec, op):
        if op == "insert":
            rec.setdefault("OwnerId", org.user_id)

    def _case(self, org, rec, op):
        if op == "delete":
            for obj, fld in (("CaseMilestone", "CaseId"), ("CaseComment", "ParentId"), ("EmailMessage", "ParentId"),
                             ("Task", "WhatId")):
                for r in [r for r in org.records[obj].values() if r.get(fld) == rec["Id"]]:
                    del org.records[obj][r["Id"]]
            return
        if rec.get("IsClosed") and not rec.get("ClosedDate"):
            rec["ClosedDate"] = rec["LastModifiedDate"]
        if op == "insert":
            rec.setdefault("OwnerId", org.user_id)
            if self.stamping and not rec.get("EntitlementId") and rec.get("AccountId"):
                self._stamp(rec)
        if rec.get("EntitlementId") and not rec.get("IsClosed"):
            rec.setdefault("SlaStartDate", sf_datetime(self.now()))  # entering the process sets it
            self._start_process(rec)
        self._case_rules(rec, op)

    def _stamp(self, case: dict) -> None:
        for ent in self.org.find("Entitlement", AccountId=case["AccountId"]):
            proc = self.org.get_record(ent.get("SlaProcessId"))
            if self.org.field_value("Entitlement", ent, "Status") == "Active" and proc and proc.get("IsActive"):
                case["EntitlementId"] = ent["Id"]
                return

    def _start_process(self, case: dict) -> None:
        ent = self.org.get_record(case["EntitlementId"])
        proc = self.org.get_record(ent.get("SlaProcessId")) if ent else None
        root = self._process_xml(proc["Id"]) if proc else None
        if root is None:
            return
        field = (_text(root, "entryStartDateField") or "Case.CreatedDate").split(".", 1)[1]
        entry = parse_when(case.get(field) or case["CreatedDate"])
        have = {ms["MilestoneTypeId"] for ms in self.org.records["CaseMilestone"].values() if ms["CaseId"] == case["Id"]}
        for m in root.findall(f"{NS}milestones"):
            items = m.findall(f"{NS}milestoneCriteriaFilterItems")
            if not all(self._holds(case, item) for item in items):
                continue
            mtype = self.org.find("MilestoneType", Name=_text(m, "milestoneName"))[0]
            if mtype["Id"] in have:
                continue
            # a milestone whose criteria become true on an update starts then with
            # useCriteriaStartTime true, else at the process's entry (the case's creation)
            start = self.now() if items and _text(m, "useCriteriaStartTime") == "true" else entry
            target = start + dt.timedelta(minutes=int(_text(m, "minutesToComplete"))) + self.target_skew
            self.org.insert("CaseMilestone", CaseId=case["Id"], MilestoneTypeId=mtype["Id"],
                            StartDate=sf_datetime(start), TargetDate=sf_datetime(target), CompletionDate=None,
                            BusinessHoursId=proc.get("BusinessHoursId"))

    def _holds(self, case: dict, item) -> bool:
        field = _text(item, "field").split(".", 1)[1]
        value = case.get(field)
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        same = shown == (_text(item, "value") or "")
        return same if _text(item, "operation") == "equals" else not same

    def _case_rules(self, case: dict, op: str) -> None:
        now_ = op == "update" and self._flows()["sync_update"]
        for type_name, rule in self.completions.items():
            if rule == "case_closed":
                ok = bool(case.get("IsClosed"))
            elif rule == "owner_assigned":
                ok = str(case.get("OwnerId") or "").startswith("005")
            elif isinstance(rule, tuple):
                ok = case.get(rule[0]) == rule[1]
            else:
                continue
            if ok:
                event = parse_when(case["ClosedDate"] if rule == "case_closed" else case["LastModifiedDate"])
                self._schedule(case["Id"], type_name, event, at_once=now_)

    def _comment(self, org, rec, op):
        if op == "insert" and rec.get("IsPublished"):
            self._first_response(rec.get("ParentId"), parse_when(rec["CreatedDate"]))

    def _email(self, org, rec, op):
        if op == "insert" and rec.get("Incoming") is False and rec.get("Status") == "3":
            self._first_response(rec.get("ParentId"), parse_when(rec.get("MessageDate") or rec["CreatedDate"]))

    def _first_response(self, case_id: str | None, event: dt.datetime) -> None:
        for type_name, rule in self.completions.items():
            if rule == "first_response" and case_id:
                self._schedule(case_id, type_name, event)

    def _schedule(self, case_id: str, type_name: str, event: dt.datetime, *, at_once: bool = False) -> None:
        types = self.org.find("MilestoneType", Name=type_name)
        for ms in list(self.org.records["CaseMilestone"].values()):
            if ms["CaseId"] == case_id and types and ms["MilestoneTypeId"] == types[0]["Id"] \
                    and not ms.get("CompletionDate") and ms["Id"] not in {p[1] for p in self.pending}:
                if at_once:
                    self._complete(ms["Id"], event if self._flows()["event_time"] else self.now())
                else:
                    self.pending.append((self.now() + self.completion_delay, ms["Id"], event))

    def _complete(self, ms_id: str, at: dt.datetime) -> None:
        ms = self.org.get_record(ms_id)
        if ms is None or ms.get("CompletionDate"):
            return
        ms["CompletionDate"] = sf_datetime(at)
        m = self._milestone_xml(ms)
        for sa in m.findall(f"{NS}successActions") if m is not None else []:
            self._run_action(ms["CaseId"], _text(sa, "name"), _text(sa, "type"), at)
