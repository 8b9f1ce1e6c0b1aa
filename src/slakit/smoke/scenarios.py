"""What a smoke run does to each tier, decided before any record exists (pure, no I/O).

Per tier, two cases on one tagged account whose entitlement uses the smoke process:
  case "complete"  each milestone is completed through its real trigger, one step at a time,
                   shortest limit first (first response, owner assigned, field conditions on
                   ties), closing the case always last since it ends the process;
  case "alone"     nothing happens to it; past the targets every milestone must read IsViolated.
Both cases are inserted with the field values that make each milestone's `applies_when` hold
(equals on a Case field, or notEqual on a checkbox), except for milestones that start when their
criteria become true (`start: criteria`, the default with `applies_when`): their values are set
by an update a little after the insert, and their targets are predicted from that update. A
milestone whose criteria slakit cannot satisfy that way (a formula, another object's field,
another operator, or values that clash with another milestone's) is "unknown": its checks are
skipped, with the reason.

Expected action side effects (for --wait-actions) come from the milestone's actions, as their
kind's registry entry says (`ActionKind.smoke`): a field value on the case (`set`), a Task on the
case (`task`), or nothing the API can observe (email alerts), reported as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from slakit.config.project import EXPECT_OF, Criterion, Expect, Milestone, Tier, kind_of
from slakit.salesforce import CASE
from slakit.smoke.variant import SmokeVariant

COMPLETE = "complete"
ALONE = "alone"
TRIGGER_ORDER = ("first_response", "owner_assigned", "fields", "case_closed")
TRIGGER_TEXT = {
    "first_response": "post the first public response",
    "owner_assigned": "assign the case from a queue to a user",
    "fields": "set {fields}",
    "case_closed": "close the case",
}


@dataclass(frozen=True)
class MilestonePlan:
    real: str  # real milestone name
    smoke: str  # smoke milestone type name
    minutes: int  # smoke limit
    applies: bool | None  # True: a CaseMilestone must exist; None: unknown (checks skipped)
    reason: str | None = None  # why applies is None
    trigger: str | None = None  # completion kind, None = nothing completes it
    criteria_start: bool = False  # starts when its criteria become true: after the criteria update


@dataclass(frozen=True)
class Step:
    """One real trigger on the "complete" case, and the milestones it must complete."""

    kind: str  # first_response | owner_assigned | fields | case_closed
    milestones: tuple[str, ...]  # smoke milestone type names
    values: dict[str, Any] = field(default_factory=dict, hash=False)  # Case fields to set (fields kind)

    def describe(self) -> str:
        text = TRIGGER_TEXT[self.kind]
        if self.kind == "fields":
            text = text.format(fields=", ".join(f"{k} = {_show(v)}" for k, v in self.values.items()))
        return text


@dataclass(frozen=True)
class ExpectedAction:
    """A side effect a milestone action must leave on one of the two cases."""

    case: str  # COMPLETE | ALONE
    kind: str  # field | task | email
    milestone: str  # real milestone name
    when: str  # on_warning | on_violation | on_success
    field: str | None = None
    value: Any = None  # True/False/literal, or "now" (any non-null value)
    subject: str | None = None

    @property
    def expect(self) -> Expect:
        return EXPECT_OF[self.kind]

    def label(self) -> str:
        if self.kind == "field":
            shown = "a timestamp" if self.value == "now" else _show(self.value)
            return f"{self.field} = {shown}"
        if self.kind == "task":
            return f"task '{self.subject}'"
        return self.expect.label


@dataclass(frozen=True)
class TierPlan:
    tier: str  # real tier name
    smoke_tier: str  # smoke process name
    case_values: dict[str, Any]  # set on both cases at insert
    milestones: tuple[MilestonePlan, ...]
    steps: tuple[Step, ...]
    actions: tuple[ExpectedAction, ...]
    skipped_steps: tuple[tuple[str, str], ...] = ()  # (smoke milestone, reason)
    criteria_values: dict[str, Any] = field(default_factory=dict)  # set on both cases after the insert

    @property
    def needs_queue(self) -> bool:
        return any(s.kind == "owner_assigned" for s in self.steps)

    def expected_types(self) -> list[str]:
        return [m.smoke for m in self.milestones if m.applies]

    def unknown_types(self) -> list[str]:
        return [m.smoke for m in self.milestones if m.applies is None]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def bare_field(name: str) -> tuple[str | None, str]:
    """("Case", "L2_Assigned__c") for "Case.L2_Assigned__c"; (None, name) without an object."""
    if "." in name:
        obj, _, rest = name.partition(".")
        return obj, rest
    return None, name


def convert(value: str, ftype: str | None) -> Any:
    """A criterion's text value as the JSON value for a field of describe type `ftype`."""
    text = str(value).strip()
    if ftype == "boolean":
        return text.lower() in ("true", "1", "yes")
    if ftype in ("int",):
        return int(float(text))
    if ftype in ("double", "currency", "percent"):
        return float(text)
    return text


def _criterion_value(c: Criterion, field_types: dict[str, str]) -> tuple[str, Any] | str:
    """(field, value) making `c` true on a new case, or the reason it cannot be done."""
    obj, name = bare_field(c.field)
    if obj not in (None, CASE.sobject):
        return f"criterion on {c.field} (another object's field)"
    ftype = field_types.get(name.lower())
    if ftype is None:
        return f"{CASE.field(name)} does not exist or is not writable in the org"
    op = c.operator
    if op == "equals":
        return name, convert(c.value, ftype)
    if op == "notEqual" and ftype == "boolean":
        return name, not convert(c.value, ftype)
    return f"criterion '{c.field} {op} {c.value}' cannot be set up automatically"


def _applies(m: Milestone, field_types: dict[str, str], values: dict[str, Any]) -> tuple[bool | None, str | None, dict]:
    if m.criteria_formula:
        return None, "applies_when is a formula: slakit cannot set up a case that meets it", {}
    wanted: dict[str, Any] = {}
    for c in m.criteria:
        got = _criterion_value(c, field_types)
        if isinstance(got, str):
            return None, got, {}
        name, value = got
        if name in values and values[name] != value or name in wanted and wanted[name] != value:
            return None, f"applies_when needs {name} = {_show(value)}, which another milestone's criteria rule out", {}
        wanted[name] = value
    return True, None, wanted


def _completion_values(m: Milestone, field_types: dict[str, str]) -> dict[str, Any] | str:
    out: dict[str, Any] = {}
    assert m.completes_when is not None  # called for `fields` completions only
    for c in m.completes_when.criteria:
        got = _criterion_value(c, field_types)
        if isinstance(got, str):
            return got
        out[got[0]] = got[1]
    return out


def _actions(m: Milestone) -> list[ExpectedAction]:
    out: list[ExpectedAction] = []
    for when, case, actions in (("on_warning", ALONE, m.on_warning), ("on_violation", ALONE, m.on_violation),
                                ("on_success", COMPLETE, m.on_success)):
        for a in actions:
            expect = kind_of(a).smoke
            got = expect.of(a)
            if "field" in got:
                got["field"] = bare_field(got["field"])[1]
            out.append(ExpectedAction(case, expect.kind, m.name, when, **got))
    return out


def plan_tier(variant: SmokeVariant, real_tier: Tier, field_types: dict[str, str]) -> TierPlan:
    """The plan for one tier. `field_types`: Case field name (lowercase) -> describe type, for
    the fields the API user can create/update."""
    smoke_tier = variant.smoke_tier(real_tier.name)
    values: dict[str, Any] = {}
    plans: list[MilestonePlan] = []
    skipped: list[tuple[str, str]] = []
    by_kind: dict[str, list[str]] = {k: [] for k in TRIGGER_ORDER}
    field_steps: list[Step] = []
    later: dict[str, dict[str, Any]] = {}  # criteria-start milestone -> the values that start it
    needed_at_insert: dict[str, Any] = {}  # what process-start milestones need on the new case
    for real, sm in zip(real_tier.milestones, smoke_tier.milestones):
        applies, reason, wanted = _applies(sm, field_types, values)
        values.update(wanted)
        if applies and wanted and sm.start == "criteria":
            later[sm.name] = wanted
        elif applies:
            needed_at_insert.update(wanted)
        trigger = sm.completes_when.kind if sm.completes_when else None
        plans.append(MilestonePlan(real.name, sm.name, sm.time_limit_minutes, applies, reason, trigger))
        if not applies or trigger is None:
            continue
        if trigger == "fields":
            got = _completion_values(sm, field_types)
            if isinstance(got, str):
                skipped.append((sm.name, got))
                continue
            field_steps.append(Step("fields", (sm.name,), got))
        else:
            by_kind[trigger].append(sm.name)
    steps: list[Step] = []
    for kind in TRIGGER_ORDER:
        if kind == "fields":
            steps.extend(field_steps)
        elif by_kind[kind]:
            steps.append(Step(kind, tuple(by_kind[kind])))
    # shortest limit first, so each completion lands well before its target; closing ends the
    # process (exit criteria), so it always comes last
    # criteria-start milestones: the cases are inserted without their criteria, which an update
    # sets a little later, so the start (and target) must follow the criteria time; a value a
    # process-start milestone needs at the insert is set at the insert for both
    for name in [n for n, w in later.items() if all(k in needed_at_insert for k in w)]:
        del later[name]  # its criteria already hold at the insert: it starts with the case
    criteria_values = {k: v for w in later.values() for k, v in w.items() if k not in needed_at_insert}
    values = {k: v for k, v in values.items() if k not in criteria_values}
    plans = [replace(p, criteria_start=p.smoke in later) for p in plans]
    limit = {p.smoke: p.minutes for p in plans}
    steps.sort(key=lambda s: (s.kind == "case_closed", min(limit[m] for m in s.milestones)))
    actions = [ExpectedAction(a.case, a.kind, p.real, a.when, a.field, a.value, a.subject)  # real names
               for sm, p in zip(smoke_tier.milestones, plans) if p.applies for a in _actions(sm)]
    return TierPlan(real_tier.name, smoke_tier.name, values, tuple(plans), tuple(steps), tuple(actions),
                    tuple(skipped), criteria_values)


def action_name(action: ExpectedAction, sources: list[str]) -> str:
    return f"action: {action.label()} ({', '.join(sources)})"


def merged_actions(actions: tuple[ExpectedAction, ...]) -> list[tuple[ExpectedAction, list[str]]]:
    """One observable side effect per (case, kind, field/value or subject), with its sources."""
    seen: dict[tuple, tuple[ExpectedAction, list[str]]] = {}
    for a in actions:
        key: tuple = (a.case, a.kind, a.field, _show(a.value) if a.kind == "field" else None, a.subject)
        if not a.expect.observable:  # nothing to see: one line per source
            key = (a.case, a.kind, a.milestone, a.when)
        entry = seen.setdefault(key, (a, []))
        entry[1].append(f"{a.milestone} {a.when}")
    return list(seen.values())
