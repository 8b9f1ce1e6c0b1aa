"""What Salesforce (and so `render`) would refuse in a valid-looking tiers.yml, found by `validate`
and located in tiers.yml: `validate` passing means `render` writes and the Metadata API can take it.

- api_version: slakit's flows need 55.0 (`<start><filterFormula>`), Closed Won entitlements 57.0.
- time limits and warning offsets are `xsd:int` minutes (`minutesToComplete`, `timeLength` in the
  Metadata API schema, src/slakit/schema/metadata.xsd): at most 2,147,483,647.
- warnings: a percentage given twice, or two percentages that fall on the same whole minute, would be
  one time trigger where the user asked for two.
- custom fields slakit creates: a Field Name "can contain only underscores and alphanumeric
  characters ... must begin with a letter, not include spaces, not end with an underscore, and not
  contain two consecutive underscores" (Salesforce's Setup help for a new field, as quoted at
  https://gyde.ai/kb/create-fields-with-schema-builder; API names add `__c`: Object Reference,
  "Custom Fields"); 40 characters before `__c`, the cap render already uses for API names
  (docs/render.md). `SLA__Breached__c` reads as the field `Breached__c` of a package with
  namespace `SLA`.
- entitlement terms are at most 900 years: backfill computes EndDate from the term, and Salesforce
  takes dates from 1700-01-01 to 4000-12-31 (Salesforce Help, article 000383587; Data Loader Guide,
  "Data Import Dates"); `cases_per_entitlement` is an `xsd:int`.
- completes_when conditions the completion flow cannot check (`within`; an ordering operator with no
  value), which render refuses.
"""

from __future__ import annotations

import re
from typing import Any

from slakit.config import model as m
from slakit.config import project as p
from slakit.config.load import Located
from slakit.errors import Problem

MIN_FLOW_API = 55.0  # <start><filterFormula> needs 55.0 (Salesforce Help, article 000394500)
MIN_CLOSED_WON_API = 57.0  # Get Records "In" operator (Spring '23)
MAX_MINUTES = 2_147_483_647  # xsd:int: minutesToComplete, timeLength, casesPerEntitlement
MAX_TERM_DAYS = 366 * 900  # an entitlement's EndDate stays a date Salesforce stores (up to 4000-12-31)
CUSTOM_FIELD_RE = re.compile(r"[A-Za-z](?:_?[A-Za-z0-9])*__c")  # no "__" inside, no "_" before "__c"
MAX_FIELD_NAME = 40  # characters before __c
FLOW_OPERATORS = ("equals", "notEqual", "lessThan", "greaterThan", "lessOrEqual", "greaterOrEqual",
                  "contains", "notContain", "startsWith", "includes", "excludes")  # fmt: skip


def custom_field_problem(field: str) -> tuple[str, str] | None:
    """(message, hint) when slakit cannot create a custom field with this API name."""
    if not field.endswith("__c"):
        return None
    base = field[:-3]
    if "__" in base:
        ns = base.split("__", 1)[0]
        message = (f"'{field}' has a double underscore: Salesforce reads '{ns}__' as a package namespace, so "
                   "slakit cannot create it")
        hint = (f"write {re.sub('_+', '_', base).strip('_')}__c, or list it under existing_fields if the "
                "package's field exists")
        return message, hint
    if not CUSTOM_FIELD_RE.fullmatch(field):
        return (f"'{field}' is not a custom field name Salesforce accepts",
                "start with a letter; letters, digits and single underscores; no underscore before __c")
    if len(base) > MAX_FIELD_NAME:
        return f"'{field}' is longer than {MAX_FIELD_NAME} characters before __c", "shorten it"
    return None


def check(doc: Located, tf: m.TiersFile, project: p.Project) -> list[Problem]:
    out: list[Problem] = []

    def err(path: tuple, message: str, hint: str | None = None, *, key: bool = False) -> None:
        out.append(doc.problem(path, message, hint=hint, key=key))

    api = float(project.api_version)
    if api < MIN_FLOW_API:
        msg = (f"{project.api_version} is too old for slakit's flows (formula entry conditions "
               f"need {MIN_FLOW_API:.1f} or later)")
        if tf.api_version:
            err(("api_version",), msg, f'set api_version: "{MIN_FLOW_API:.1f}" or later')
        else:
            msg = "api_version " + msg
            out.append(Problem(msg, file="cumulusci.yml", field="project.package.api_version",
                               hint=f'set api_version: "{MIN_FLOW_API:.1f}" in tiers.yml or cumulusci.yml'))
    d = tf.defaults
    for i, (tm, tier) in enumerate(zip(tf.tiers, project.tiers)):
        base: tuple[Any, ...] = ("tiers", i)
        if tm.entitlement.on_closed_won is not None and api < MIN_CLOSED_WON_API:
            err(base + ("entitlement", "on_closed_won"), f"on_closed_won needs api_version "
                f"{MIN_CLOSED_WON_API:.1f} or later (the flow filters products with the In operator)",
                f'set api_version: "{MIN_CLOSED_WON_API:.1f}" or later')
        ent = tier.entitlement
        epath = base + ("entitlement",)
        if ent.term_amount and ent.term_unit and _days(ent.term_amount, ent.term_unit) > MAX_TERM_DAYS:
            where = epath + ("term",) if tm.entitlement.term else epath + ("template", "term")
            err(where, f"'{ent.term_text}' is longer than 900 years: an entitlement's EndDate must stay a date "
                "Salesforce stores (1700-01-01 to 4000-12-31)",
                "use a shorter term, or leave it out for an open-ended entitlement")
        tpl = ent.template
        if tpl is not None and (tpl.cases_per_entitlement or 0) > MAX_MINUTES:
            err(epath + ("template", "cases_per_entitlement"),
                f"{tpl.cases_per_entitlement:,} is more than Salesforce takes ({MAX_MINUTES:,})")
        for j, (mm, ms) in enumerate(zip(tm.milestones, tier.milestones)):
            mpath = base + ("milestones", j)
            if ms.time_limit_minutes > MAX_MINUTES:
                err(mpath + ("time_limit",), f"'{ms.time_limit_text}' is {ms.time_limit_minutes:,} minutes: "
                    f"Salesforce takes at most {MAX_MINUTES:,}", "use a shorter time limit")
                continue
            own = mm.warnings is not None
            wpath = mpath + ("warnings",) if own else ("defaults", "warnings")
            out.extend(_warnings(doc, wpath, mm.warnings if mm.warnings is not None else d.warnings, ms, mpath, own))
            if isinstance(mm.completes_when, list):
                for k, c in enumerate(mm.completes_when):
                    cpath = mpath + ("completes_when", k)
                    if c.operator not in FLOW_OPERATORS:
                        err(cpath + ("operator",), f"the completion flow cannot check '{c.operator}'",
                            "use " + ", ".join(FLOW_OPERATORS))
                    elif c.value.strip().lower() in ("", "null") and c.operator not in ("equals", "notEqual"):
                        err(cpath + ("value",), f"'{c.operator}' needs a value",
                            "only equals and notEqual compare with blank")
    return _once(out)


def _days(amount: int, unit: str) -> int:
    return amount * (1 if unit.startswith("day") else 31 if unit.startswith("month") else 366)


def _warnings(doc: Located, wpath: tuple, raw: list[float], ms: p.Milestone, mpath: tuple,
              own: bool) -> list[Problem]:
    out = []
    seen: set[float] = set()
    for k, pct in enumerate(raw):
        if pct in seen:
            out.append(doc.problem(wpath + (k,), f"{pct:g}% is listed twice: it would be one warning",
                                   hint="list each percentage once"))
        seen.add(pct)
    by_offset: dict[int, float] = {}
    for pct in sorted(seen):
        offset = ms.warning_offset_minutes(pct)
        if offset in by_offset:
            where = wpath if own else mpath + ("time_limit",)
            out.append(doc.problem(where, f"{by_offset[offset]:g}% and {pct:g}% of {ms.time_limit_text} both fire "
                                   f"{offset} minutes before the target: one time trigger, not two",
                                   hint="drop one, or space them at least a minute apart"))
        by_offset.setdefault(offset, pct)
    return out


def _once(problems: list[Problem]) -> list[Problem]:
    """The same problem found through several milestones (an inherited default) is reported once."""
    return list({(pr.format(), pr.field): pr for pr in problems}.values())


__all__ = ["check", "custom_field_problem"]
