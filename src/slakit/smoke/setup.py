"""Setting a smoke run up in the org: look-ups (Case describe, the smoke processes, the 24/7
business hours, a queue that takes Cases, a closed status) and the tagged fixtures. Functions
over a `Phases` (`self`), kept apart to keep each module small.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from slakit.org.errors import org_errors
from slakit.org.processes import ProcessVersion, read_processes
from slakit.org.soql import query_list, soql
from slakit.salesforce import CASE
from slakit.smoke.report import Check
from slakit.smoke.scenarios import ALONE, COMPLETE, MilestonePlan, Step, TierPlan, plan_tier
from slakit.smoke.variant import SMOKE_HOURS_NAME

# Between the insert and the update that makes criteria-start milestones' criteria true: longer
# than the target check's tolerance (60 s), so a milestone that started at the insert instead
# (useCriteriaStartTime false) shows up as a wrong target.
CRITERIA_DELAY = 120.0


@dataclass
class TierRun:
    plan: TierPlan
    steps: list[Step]
    broken: str | None = None
    skips: dict[str, str] = field(default_factory=dict)  # smoke milestone -> why its completion is skipped
    alone_skips: dict[str, str] = field(default_factory=dict)  # smoke milestone -> why its violation is skipped
    process_id: str | None = None
    account_id: str | None = None
    entitlement_id: str | None = None
    cases: dict[str, str] = field(default_factory=dict)  # role -> Id
    starts: dict[str, dt.datetime] = field(default_factory=dict)  # role -> CreatedDate
    criteria_at: dict[str, dt.datetime] = field(default_factory=dict)  # role -> when the criteria update ran

    def start_of(self, mp: MilestonePlan, role: str) -> dt.datetime:
        """When a milestone starts on a case: the criteria update for criteria-start milestones
        (useCriteriaStartTime true), else the case's CreatedDate (the process's entry)."""
        if mp.criteria_start and role in self.criteria_at:
            return self.criteria_at[role]
        return self.starts[role]
    first: dict[str, dict[str, dict]] = field(default_factory=dict)  # role -> type -> CaseMilestone
    current: dict[str, dict] = field(default_factory=dict)  # type -> CaseMilestone on the complete case


def lookup(self) -> None:
    """Describe Case, plan each tier, find the smoke processes, hours, a Case queue, a closed status."""
    self.say("looking up the smoke processes and business hours")
    with org_errors(f"describing {CASE.sobject}"):
        describe = getattr(self.sf, CASE.sobject).describe()
    types = {f["name"].lower(): f["type"] for f in describe["fields"] if f.get("createable") or f.get("updateable")}
    self.case_fields = {f["name"].lower() for f in describe["fields"]}
    for real in self.variant.tier_names:
        plan = plan_tier(self.variant, self.variant.real.tier(real), types)
        self.tiers.append(TierRun(plan, list(plan.steps)))
    smoke_names = self.variant.process_names()
    real_names = [t.name for t in self.variant.real.tiers]
    by_name: dict[str, list[ProcessVersion]] = {}
    for p in read_processes(self.sf, smoke_names + real_names):
        by_name.setdefault(p.name.lower(), []).append(p)
    smoke_masters = {p.master for n in smoke_names for p in by_name.get(n.lower(), []) if p.master}
    real_masters = {p.master for n in real_names for p in by_name.get(n.lower(), []) if p.master}
    shared = smoke_masters & real_masters
    self.add(Check("", "smoke processes stay apart from the real tiers", "fail" if shared else "pass",
                   expected="no smoke process is a version of a real tier's process",
                   observed=f"shared version masters: {', '.join(sorted(shared))}" if shared else
                   f"{len(smoke_masters)} smoke, {len(real_masters)} real version masters, none shared"))
    for tr in self.tiers:
        rows = by_name.get(tr.plan.smoke_tier.lower(), [])
        pick = [r for r in rows if r.is_active and r.is_default]
        if shared:
            self.brk(tr, "look up the smoke setup", "a smoke process shares a version master with a real tier: stopped")
        elif not pick:
            self.brk(tr, "look up the smoke setup", f"entitlement process '{tr.plan.smoke_tier}' is "
                     + ("not active" if rows else "not in the org") + " after the deploy")
        else:
            tr.process_id = max(pick, key=lambda r: r.version).id
    hours = query_list(self.sf, soql("SELECT Id, Name FROM BusinessHours WHERE Name = {}", SMOKE_HOURS_NAME),
                       action="reading business hours")
    self.hours_id = hours[0]["Id"] if hours else None
    if any(s.kind == "owner_assigned" for tr in self.live() for s in tr.steps):
        queues = query_list(self.sf, soql("SELECT QueueId FROM QueueSobject WHERE SobjectType = {} LIMIT 1",
                                          CASE.sobject), action="finding a Case queue")
        self.queue_id = queues[0]["QueueId"] if queues else None
        if not self.queue_id:
            _drop_steps(self, "owner_assigned", "no queue takes Cases in this org: the cases cannot start on a queue")
    if any(s.kind == "case_closed" for tr in self.live() for s in tr.steps):
        statuses = query_list(self.sf, "SELECT ApiName FROM CaseStatus WHERE IsClosed = true ORDER BY SortOrder ASC "
                              "LIMIT 1", action="finding a closed case status")
        self.closed_status = statuses[0]["ApiName"] if statuses else None
        if not self.closed_status:
            _drop_steps(self, "case_closed", "no closed Case status in this org")

def _drop_steps(self, kind: str, why: str) -> None:
    """Runtime reasons a trigger cannot run (no queue, no closed status): its checks are skipped."""
    for tr in self.tiers:
        for s in [s for s in tr.steps if s.kind == kind]:
            tr.steps.remove(s)
            tr.skips.update({m: why for m in s.milestones})
            if kind == "owner_assigned":  # a user owns the cases from the start: the milestone may complete at once
                tr.alone_skips.update({m: why for m in s.milestones})


def create(self) -> None:
    """One tagged account, entitlement and two cases per tier (one collection call per object)."""
    self.touched = True
    live = self.live()
    self.say(f"creating fixtures tagged '{self.fx.prefix}'")
    for tr, (rid, err) in zip(live, self.fx.create("Account", [{"Name": self.fx.label(t.plan.tier)} for t in live])):
        if err:
            self.brk(tr, "create fixtures", f"Account: {err}")
        tr.account_id = rid
    live = self.live()
    if not live:
        return
    owner = query_list(self.sf, soql("SELECT Id, OwnerId FROM Account WHERE Id = {}", live[0].account_id),
                       action="reading the smoke account")
    self.user_id = owner[0]["OwnerId"] if owner else None
    start = (self.now() - dt.timedelta(days=1)).date().isoformat()
    ents = [{"Name": self.fx.label(t.plan.tier), "AccountId": t.account_id, "SlaProcessId": t.process_id,
             "StartDate": start} for t in live]
    for tr, (rid, err) in zip(live, self.fx.create("Entitlement", ents)):
        if err:
            self.brk(tr, "create fixtures", f"Entitlement: {err}")
        tr.entitlement_id = rid
    live = self.live()
    records, owners = [], []
    for tr in live:
        for role in (COMPLETE, ALONE):
            rec: dict[str, Any] = {"Subject": self.fx.label(tr.plan.tier, role), "AccountId": tr.account_id,
                                   "Description": f"slakit smoke test case ({self.fx.prefix}); deleted by the run",
                                   **tr.plan.case_values}
            if self.queue_id and any(s.kind == "owner_assigned" for s in tr.steps):
                rec["OwnerId"] = self.queue_id
            records.append(rec)
            owners.append((tr, role))
    for (tr, role), (rid, err) in zip(owners, self.fx.create(CASE.sobject, records)):
        if err and not tr.broken:
            self.brk(tr, "create fixtures", f"Case ({role}): {err}")
        if rid:
            tr.cases[role] = rid


def set_criteria(self, tiers: list[TierRun]) -> None:
    """CRITERIA_DELAY after the insert, make criteria-start milestones' criteria true on both cases
    of the (stamped) tiers, one update per case, and note when: their clocks start there."""
    pending = [t for t in tiers if t.plan.criteria_values and t.cases]
    if not pending:
        return
    self.say(f"waiting {CRITERIA_DELAY:.0f} s, then setting the criteria of criteria-start milestones")
    self.sleep(CRITERIA_DELAY)
    for tr in pending:
        for role, case_id in tr.cases.items():
            self.fx.update(CASE.sobject, case_id, dict(tr.plan.criteria_values))
            tr.criteria_at[role] = self.now()
