"""From the validated model to the resolved `Project`: defaults applied, durations in business
minutes, API names sanitized and checked for collisions, references between sections checked.
Every problem is located (file, line, col, field path); none is raised before all are collected.
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path
from typing import Any, Literal

from slakit import clock
from slakit.config import model as m
from slakit.config import project as p
from slakit.config.load import Located
from slakit.config.names import ALWAYS_OPEN_HOURS, FILE_UNSAFE, api_name
from slakit.errors import Problem
from slakit.salesforce import CASE, DEFAULT_API_VERSION

TARGET = CASE  # the object every SLA runs on (tiers.yml has no key for another one yet)

DAY_INDEX = {d: i for i, d in enumerate(p.WEEKDAYS)}
MONTH_INDEX = {name: i + 1 for i, name in enumerate(m.MONTHS)}


class Resolver:
    def __init__(self, doc: Located, tf: m.TiersFile):
        self.doc = doc
        self.tf = tf
        self.problems: list[Problem] = []

    def err(self, path: tuple, message: str, hint: str | None = None, *, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, hint=hint, key=key))

    def run(self) -> p.Project | None:
        # defaults are checked once, at the defaults line, and shared by every milestone that inherits them
        self.defaults = {kind: tuple(self.located_action(("defaults", kind, k), a)
                                     for k, a in enumerate(getattr(self.tf.defaults, kind)))
                         for kind in ("on_warning", "on_violation", "on_success")}
        hours = self.business_hours()
        tiers = tuple(self.tier(i, t, hours) for i, t in enumerate(self.tf.tiers))
        self.unique_tiers()
        self.milestone_type_names(tiers)
        self.written_field_types(tiers)
        root = str(Path(self.doc.file).resolve().parent)
        return p.Project(
            api_version=self.tf.api_version or project_api_version(root) or DEFAULT_API_VERSION,
            business_hours=hours,
            tiers=tiers,
            existing_fields=frozenset(TARGET.bare(f) for f in self.tf.existing_fields),
            source=self.doc.file,
            root=root,
            extra={"flow_status": "Draft" if self.tf.automation.flows == "draft" else "Active"},
            sender_org_wide=self.tf.sender.org_wide if self.tf.sender else None,
            target=TARGET,
        )

    # business hours -----------------------------------------------------
    def business_hours(self) -> dict[str, p.BusinessHours]:
        out: dict[str, p.BusinessHours] = {}
        seen_api: dict[str, str] = {}
        for i, bh in enumerate(self.tf.business_hours):
            path = ("business_hours", i, "name")
            if bh.name.lower() in {n.lower() for n in out}:
                self.err(path, f"business hours '{bh.name}' are defined twice")
                continue
            if bh.name.strip().lower() == ALWAYS_OPEN_HOURS.lower():
                self.err(path, f"'{ALWAYS_OPEN_HOURS}' is the name slakit gives the 24/7 hours it renders for "
                         "tiers without business_hours", "rename these hours, or leave business_hours out for 24/7")
                continue
            api = api_name(bh.name)
            if api in seen_api:
                self.err(path, f"'{bh.name}' and '{seen_api[api]}' both become the API name {api}",
                         "rename one of them")
            seen_api[api] = bh.name
            week: tuple = ()
            if bh.hours:
                days: list[p.Window | None] = [None] * 7
                for key in ("every_day", "weekdays", *p.WEEKDAYS):
                    if key not in bh.hours:
                        continue
                    span = m.parse_window(bh.hours[key])
                    win = p.Window(*span) if span else None
                    targets = range(7) if key == "every_day" else range(5) if key == "weekdays" else [DAY_INDEX[key]]
                    for d in targets:
                        days[d] = win
                week = tuple(days)
                if all(w is None for w in week):
                    self.err(("business_hours", i, "hours"), "every day is closed", "open at least one day")
            holidays = tuple(self.holiday(i, j, h) for j, h in enumerate(bh.holidays))
            out[bh.name] = p.BusinessHours(bh.name, api, bh.time_zone, week, holidays, bh.existing)
        return out

    def holiday(self, i: int, j: int, h: m.HolidayModel) -> p.Holiday:
        span = m.parse_window(h.time) if h.time else None
        window = p.Window(*span) if span else None
        if isinstance(h.recurs, m.NthWeekday):
            return p.Holiday(h.name, None, window, "nth", h.recurs.instance, DAY_INDEX[h.recurs.weekday],
                             MONTH_INDEX[h.recurs.month])
        if h.recurs == "yearly" and h.date and (h.date.month, h.date.day) == (2, 29):
            self.err(("business_hours", i, "holidays", j, "date"),
                     "February 29 does not come every year", "use a one-off date or a nth-weekday rule")
        return p.Holiday(h.name, h.date, window, "yearly" if h.recurs == "yearly" else "none")

    # tiers ----------------------------------------------------------------
    def ref_hours(self, path: tuple, name: str | None, hours: dict) -> str | None:
        if name is None or name in hours:
            return name
        close = difflib.get_close_matches(name, list(hours), n=1, cutoff=0.5)
        self.err(path, f"unknown business hours '{name}'",
                 f"did you mean `{close[0]}`?" if close else "define it under business_hours")
        return None

    def tier(self, i: int, t: m.TierModel, hours: dict) -> p.Tier:
        base = ("tiers", i)
        if any(c in FILE_UNSAFE or ord(c) < 32 for c in t.name):
            self.err(base + ("name",), f"'{t.name}' cannot name an entitlement process (no / or \\)")
        bh = self.ref_hours(base + ("business_hours",), t.business_hours, hours)
        names: set[str] = set()
        milestones = []
        for j, ms in enumerate(t.milestones):
            mpath = base + ("milestones", j)
            if ms.name.lower() in names:
                self.err(mpath + ("name",), f"milestone '{ms.name}' appears twice in tier '{t.name}'")
            names.add(ms.name.lower())
            milestones.append(self.milestone(mpath, ms, hours, bh))
        return p.Tier(t.name, api_name(t.name), t.description, bh, tuple(milestones),
                      self.entitlement(base + ("entitlement",), t.entitlement), self.doc.where(base)[0])

    def unique_tiers(self) -> None:
        seen: dict[str, str] = {}
        seen_api: dict[str, str] = {}
        for i, t in enumerate(self.tf.tiers):
            path = ("tiers", i, "name")
            if t.name.lower() in seen:
                self.err(path, f"tier '{t.name}' is defined twice")
            elif api_name(t.name) in seen_api:
                self.err(path, f"'{t.name}' and '{seen_api[api_name(t.name)]}' both become the API name "
                         f"{api_name(t.name)}", "rename one of them")
            seen[t.name.lower()] = t.name
            seen_api.setdefault(api_name(t.name), t.name)

    def milestone_type_names(self, tiers: tuple[p.Tier, ...]) -> None:
        """One MilestoneType per name: API names must not collide, and a type has one recurrence."""
        seen: dict[str, str] = {}
        recurrence: dict[str, tuple[str, str]] = {}
        for i, t in enumerate(tiers):
            for j, ms in enumerate(t.milestones):
                other = seen.setdefault(ms.api_name, ms.name)
                if other != ms.name:
                    self.err(("tiers", i, "milestones", j, "name"),
                             f"'{ms.name}' and '{other}' both become the API name {ms.api_name}",
                             "use the same spelling for the same milestone, or rename one")
                first = recurrence.setdefault(ms.name, (ms.recurrence, t.name))
                if first[0] != ms.recurrence:
                    self.err(("tiers", i, "milestones", j, "recurrence"),
                             f"milestone '{ms.name}' recurs '{ms.recurrence}' here but '{first[0]}' in tier "
                             f"'{first[1]}'", "a milestone type has one recurrence: align them or rename one")

    def written_field_types(self, tiers: tuple[p.Tier, ...]) -> None:
        """A field that actions write gets one type: `true` in one action and `now` in another cannot both be."""
        seen: dict[str, tuple[str, str]] = {}
        existing = {TARGET.bare(f) for f in self.tf.existing_fields}
        for i, t in enumerate(tiers):
            for j, ms in enumerate(t.milestones):
                for kind in ("on_warning", "on_violation", "on_success"):
                    for k, a in enumerate(getattr(ms, kind)):
                        if not isinstance(a, p.SetAction) or not a.field.endswith("__c") or a.field in existing:
                            continue
                        ftype = p.field_type(a.value)
                        first = seen.setdefault(a.field, (ftype, f"{t.name} / {ms.name}"))
                        if first[0] != ftype:
                            path: tuple = ("tiers", i, "milestones", j, kind, k, "set")
                            if self.tf.tiers[i].milestones[j].model_dump().get(kind) is None:
                                path = ("defaults", kind)
                            self.err(path, f"{a.field} is written as {ftype} here but as {first[0]} in "
                                     f"{first[1]}", "a field has one type: write the same kind of value")

    def milestone(self, path: tuple, ms: m.MilestoneModel, hours: dict, tier_bh: str | None) -> p.Milestone:
        d = self.tf.defaults
        own_bh = self.ref_hours(path + ("business_hours",), ms.business_hours, hours)
        governing = hours.get(own_bh or tier_bh) if (own_bh or tier_bh) else None
        minutes = self.minutes(path + ("time_limit",), ms.time_limit, governing)
        criteria: tuple = ()
        formula = None
        if isinstance(ms.applies_when, m.FormulaModel):
            formula = ms.applies_when.formula
        elif ms.applies_when:
            criteria = tuple(_criterion(c) for c in ms.applies_when)
        completion = None
        if isinstance(ms.completes_when, list):
            completion = p.Completion("fields", tuple(_criterion(c) for c in ms.completes_when))
        elif ms.completes_when:
            completion = p.Completion(ms.completes_when)
        warnings = tuple(sorted(set(ms.warnings if ms.warnings is not None else d.warnings)))

        def acts(name: str) -> tuple[p.Action, ...]:
            own = getattr(ms, name)
            if own is None:
                return self.defaults[name]
            return tuple(self.located_action(path + (name, k), a) for k, a in enumerate(own))

        return p.Milestone(
            name=ms.name, api_name=api_name(ms.name), time_limit_minutes=minutes, time_limit_text=ms.time_limit,
            business_hours=own_bh, recurrence=ms.recurrence, criteria=criteria, criteria_formula=formula,
            start=ms.start or default_start(ms), completes_when=completion, warnings=warnings,
            on_warning=acts("on_warning"), on_violation=acts("on_violation"), on_success=acts("on_success"),
            line=self.doc.where(path)[0],
        )

    def minutes(self, path: tuple, text: str, hours: p.BusinessHours | None) -> int:
        match = m.DURATION_RE.match(text)
        assert match is not None  # the model's pattern already checked the shape
        amount, unit = match.groups()
        n = int(amount)
        if unit == "m":
            return n
        if unit == "h":
            return n * 60
        if unit == "d":
            return n * 1440
        if hours is None:
            return n * 1440  # 24/7: a business day is a day
        if not hours.known:
            self.err(path, f"'{text}' needs the length of a business day, but '{hours.name}' is existing "
                     "with no hours here", "add its hours and time_zone, or use h/m units")
            return n * 1440
        try:
            return n * clock.business_day_minutes(week_spans(hours))
        except ValueError as exc:
            self.err(path, f"'{text}' is ambiguous on '{hours.name}': {exc}", "use h or m units")
            return n * 1440

    def located_action(self, path: tuple, a: m.ActionModel) -> p.Action:
        """The resolved action carrying its tiers.yml line (under the milestone, or in defaults)."""
        return dataclasses.replace(self.action(path, a), line=self.doc.where(path)[0])

    def action(self, path: tuple, a: m.ActionModel) -> p.Action:
        """The model builds its action; problems are located under `path`."""
        def report(under: tuple, message: str, hint: str | None = None, *, key: bool = False) -> None:
            self.err(path + under, message, hint, key=key)

        return a.to_action(report, TARGET, frozenset(TARGET.bare(f) for f in self.tf.existing_fields))

    def entitlement(self, path: tuple, e: m.EntitlementModel) -> p.Entitlement:
        amount, unit = _term(e.term)
        tpl = None
        if e.template is not None:
            ta, tu = _term(e.template.term)
            tpl = p.EntitlementTemplate(_term_days(ta, tu), e.template.term, e.template.cases_per_entitlement,
                                        e.template.per_incident)
            if e.term is None and e.template.term:
                amount, unit = ta, tu
        if "{tier}" not in e.name and "{" in e.name:
            self.err(path + ("name",), f"'{e.name}' has an unknown placeholder", "only {tier} is replaced")
        cw = None
        if e.on_closed_won is not None:
            cw = p.ClosedWon(e.on_closed_won.product_family, tuple(e.on_closed_won.product_codes))
        return p.Entitlement(e.accounts, e.term or (e.template.term if e.template else None), amount, unit,
                             e.name, e.type, tpl, cw)


def week_spans(hours: p.BusinessHours) -> list[tuple[int, int] | None]:
    """The week as the clock reads it: (start, end) minutes per weekday, None when closed."""
    return [(w.start, w.end) if w else None for w in hours.week]


def _criterion(c: m.CriterionModel) -> p.Criterion:
    return p.Criterion(c.field, c.operator, c.value)


TermUnit = Literal["days", "months", "years"]
_TERM_UNITS: dict[str, TermUnit] = {"day": "days", "days": "days", "month": "months", "months": "months",
                                    "year": "years", "years": "years"}


def _term(text: str | None) -> tuple[int | None, TermUnit | None]:
    if not text:
        return None, None
    match = m.TERM_RE.match(text)
    assert match is not None  # the model's pattern already checked the shape
    amount, unit = match.groups()
    return int(amount), _TERM_UNITS[unit]


def _term_days(amount: int | None, unit: str | None) -> int | None:
    if amount is None:
        return None
    """EntitlementTemplate.term is in days: a year is 365, a month a twelfth of it (12 months = 365)."""
    if unit == "days":
        return amount
    if unit == "years":
        return amount * 365
    return round(amount * 365 / 12)


def project_api_version(root: str) -> str | None:
    """`project.package.api_version` from a cumulusci.yml beside tiers.yml, if any."""
    path = Path(root) / "cumulusci.yml"
    if not path.is_file():
        return None
    try:
        from ruamel.yaml import YAML

        data: Any = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        value = data.get("project", {}).get("package", {}).get("api_version")
        return str(value) if value else None
    except Exception:  # a broken cumulusci.yml is CumulusCI's to report
        return None


def default_start(ms: m.MilestoneModel) -> Literal["process", "criteria"]:
    """When a milestone's clock starts if tiers.yml does not say: a milestone with criteria or a
    recurrence starts when its criteria become true (`useCriteriaStartTime` true: Metadata API,
    EntitlementProcess > EntitlementProcessMilestoneItem), so a case escalated a day after it was
    opened is not born violated; any other milestone starts when the case enters the process."""
    return "criteria" if ms.applies_when is not None or ms.recurrence != "none" else "process"
