"""The resolved project: what every later pass (render, simulate, deploy, backfill, smoke, audit)
reads. Built by `slakit.config.resolve` from the validated pydantic model: defaults applied,
durations turned into business minutes, names sanitized into API names, references checked.

Plain frozen dataclasses: no validation here, no I/O, no YAML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from slakit.salesforce import CASE, Target

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Window:
    """An open window inside one local day, minutes after local midnight: 0 <= start < end <= 1440."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Holiday:
    name: str
    date: dt.date | None  # None for nth-weekday holidays
    window: Window | None  # None = all day
    recurs: Literal["none", "yearly", "nth"] = "none"
    instance: Literal["first", "second", "third", "fourth", "last"] | None = None
    weekday: int | None = None  # 0 = Monday
    month: int | None = None  # 1..12


@dataclass(frozen=True)
class BusinessHours:
    name: str
    api_name: str
    time_zone: str | None  # None only for `existing` hours declared without a zone
    week: tuple[Window | None, ...]  # 7 entries, Monday first; None = closed; () when unknown
    holidays: tuple[Holiday, ...] = ()
    existing: bool = False

    @property
    def known(self) -> bool:
        """True when the hours are defined in the file (the simulator can use them)."""
        return bool(self.week) and self.time_zone is not None

    @property
    def is_24x7(self) -> bool:
        return self.known and all(w is not None and w.minutes == 1440 for w in self.week) and not self.holidays


@dataclass(frozen=True)
class Criterion:
    field: str  # as written, e.g. "Case.L2_Assigned__c"
    operator: str  # Salesforce FilterOperation: equals, notEqual, lessThan, greaterThan, ...
    value: str


def field_type(value: Any) -> str:
    """The Case field type a `set` value implies: Checkbox, DateTime (`now`), Number or Text."""
    if isinstance(value, bool):
        return "Checkbox"
    if isinstance(value, str) and value.strip().lower() == "now":
        return "DateTime"
    if isinstance(value, (int, float)):
        return "Number"
    return "Text"


@dataclass(frozen=True)
class EmailAction:
    """`email: [...]`: a Case email alert to these recipients."""

    kind: ClassVar[Literal["email"]] = "email"
    recipients: tuple[str, ...] = ()  # owner | account_owner | creator | <prefix>:<name> | address
    line: int | None = None  # where it is in tiers.yml (under the milestone, or in defaults)

    def people(self) -> tuple[str, ...]:
        """The users, roles, groups and teams it names (checked against the org before a deploy)."""
        return self.recipients


@dataclass(frozen=True)
class SetAction:
    """`set: {Field: value}`: a Case field update."""

    kind: ClassVar[Literal["set"]] = "set"
    field: str  # bare API name (no `Case.` prefix: `Target.bare`)
    value: Any = None  # True/False, a literal string/number, or "now"
    line: int | None = None

    def people(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class TaskAction:
    """`task: {subject, ...}`: a Task on the case."""

    kind: ClassVar[Literal["task"]] = "task"
    subject: str
    assign_to: str = "owner"  # owner | account_owner | creator | user:<username> | role:<DeveloperName>
    due_in_days: int = 0
    priority: str = "Normal"
    line: int | None = None

    def people(self) -> tuple[str, ...]:
        return (self.assign_to,)


Action = EmailAction | SetAction | TaskAction
"""One milestone action: a tagged union (`kind`), dispatched with `match` + `assert_never`."""


OBSERVED = ("field", "task")  # the side effects smoke's --wait-actions can poll: a Case field, a Task


@dataclass(frozen=True)
class Expect:
    """What smoke expects a fired action to leave, read generically by smoke/scenarios and
    smoke/actions: a field value on the case (`field`: the action's attributes naming the field and
    its value), a Task on the case (`task`: the attribute holding its subject), or nothing the API can
    read (any other kind: reported as skipped, `unseen` says why, `label` names it)."""

    kind: str  # `ExpectedAction.kind`: field | task | another word for an unobservable effect
    attrs: tuple[tuple[str, str], ...] = ()  # (ExpectedAction field, the action's attribute holding it)
    label: str = ""  # an unobservable effect's name in the report ("email alert")
    unseen: str = ""  # why it is skipped

    @classmethod
    def field_value(cls, field: str, value: str) -> Expect:
        return cls("field", (("field", field), ("value", value)))

    @classmethod
    def task_subject(cls, subject: str) -> Expect:
        return cls("task", (("subject", subject),))

    @classmethod
    def unobservable(cls, kind: str, label: str, unseen: str) -> Expect:
        return cls(kind, (), label, unseen)

    @property
    def observable(self) -> bool:
        return self.kind in OBSERVED

    def of(self, action: Action) -> dict[str, Any]:
        """The ExpectedAction fields this action fills (`field`/`value`, or `subject`)."""
        return {name: getattr(action, attr) for name, attr in self.attrs}


@dataclass(frozen=True)
class ActionKind:
    """Everything slakit knows about one kind of milestone action, in one place."""

    key: str  # the tiers.yml key and `Action.kind`
    model: type  # the resolved dataclass (a member of `Action`)
    word: str  # the name suffix of the rendered action (`Gold_L2_Warning_Email`)
    action_type: str  # the entitlement process MilestoneAction type
    workflow_tag: str  # its element in the object's .workflow file
    package_child: str  # its Metadata API type (a child of Workflow, members `Case.<name>`)
    smoke: Expect  # the side effect smoke's --wait-actions looks for
    pool: str  # its list in render's ActionPlan and the workflow template, its set in audit's Workflow
    tally: str  # backtest's count of fired actions: `warning_<tally>`, `violation_<tally>`


ACTION_KINDS: tuple[ActionKind, ...] = (
    ActionKind("email", EmailAction, "Email", "Alert", "alerts", "WorkflowAlert",
               Expect.unobservable("email", "email alert", "email alerts leave no record the API can read"),
               "alerts", "emails"),
    ActionKind("set", SetAction, "Set", "FieldUpdate", "fieldUpdates", "WorkflowFieldUpdate",
               Expect.field_value("field", "value"), "field_updates", "updates"),
    ActionKind("task", TaskAction, "Task", "Task", "tasks", "WorkflowTask", Expect.task_subject("subject"), "tasks",
               "tasks"),
)
EXPECT_OF: dict[str, Expect] = {k.smoke.kind: k.smoke for k in ACTION_KINDS}  # by `ExpectedAction.kind`
KIND_OF: dict[str, ActionKind] = {k.key: k for k in ACTION_KINDS}
KIND_OF_TYPE: dict[str, ActionKind] = {k.action_type: k for k in ACTION_KINDS}


def kind_of(action: Action) -> ActionKind:
    return KIND_OF[action.kind]


@dataclass(frozen=True)
class Completion:
    """What completes a milestone. kind: first_response | owner_assigned | case_closed | fields."""

    kind: Literal["first_response", "owner_assigned", "case_closed", "fields"]
    criteria: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class Milestone:
    name: str  # MilestoneType name (shared across tiers)
    api_name: str  # sanitized
    time_limit_minutes: int  # business minutes
    time_limit_text: str  # as written: "4h", "1bd"
    business_hours: str | None  # milestone-level override (name), None = process hours
    recurrence: Literal["none", "sequential", "independent"]
    criteria: tuple[Criterion, ...]  # applies_when items (all must hold)
    criteria_formula: str | None  # applies_when formula
    start: Literal["process", "criteria"]
    completes_when: Completion | None
    warnings: tuple[float, ...]  # percents, e.g. (50.0, 75.0, 90.0), ascending
    on_warning: tuple[Action, ...]
    on_violation: tuple[Action, ...]
    on_success: tuple[Action, ...]
    line: int | None = None  # where it is in tiers.yml

    def warning_offset_minutes(self, percent: float) -> int:
        """Minutes before the target a warning fires, rounded so it fires no later than asked."""
        import math

        before = self.time_limit_minutes * (100.0 - percent) / 100.0
        return max(0, math.ceil(before - 1e-9))


@dataclass(frozen=True)
class EntitlementTemplate:
    term_days: int | None
    term_text: str | None
    cases_per_entitlement: int | None
    per_incident: bool


@dataclass(frozen=True)
class ClosedWon:
    """Create this tier's entitlement when an opportunity with a matching product closes won."""

    product_family: str | None
    product_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entitlement:
    accounts: str | None  # SOQL WHERE clause on Account
    term_text: str | None  # "12 months"
    term_amount: int | None
    term_unit: Literal["days", "months", "years"] | None
    name_pattern: str  # "{tier} Support"
    type: str | None  # Entitlement.Type picklist value, e.g. "Phone Support"
    template: EntitlementTemplate | None
    on_closed_won: ClosedWon | None

    def name_for(self, tier: str) -> str:
        return self.name_pattern.replace("{tier}", tier)


@dataclass(frozen=True)
class Tier:
    name: str
    api_name: str  # sanitized, used for file and component names
    description: str | None
    business_hours: str | None  # name, None = 24/7
    milestones: tuple[Milestone, ...]
    entitlement: Entitlement
    line: int | None = None


@dataclass(frozen=True)
class Project:
    api_version: str
    business_hours: dict[str, BusinessHours]  # by name, file order
    tiers: tuple[Tier, ...]
    existing_fields: frozenset[str]
    source: str  # path of tiers.yml as given
    root: str  # folder holding tiers.yml (user templates/ live here)
    extra: dict[str, Any] = field(default_factory=dict)
    sender_org_wide: str | None = None  # alerts' Organization-Wide Email Address; None = the running user
    target: Target = CASE  # the object the entitlement processes run on

    def tier(self, name: str) -> Tier:
        for t in self.tiers:
            if t.name.lower() == name.lower():
                return t
        raise KeyError(name)

    def hours_for(self, tier: Tier, milestone: Milestone | None = None) -> BusinessHours | None:
        """Business hours that govern a milestone: milestone > process; None = 24/7."""
        name = (milestone.business_hours if milestone else None) or tier.business_hours
        return self.business_hours.get(name) if name else None

    def milestone_types(self) -> list[Milestone]:
        """One milestone per distinct name, first occurrence in file order."""
        seen: dict[str, Milestone] = {}
        for t in self.tiers:
            for m in t.milestones:
                seen.setdefault(m.name, m)
        return list(seen.values())
