"""Turning what the org shows into `Check`s: pure functions over plain records (the rows the
runner read), so every verdict can be tested without an org.

Targets are predicted with the shared SLA clock (`slakit.clock.add`) on the smoke business hours
(24/7: the target is the case's CreatedDate plus the smoke limit); a TargetDate within
TOLERANCE of the prediction passes, and a failure shows both instants and the difference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from slakit.salesforce import CASE
from slakit.smoke.report import Check
from slakit.smoke.scenarios import MilestonePlan, Step, TierPlan, action_name, merged_actions
from slakit.smoke.variant import SMOKE_HOURS

TOLERANCE = dt.timedelta(seconds=60)


def parse_dt(value: Any) -> dt.datetime | None:
    """Salesforce datetime text (2026-03-02T15:00:00.000+0000) -> aware datetime; None stays None."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromisoformat(str(value))


def show_dt(value: dt.datetime | None) -> str:
    if value is None:
        return "none"
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def _calendar():
    from slakit.simulate import calendar_for  # the one project-hours -> calendar conversion

    return calendar_for(SMOKE_HOURS)


def predict_target(start: dt.datetime, minutes: int) -> dt.datetime:
    """The target Salesforce should compute: `minutes` of the smoke hours (24/7) after `start`."""
    from slakit.clock import add

    return add(_calendar(), start, minutes).astimezone(dt.timezone.utc)


NAME_STAMPED = "stamping flow set the entitlement"
NAME_CREATED = f"one {CASE.milestone_object} per applicable milestone"


def name_target(mp: MilestonePlan) -> str:
    return f"{mp.real}: target date"


def name_hours(mp: MilestonePlan) -> str:
    return f"{mp.real}: business hours"


def name_completed(mp: MilestonePlan, step: Step | None) -> str:
    if step is None:
        return f"{mp.real}: completes through its trigger"
    return f"{mp.real}: completes when we {step.describe()}"


def name_violated(mp: MilestonePlan) -> str:
    return f"{mp.real}: violated when left alone"


def type_name(row: dict) -> str:
    """The CaseMilestone row's MilestoneType.Name ("" when the relationship was not read)."""
    mt = row.get("MilestoneType")
    return str(mt.get("Name") or "") if isinstance(mt, dict) else ""


def check_stamped(tier: str, cases: dict[str, dict], entitlement_id: str) -> Check:
    """Both cases carry the tier's smoke entitlement (set by the rendered stamping flow)."""
    observed = {role: (c.get(CASE.entitlement_field) or "blank") for role, c in cases.items()}
    ok = all(str(v)[:15] == entitlement_id[:15] for v in observed.values())
    return Check(tier, NAME_STAMPED, "pass" if ok else "fail",
                 expected=f"{CASE.entitlement_field} = {entitlement_id}",
                 observed=", ".join(f"{role} case: {v}" for role, v in observed.items()),
                 message=None if ok else f"the stamping flow did not set {CASE.field(CASE.entitlement_field)} "
                                          "(is it deployed and active?)")


def check_created(tier: str, expected: list[str], unknown: list[str], by_case: dict[str, list[dict]]) -> Check:
    """One CaseMilestone per applicable milestone on each case, none for others."""
    problems = []
    seen_text = []
    for role, rows in by_case.items():
        names = sorted(type_name(r) or "?" for r in rows)
        seen_text.append(f"{role} case: {', '.join(names) or 'none'}")
        counted = [n for n in names if n not in unknown]
        if sorted(counted) != sorted(expected):
            missing = sorted(set(expected) - set(counted))
            extra = sorted(set(counted) - set(expected))
            dup = sorted({n for n in counted if counted.count(n) > 1})
            bits = [f"missing {', '.join(missing)}" if missing else "",
                    f"unexpected {', '.join(extra)}" if extra else "",
                    f"duplicated {', '.join(dup)}" if dup else ""]
            problems.append(f"{role} case: " + "; ".join(b for b in bits if b))
    return Check(tier, NAME_CREATED, "fail" if problems else "pass",
                 expected=", ".join(expected) or "none", observed="; ".join(seen_text),
                 message="; ".join(problems) or None)


def check_target(tier: str, mp: MilestonePlan, rows: dict[str, dict | None], starts: dict[str, dt.datetime]) -> Check:
    """TargetDate == clock prediction (start + smoke limit on 24/7 hours) +- TOLERANCE; the start
    is the case's CreatedDate, or the criteria time for criteria-start milestones."""
    name = name_target(mp)
    expected, observed, bad = [], [], []
    for role, row in rows.items():
        want = predict_target(starts[role], mp.minutes)
        expected.append(f"{role} case: {show_dt(want)} (start {show_dt(starts[role])} + {mp.minutes}m, +-60s)")
        got = parse_dt(row.get("TargetDate")) if row else None
        if got is None:
            missing = CASE.milestone_object if row is None else "TargetDate"
            observed.append(f"{role} case: no {missing}")
            bad.append(role)
            continue
        delta = (got - want).total_seconds()
        observed.append(f"{role} case: {show_dt(got)} ({delta:+.0f}s)")
        if abs(delta) > TOLERANCE.total_seconds():
            bad.append(role)
    return Check(tier, name, "fail" if bad else "pass", expected="; ".join(expected), observed="; ".join(observed),
                 message=f"TargetDate differs from the clock's prediction on the {', '.join(bad)} case" if bad else None)


def check_hours(tier: str, mp: MilestonePlan, rows: dict[str, dict | None], hours_id: str | None) -> Check:
    """The CaseMilestone runs on the smoke 24/7 business hours."""
    name = name_hours(mp)
    if not hours_id:
        return Check(tier, name, "fail", expected=SMOKE_HOURS.name, observed="not found in the org",
                     message=f"business hours '{SMOKE_HOURS.name}' are missing: the smoke deploy did not add them")
    got = {role: (row or {}).get("BusinessHoursId") for role, row in rows.items()}
    ok = all(v and str(v)[:15] == hours_id[:15] for v in got.values())
    return Check(tier, name, "pass" if ok else "fail", expected=f"{SMOKE_HOURS.name} ({hours_id})",
                 observed=", ".join(f"{role} case: {v or 'none'}" for role, v in got.items()))


def check_completed(tier: str, mp: MilestonePlan, step: Step, row: dict | None, *, before: dict | None = None) -> Check:
    """The real trigger set CompletionDate and the milestone is not violated."""
    name = name_completed(mp, step)
    if row is None:
        return Check(tier, name, "fail", expected="CompletionDate set, IsViolated false",
                     observed=f"no {CASE.milestone_object}", message="the milestone is missing from the case")
    done = parse_dt(row.get("CompletionDate"))
    violated = bool(row.get("IsViolated"))
    early = before is not None and parse_dt(before.get("CompletionDate")) is not None
    observed = f"CompletionDate {show_dt(done)}, IsViolated {str(violated).lower()}"
    if early:
        return Check(tier, name, "fail", expected="open until this step", observed=observed,
                     message="it was already complete before its trigger: another step's automation completed it")
    ok = done is not None and not violated
    message = None
    if done is None:
        message = "nothing set CompletionDate: is the completion flow deployed and active?"
    elif violated:
        message = "completed, but after its target"
    return Check(tier, name, "pass" if ok else "fail", expected="CompletionDate set, IsViolated false",
                 observed=observed, message=message)


def check_violated(tier: str, mp: MilestonePlan, first: dict | None, last: dict | None, read_at: dt.datetime) -> Check:
    """Left alone: IsViolated false before the target, true after it, never completed."""
    name = name_violated(mp)
    if last is None:
        return Check(tier, name, "fail", expected="IsViolated true after the target",
                     observed=f"no {CASE.milestone_object}")
    target = parse_dt(last.get("TargetDate"))
    before = None if first is None else bool(first.get("IsViolated"))
    after = bool(last.get("IsViolated"))
    done = parse_dt(last.get("CompletionDate"))
    observed = (f"before target: IsViolated {str(before).lower() if before is not None else '?'}; "
                f"at {show_dt(read_at)} (target {show_dt(target)}): IsViolated {str(after).lower()}"
                + (f", completed {show_dt(done)}" if done else ""))
    ok = after and not before and done is None
    message = None
    if done is not None:
        message = "something completed a milestone nobody touched"
    elif before:
        message = "violated before its target"
    elif not after:
        message = "still not violated after its target"
    return Check(tier, name, "pass" if ok else "fail",
                 expected="IsViolated false before the target, true after it", observed=observed, message=message)


def planned_names(plan: TierPlan, skips: dict[str, str],
                  alone_skips: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    """Every check a tier would report, with the reason when it is skipped regardless of the org."""
    out: list[tuple[str, str | None]] = [(NAME_STAMPED, None), (NAME_CREATED, None)]
    steps = {m: s for s in plan.steps for m in s.milestones}
    static = dict(plan.skipped_steps)
    for mp in plan.milestones:
        out += [(name_target(mp), mp.reason), (name_hours(mp), mp.reason)]
    for mp in plan.milestones:
        step = steps.get(mp.smoke)
        why = mp.reason or static.get(mp.smoke) or skips.get(mp.smoke)
        if mp.trigger is None:
            why = why or "no completes_when: nothing completes this milestone"
        out.append((name_completed(mp, step), why))
    for mp in plan.milestones:
        out.append((name_violated(mp), mp.reason or (alone_skips or {}).get(mp.smoke)))
    for action, sources in merged_actions(plan.actions):
        out.append((action_name(action, sources), None))
    return out
