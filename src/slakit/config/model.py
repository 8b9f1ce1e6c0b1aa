"""The shape of tiers.yml as pydantic models (extra keys forbidden): types and per-field formats
only. Cross-references, defaults and unit conversion belong to `resolve`; advice to `lint`.

Field validators raise ValueError with user-facing sentences; `load` turns pydantic's errors into
located problems (`tiers.yml:LINE:COL: tiers[1].milestones[0].time_limit: message`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, WithJsonSchema, field_validator, model_validator

from slakit.config import project as p
from slakit.config.project import ACTION_KINDS
from slakit.salesforce import Target

DURATION_RE = re.compile(r"^\s*(\d+)\s*(m|h|d|bd)\s*$")
TERM_RE = re.compile(r"^\s*(\d+)\s*(day|days|month|months|year|years)\s*$")
WINDOW_RE = re.compile(r"^\s*(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$")
DAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekdays", "every_day")
OPERATORS = (
    "equals", "notEqual", "lessThan", "greaterThan", "lessOrEqual", "greaterOrEqual",
    "contains", "notContain", "startsWith", "includes", "excludes", "within",
)  # fmt: skip
INSTANCES = ("first", "second", "third", "fourth", "last")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")  # fmt: skip
WEEKDAY_NAMES = DAY_KEYS[:7]
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RECIPIENT_RE = re.compile(r"^(owner|account_owner|creator|(user|role|group|team):\S.*)$")
ASSIGNEE_RE = re.compile(r"^(owner|account_owner|creator|(user|role):\S.*)$")


def _shape(v: Any) -> str:
    """Union discriminator: pick the member by the input's shape (tags start with '~' so the
    loader can drop them from error locations)."""
    if isinstance(v, list):
        return "~list"
    if isinstance(v, dict):
        return "~map"
    return "~scalar"


def one_of(**members: Any) -> Any:
    """Annotated union discriminated by shape: one_of(list=..., map=..., scalar=...)."""
    from typing import Union

    parts = tuple(Annotated[t, Tag("~" + k)] for k, t in members.items())
    return Annotated[Union[parts], Discriminator(_shape)]  # noqa: UP007


CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_controls(v: Any) -> None:
    """Control characters (tab and line breaks aside) have no place in a name, a subject or a
    filter, and XML cannot carry them; refused wherever they hide (list items, mapping keys)."""
    if isinstance(v, str):
        bad = CONTROL_RE.search(v)
        if bad:
            raise ValueError(f"'{v}' holds the control character U+{ord(bad.group()):04X}: write plain text")
    elif isinstance(v, (list, tuple)):
        for x in v:
            _no_controls(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            _no_controls(k)
            _no_controls(x)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, v: Any) -> Any:
        _no_controls(v)
        return v


def parse_window(text: str) -> tuple[int, int] | None:
    """'09:00-17:00' -> (540, 1020); '24h' -> (0, 1440); 'closed' -> None. ValueError otherwise."""
    t = str(text).strip().lower()
    if t == "closed":
        return None
    if t in ("24h", "00:00-24:00", "00:00-00:00"):
        return (0, 1440)
    m = WINDOW_RE.match(t)
    if not m:
        raise ValueError(f"'{text}' is not an opening time: use \"HH:MM-HH:MM\", 24h or closed")
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"'{text}' has an impossible time of day")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end == 0:
        end = 1440  # an end of 00:00 is midnight at the end of the day
    if end <= start:
        raise ValueError(f"'{text}' ends before it starts (windows never cross midnight)")
    return (start, end)


class NthWeekday(Strict):
    instance: Literal["first", "second", "third", "fourth", "last"]
    weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    month: Literal[MONTHS]  # type: ignore[valid-type]

    @field_validator("instance", "weekday", "month", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.lower() if isinstance(v, str) else v


if TYPE_CHECKING:  # what one_of() builds at run time, spelled for the type checker
    Recurs = Literal["yearly"] | NthWeekday
else:
    Recurs = one_of(scalar=Literal["yearly"], map=NthWeekday)


class HolidayModel(Strict):
    name: str = Field(min_length=1, max_length=80)
    date: dt.date | None = None
    time: str | None = None
    recurs: Recurs | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, str):
            try:
                return dt.date.fromisoformat(v.strip())
            except ValueError:
                raise ValueError(f"'{v}' is not a real date (YYYY-MM-DD)") from None
        return v

    @field_validator("time")
    @classmethod
    def _time(cls, v: str | None) -> str | None:
        if v is not None and parse_window(v) is None:
            raise ValueError("a holiday time is a window like \"13:00-17:00\"")
        return v

    @model_validator(mode="after")
    def _needs_date(self) -> HolidayModel:
        if isinstance(self.recurs, NthWeekday):
            if self.date is not None:
                raise ValueError("a nth-weekday holiday takes no date (it recurs every year by rule)")
        elif self.date is None:
            raise ValueError("a holiday needs a date (or recurs: {instance, weekday, month})")
        return self


def _day_key(key: Any) -> str:
    k = str(key).strip().lower()
    if k not in DAY_KEYS:
        raise ValueError(f"'{key}' is not a day: use monday..sunday, weekdays or every_day")
    return k


def _window_text(val: Any) -> str:
    text = "closed" if val is False else str(val)
    parse_window(text)
    return text


class BusinessHoursModel(Strict):
    name: str = Field(min_length=1, max_length=80)
    time_zone: str | None = None
    hours: dict[Annotated[str, BeforeValidator(_day_key)], Annotated[str, BeforeValidator(_window_text)]] | None = None
    holidays: list[HolidayModel] = Field(default_factory=list, max_length=1000)
    existing: bool = False

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{v}' is not an IANA time zone (e.g. America/New_York, Europe/London)") from None
        return v

    @model_validator(mode="after")
    def _complete(self) -> BusinessHoursModel:
        if not self.existing:
            if self.time_zone is None:
                raise ValueError("business hours defined here need a time_zone")
            if not self.hours:
                raise ValueError("business hours defined here need hours (or existing: true)")
        return self


class CriterionModel(Strict):
    field: str = Field(min_length=1)
    operator: Literal[OPERATORS]  # type: ignore[valid-type]
    value: str

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, v: Any) -> Any:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        return v

    @field_validator("field")
    @classmethod
    def _field(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*", v):
            raise ValueError(f"'{v}' is not a field API name (e.g. Case.Priority or Case.L2_Assigned__c)")
        return v


class FormulaModel(Strict):
    formula: str = Field(min_length=1)


class TaskModel(Strict):
    subject: str = Field(min_length=1, max_length=255)
    assign_to: str = "owner"
    due_in_days: int = Field(default=0, ge=0, le=365)
    priority: Literal["High", "Normal", "Low"] = "Normal"


class ActionModel(Strict):
    email: list[str] | None = Field(default=None, min_length=1)
    set: dict[str, Any] | None = Field(default=None, min_length=1)
    task: TaskModel | None = None

    @model_validator(mode="after")
    def _one(self) -> ActionModel:
        given = [k.key for k in ACTION_KINDS if getattr(self, k.key) is not None]
        if len(given) != 1:
            keys = [k.key for k in ACTION_KINDS]
            raise ValueError(f"an action is exactly one of {', '.join(keys[:-1])} or {keys[-1]}")
        return self

    def to_action(self, report: Report, target: Target, existing_fields: frozenset[str]) -> p.Action:
        """The resolved action, its problems reported at paths under the action (`("email", 0)`).
        `existing_fields`: the bare names tiers.yml declares existing (not created by slakit)."""
        if self.email is not None:
            return self._email(self.email, report)
        if self.set is not None:
            return self._set(self.set, report, target, existing_fields)
        if self.task is not None:
            return self._task(self.task, report)
        raise AssertionError("ActionModel holds exactly one kind")  # checked by _one

    @staticmethod
    def _email(email: list[str], report: Report) -> p.EmailAction:
        for k, r in enumerate(email):
            if not (RECIPIENT_RE.match(r) or EMAIL_RE.match(r)):
                report(("email", k), f"'{r}' is not a recipient",
                       "use owner, account_owner, creator, user:<username>, role:<DeveloperName>, "
                       "group:<DeveloperName>, team:<case team role> or an email address")
        addresses = [r for r in email if EMAIL_RE.match(r) and not RECIPIENT_RE.match(r)]
        if len(addresses) > 5:
            report(("email",), f"{len(addresses)} plain addresses: an alert takes at most 5 "
                   "(Salesforce's additional emails)", "send to a group:<DeveloperName> instead")
        return p.EmailAction(recipients=tuple(email))

    @staticmethod
    def _set(given: dict[str, Any], report: Report, target: Target, existing_fields: frozenset[str]) -> p.SetAction:
        from slakit.config.org_rules import (
            custom_field_problem,  # org_rules reads this module
        )

        if len(given) != 1:
            report(("set",), "set one field per action", "split it into several set actions")
        field, value = next(iter(given.items()))
        if isinstance(value, (list, dict)) or (isinstance(value, float) and not math.isfinite(value)):
            report(("set", field), f"{field} cannot be set to {value!r}",
                   "a set value is true, false, a number, a text or now")
        if not re.fullmatch(rf"({re.escape(target.prefix)})?[A-Za-z][A-Za-z0-9_]*", field):
            report(("set", field), f"'{field}' is not a {target.sobject} field API name", key=True)
        elif target.bare(field) not in existing_fields:
            bad = custom_field_problem(target.bare(field))
            if bad:
                report(("set", field), bad[0], bad[1], key=True)
        return p.SetAction(field=target.bare(field), value=value)

    @staticmethod
    def _task(t: TaskModel, report: Report) -> p.TaskAction:
        if not ASSIGNEE_RE.match(t.assign_to):
            report(("task", "assign_to"), f"'{t.assign_to}' cannot be assigned a task",
                   "use owner, account_owner, creator, user:<username> or role:<DeveloperName>")
        return p.TaskAction(subject=t.subject, assign_to=t.assign_to, due_in_days=t.due_in_days, priority=t.priority)


class Report(Protocol):
    """Where `ActionModel.to_action` reports a problem: a path under the action, a message, a hint."""

    def __call__(self, under: tuple, message: str, hint: str | None = None, *, key: bool = False) -> None: ...


Percent = Annotated[
    float,
    Field(gt=0, lt=100),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%$"},
                              {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100}],
                    "description": "a percentage of the time limit, e.g. 75%"}),
]


def _percent(v: Any) -> Any:
    if isinstance(v, str):
        s = v.strip().rstrip("%").strip()
        try:
            return float(s)
        except ValueError:
            raise ValueError(f"'{v}' is not a percentage like 75%") from None
    return v


if TYPE_CHECKING:
    AppliesWhen = list[CriterionModel] | FormulaModel
    CompletesWhen = Literal["first_response", "owner_assigned", "case_closed"] | list[CriterionModel]
else:
    AppliesWhen = one_of(list=list[CriterionModel], map=FormulaModel)
    CompletesWhen = one_of(scalar=Literal["first_response", "owner_assigned", "case_closed"], list=list[CriterionModel])


class MilestoneModel(Strict):
    name: str = Field(min_length=1, max_length=80)
    time_limit: Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^\s*\d+\s*(m|h|d|bd)\s*$",
                                               "description": "business time: 30m, 4h, 2d, 1bd"})]
    business_hours: str | None = None
    recurrence: Literal["none", "sequential", "independent"] = "none"
    applies_when: AppliesWhen | None = None
    start: Literal["process", "criteria"] | None = Field(
        default=None, description="when the clock starts: criteria (when applies_when becomes true; the default "
        "with applies_when or a recurrence) or process (when the case enters the process; the default otherwise)")
    completes_when: CompletesWhen | None = None
    warnings: list[Percent] | None = None
    on_warning: list[ActionModel] | None = None
    on_violation: list[ActionModel] | None = None
    on_success: list[ActionModel] | None = None

    @field_validator("time_limit", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise ValueError("a time limit is a duration like 30m, 4h, 2d or 1bd")
        if isinstance(v, int):
            raise ValueError(f"{v} has no unit: write {v}m, {v}h, {v}d or {v}bd")
        m = DURATION_RE.match(v)
        if not m:
            raise ValueError(f"'{v}' is not a duration: use a whole number with m, h, d or bd (30m, 4h, 2d, 1bd)")
        if int(m.group(1)) < 1:
            raise ValueError("a time limit is at least 1 minute")
        return v.strip()

    @field_validator("warnings", mode="before")
    @classmethod
    def _warnings(cls, v: Any) -> Any:
        return [_percent(x) for x in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _criteria_start(self) -> MilestoneModel:
        if self.start == "criteria" and self.applies_when is None and self.recurrence == "none":
            raise ValueError("start: criteria needs applies_when or a recurrence (the clock starts when the "
                             "criteria become true)")
        return self


class TemplateModel(Strict):
    term: str | None = None
    cases_per_entitlement: int | None = Field(default=None, ge=1)
    per_incident: bool = False

    @field_validator("term")
    @classmethod
    def _term(cls, v: str | None) -> str | None:
        return _check_term(v)


class ClosedWonModel(Strict):
    product_family: str | None = None
    product_codes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> ClosedWonModel:
        if not self.product_family and not self.product_codes:
            raise ValueError("on_closed_won needs product_family or product_codes")
        return self


def _check_term(v: str | None) -> str | None:
    if v is not None and not TERM_RE.match(str(v)):
        raise ValueError(f"'{v}' is not a term: use N days, N months or N years")
    return v


class EntitlementModel(Strict):
    accounts: str | None = None
    term: str | None = None
    name: str = "{tier} Support"
    type: str | None = None
    template: TemplateModel | None = None
    on_closed_won: ClosedWonModel | None = None

    @field_validator("term", mode="before")
    @classmethod
    def _term(cls, v: Any) -> Any:
        return _check_term(None if v is None else str(v))

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, v: str | None) -> str | None:
        from slakit.config.account_filter import check

        return None if v is None else check(v)


class TierModel(Strict):
    name: str = Field(min_length=1, max_length=80)
    description: str | None = Field(default=None, max_length=255)
    business_hours: str | None = None
    milestones: list[MilestoneModel] = Field(min_length=1, max_length=10)
    entitlement: EntitlementModel = Field(default_factory=EntitlementModel)


class DefaultsModel(Strict):
    warnings: list[Percent] = Field(default_factory=list)
    on_warning: list[ActionModel] = Field(default_factory=list)
    on_violation: list[ActionModel] = Field(default_factory=list)
    on_success: list[ActionModel] = Field(default_factory=list)

    @field_validator("warnings", mode="before")
    @classmethod
    def _warnings(cls, v: Any) -> Any:
        return [_percent(x) for x in v] if isinstance(v, list) else v


class AutomationModel(Strict):
    """How the rendered flows arrive: `active` (default) or `draft` (an admin activates them)."""

    flows: Literal["active", "draft"] = "active"


class SenderModel(Strict):
    """Who email alerts come from: an organization-wide email address of the org (verified in
    Setup > Organization-Wide Addresses). Without `sender`, alerts go out from the current user."""

    org_wide: str = Field(json_schema_extra={"format": "email"},
                          description="an Organization-Wide Email Address of the org, e.g. support@acme.com")

    @field_validator("org_wide")
    @classmethod
    def _address(cls, v: str) -> str:
        v = v.strip()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError(f"'{v}' is not an email address")
        return v


class TiersFile(Strict):
    api_version: str | None = None
    automation: AutomationModel = Field(default_factory=AutomationModel)
    business_hours: list[BusinessHoursModel] = Field(default_factory=list)
    defaults: DefaultsModel = Field(default_factory=DefaultsModel)
    existing_fields: list[str] = Field(default_factory=list)
    sender: SenderModel | None = None
    tiers: list[TierModel] = Field(min_length=1)

    @field_validator("api_version", mode="before")
    @classmethod
    def _api(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = f"{float(v):.1f}"
        if v is not None and not re.fullmatch(r"\d{2,3}\.0", str(v)):
            raise ValueError(f"'{v}' is not an API version like \"62.0\" or \"100.0\"")
        return v
