"""The phases of a smoke run over all tiers at once: look-ups, fixtures, first reading,
completions through real triggers, violations, action side effects. `runner.run_smoke` drives
them and cleans up; the verdicts come from `checks` and `actions`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from slakit.errors import OrgError
from slakit.org.soql import query_list, soql
from slakit.salesforce import CASE
from slakit.smoke import checks as C
from slakit.smoke import setup
from slakit.smoke.setup import TierRun
from slakit.smoke.actions import Watch, poll_actions
from slakit.smoke.report import Check, SmokeReport
from slakit.smoke.scenarios import ALONE, COMPLETE, Step, merged_actions
from slakit.smoke.variant import SmokeVariant

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

MS_FIELDS = ("Id, CaseId, MilestoneTypeId, MilestoneType.Name, StartDate, TargetDate, CompletionDate, "
             "IsCompleted, IsViolated, BusinessHoursId")
CASE_FIELDS = "Id, Subject, EntitlementId, CreatedDate, OwnerId, IsClosed"
WAIT_CHUNK = 30.0
COMPLETION_DELAYS = (2.0, 4.0, 8.0, 16.0, 30.0, 30.0)  # about 90 s for a completion flow to run
GRACE = dt.timedelta(seconds=5)
NO_ACTIONS = "run with --wait-actions to wait for it (Salesforce runs time-dependent actions up to an hour late)"


class Phases:
    def __init__(self, sf: Salesforce, variant: SmokeVariant, report: SmokeReport, fixtures, *, now: Callable[[],
                 dt.datetime],
                 sleep: Callable[[float], None], say: Callable[[str], None]):
        self.sf, self.variant, self.report, self.fx = sf, variant, report, fixtures
        self.now, self.sleep, self.say = now, sleep, say
        self.tiers: list[TierRun] = []
        self.touched = False
        self.first_response_objects: tuple[str, ...] = ("CaseComment",)
        self.hours_id: str | None = None
        self.case_fields: set[str] = set()
        self.user_id: str | None = None
        self.queue_id: str | None = None
        self.closed_status: str | None = None

    # -- helpers ---------------------------------------------------------------------------
    def live(self) -> list[TierRun]:
        return [t for t in self.tiers if not t.broken]

    def add(self, check: Check) -> None:
        check.at = check.at or self.now()
        self.report.add(check)

    def brk(self, tr: TierRun, phase: str, message: str) -> None:
        tr.broken = message
        self.add(Check(tr.plan.tier, phase, "error", message=message))

    def _read_cases(self, ids: list[str]) -> dict[str, dict]:
        rows = query_list(self.sf, soql(f"SELECT {CASE_FIELDS} FROM {CASE.sobject} WHERE Id IN {{}}", ids), action="reading cases")
        return {r["Id"][:15]: r for r in rows}

    def _read_milestones(self, ids: list[str]) -> dict[str, list[dict]]:
        rows = query_list(self.sf, soql(f"SELECT {MS_FIELDS} FROM {CASE.milestone_object} WHERE {CASE.parent_field} IN {{}}", ids),
                          action="reading case milestones")
        out: dict[str, list[dict]] = {i[:15]: [] for i in ids}
        for r in rows:
            out.setdefault(str(r.get(CASE.parent_field))[:15], []).append(r)
        return out

    # -- phases ----------------------------------------------------------------------------
    def run(self, *, wait_actions: bool, actions_timeout: float) -> None:
        for name, fn in (("look up the smoke setup", lambda: setup.lookup(self)),
                         ("create fixtures", lambda: setup.create(self)),
                         ("first reading", self.observe), ("complete milestones", self.complete),
                         ("violations", self.violations)):
            try:
                fn()
            except OrgError as exc:
                for tr in self.live() or []:
                    self.brk(tr, name, exc.message)
                if not self.tiers:
                    self.add(Check("", name, "error", message=exc.message))
            if not self.live():
                return
        try:
            self.actions(wait_actions, actions_timeout)
        except OrgError as exc:
            for tr in self.live():
                self.brk(tr, "action side effects", exc.message)

    def observe(self) -> None:
        live = self.live()
        ids = [i for t in live for i in t.cases.values()]
        cases = self._read_cases(ids)
        stamped_checks = {}
        for tr in live:
            rows = {role: cases.get(cid[:15], {}) for role, cid in tr.cases.items()}
            tr.starts = {role: C.parse_dt(r.get("CreatedDate")) or self.now() for role, r in rows.items()}
            stamped_checks[tr.plan.tier] = C.check_stamped(tr.plan.tier, rows, tr.entitlement_id or "")
        setup.set_criteria(self, [t for t in live if not stamped_checks[t.plan.tier].failed])
        ms = self._read_milestones(ids)
        for tr in live:
            stamped = stamped_checks[tr.plan.tier]
            self.add(stamped)
            by_case = {role: ms.get(cid[:15], []) for role, cid in tr.cases.items()}
            tr.first = {role: {C.type_name(r): r for r in rs} for role, rs in by_case.items()}
            tr.current = dict(tr.first.get(COMPLETE, {}))
            if stamped.failed:
                tr.broken = "the cases were not stamped, so no milestone can run"
                continue
            self.add(C.check_created(tr.plan.tier, tr.plan.expected_types(), tr.plan.unknown_types(), by_case))
            for mp in tr.plan.milestones:
                if not mp.applies:
                    continue
                per_role = {role: tr.first[role].get(mp.smoke) for role in tr.cases}
                self.add(C.check_target(tr.plan.tier, mp, per_role, {r: tr.start_of(mp, r) for r in tr.cases}))
                self.add(C.check_hours(tr.plan.tier, mp, per_role, self.hours_id))

    def _trigger(self, tr: TierRun, step: Step) -> None:
        case_id = tr.cases[COMPLETE]
        if step.kind == "first_response":
            for obj in self.first_response_objects:
                if obj == "EmailMessage":
                    self.fx.create_one("EmailMessage", {
                        "ParentId": case_id, "Incoming": False, "Status": "3", "Subject": self.fx.label("first response"),
                        "TextBody": "slakit smoke: first response", "ToAddress": "smoke@example.invalid"})
                else:
                    self.fx.create_one("CaseComment", {"ParentId": case_id, "IsPublished": True,
                                                       "CommentBody": f"{self.fx.prefix}: first response"})
        elif step.kind == "owner_assigned":
            self.fx.update(CASE.sobject, case_id, {"OwnerId": self.user_id})
        elif step.kind == "fields":
            self.fx.update(CASE.sobject, case_id, dict(step.values))
        elif step.kind == "case_closed":
            self.fx.update(CASE.sobject, case_id, {"Status": self.closed_status})

    def complete(self) -> None:
        for tr in self.live():
            by_name = {mp.smoke: mp for mp in tr.plan.milestones}
            for step in tr.steps:
                self.say(f"{tr.plan.tier}: {step.describe()}")
                before = dict(tr.current)
                try:
                    self._trigger(tr, step)
                except OrgError as exc:
                    for m in step.milestones:
                        self.add(Check(tr.plan.tier, C.name_completed(by_name[m], step), "error",
                                       message=f"the trigger failed: {exc.message}"))
                    continue
                tr.current = self._await_completion(tr, step)
                for m in step.milestones:
                    self.add(C.check_completed(tr.plan.tier, by_name[m], step, tr.current.get(m), before=before.get(m)))

    def _await_completion(self, tr: TierRun, step: Step) -> dict[str, dict]:
        """Re-read the case's milestones until the step's are complete (completion flows may run
        after commit) or COMPLETION_WAIT passes."""
        case_id = tr.cases[COMPLETE]
        for delay in (*COMPLETION_DELAYS, None):
            rows = self._read_milestones([case_id]).get(case_id[:15], [])
            current = {C.type_name(r): r for r in rows}
            if all((current.get(m) or {}).get("CompletionDate") for m in step.milestones) or delay is None:
                return current
            self.sleep(delay)
        return current

    def _targets(self, tr: TierRun) -> dict[str, dt.datetime]:
        return {mp.smoke: C.predict_target(tr.start_of(mp, ALONE), mp.minutes)
                for mp in tr.plan.milestones if mp.applies}

    def violations(self) -> None:
        live = [t for t in self.live() if ALONE in t.cases]
        targets = [at for t in live for at in self._targets(t).values()]
        if not targets:
            return
        deadline = max(targets) + C.TOLERANCE + GRACE
        rounds = int((deadline - self.now()).total_seconds() // WAIT_CHUNK) + 3  # bounded even if the clock stalls
        while (left := (deadline - self.now()).total_seconds()) > 0 and rounds > 0:
            rounds -= 1
            self.say(f"waiting {left / 60:.1f} min for the targets to pass (until {C.show_dt(deadline)})")
            self.sleep(min(WAIT_CHUNK, left))
        ms = self._read_milestones([t.cases[ALONE] for t in live])
        read_at = self.now()
        for tr in live:
            rows = {C.type_name(r): r for r in ms.get(tr.cases[ALONE][:15], [])}
            for mp in tr.plan.milestones:
                if mp.applies and mp.smoke not in tr.alone_skips:
                    self.add(C.check_violated(tr.plan.tier, mp, tr.first[ALONE].get(mp.smoke), rows.get(mp.smoke), read_at))

    def actions(self, wait: bool, timeout: float) -> None:
        watches: list[Watch] = []
        for tr in self.live():
            targets = self._targets(tr)
            by_real = {mp.real: mp for mp in tr.plan.milestones}
            for action, sources in merged_actions(tr.plan.actions):
                since = None
                if action.case == ALONE:
                    due = [targets.get(by_real[s.rsplit(" ", 1)[0]].smoke) for s in sources]
                    since = min((d for d in due if d), default=None)
                watches.append(Watch(tr.plan.tier, action, sources, tr.cases[action.case], since))
        if not wait:
            for w in watches:
                self.add(Check(w.tier, w.name, "skip", message=NO_ACTIONS))
            return
        self.say(f"waiting up to {timeout / 60:.0f} min for milestone actions")
        for check in poll_actions(self.sf, watches, self.case_fields, timeout=timeout, now=self.now,
                                  sleep=self.sleep, say=self.say):
            self.add(check)
