"""What the flows must decide, worked out in Python so the templates stay declarative: which
milestones each completion rule completes, the Flow decision conditions for every
`completes_when`, the tier order for entitlement stamping, and the Closed Won product matches.

A rule is a dict the completion template renders as one Decision:
    {"name": "Rule_1", "label": ..., "milestones": ["Resolution"], "logic": "and" | "1 AND (2 OR 3)",
     "conditions": [{"left": "$Record.IsClosed", "operator": "EqualTo", "type": "boolean", "value": "true"}]}

Completion is state-based: a rule completes its milestones when its condition holds on the record
the flow sees (owner is a user, case is closed, fields match), so running twice is harmless (only
open milestones, `IsCompleted = false`, are touched). When one milestone name completes in
different ways in different tiers, each rule is scoped to its tiers' entitlement process names.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from slakit.config.org_rules import MIN_CLOSED_WON_API, MIN_FLOW_API  # noqa: F401  (render.flows reads MIN_FLOW_API here; validate checks both)
from slakit.errors import RenderError
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from slakit.config.project import Project

OPERATORS = {
    "equals": ("EqualTo", False), "notEqual": ("NotEqualTo", False),
    "lessThan": ("LessThan", False), "greaterThan": ("GreaterThan", False),
    "lessOrEqual": ("LessThanOrEqualTo", False), "greaterOrEqual": ("GreaterThanOrEqualTo", False),
    "contains": ("Contains", False), "notContain": ("Contains", True),
    "startsWith": ("StartsWith", False), "includes": ("Contains", False), "excludes": ("Contains", True),
}
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
PROCESS_NAME_REF = {CASE.sobject: "$Record.SlaProcess.Name", "EmailMessage": "$Record.Parent.SlaProcess.Name",
                    "CaseComment": "$Record.Parent.SlaProcess.Name"}
KIND_LABEL = {"owner_assigned": "owner becomes a user", "case_closed": "case closed",
              "first_response": "first response"}


def formula_string(text: str) -> str:
    """A formula text literal: 'O\\'Brien' (backslash and quote escaped)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _cond(left: str, operator: str, type_: str, value: str, negate: bool = False) -> dict:
    return {"left": left, "operator": operator, "type": type_, "value": value, "negate": negate}


def criterion_condition(c, where: str = "completes_when") -> dict:
    if c.operator not in OPERATORS:
        raise RenderError(f"{where}: operator '{c.operator}' cannot be checked by a flow",
                          field=where, hint="use equals, notEqual, lessThan, greaterThan, contains, startsWith ...")
    op, negate = OPERATORS[c.operator]
    left = "$Record." + CASE.bare(c.field)
    value = c.value.strip()
    if value == "" or value.lower() == "null":
        if op not in ("EqualTo", "NotEqualTo"):
            raise RenderError(f"{where}: '{c.operator}' needs a value", field=where)
        return _cond(left, "IsNull", "boolean", "true" if op == "EqualTo" else "false")
    if value.lower() in ("true", "false"):
        return _cond(left, op, "boolean", value.lower(), negate)
    if NUMBER_RE.match(value) and op not in ("Contains", "StartsWith"):
        return _cond(left, op, "number", value, negate)
    return _cond(left, op, "string", value, negate)


def _logic(conditions: list[dict], scope_from: int | None) -> str:
    """Flow condition logic: all kind conditions (NOT where negated) AND any of the scope conditions."""
    if scope_from is None and not any(c["negate"] for c in conditions):
        return "and"
    parts = [("NOT " if c["negate"] else "") + str(i + 1)
             for i, c in enumerate(conditions[: scope_from if scope_from is not None else len(conditions)])]
    if scope_from is not None:
        scope = [str(i + 1) for i in range(scope_from, len(conditions))]
        parts.append("(" + " OR ".join(scope) + ")" if len(scope) > 1 else scope[0])
    return " AND ".join(parts)


def _kind_key(completion) -> tuple:
    if completion.kind == "fields":
        return ("fields",) + tuple((c.field, c.operator, c.value) for c in completion.criteria)
    return (completion.kind,)


def _rules(project: Project, kinds: set[str], obj: str, kind_conditions) -> list[dict]:
    """Group the project's milestones into completion rules for the trigger object `obj`."""
    by_name: dict[str, set[tuple]] = {}
    for t in project.tiers:
        for m in t.milestones:
            by_name.setdefault(m.name, set()).add(_kind_key(m.completes_when) if m.completes_when else ("never",))
    groups: dict[tuple, dict] = {}
    for t in project.tiers:
        for m in t.milestones:
            cw = m.completes_when
            if cw is None or cw.kind not in kinds:
                continue
            key = _kind_key(cw)
            ambiguous = len(by_name[m.name]) > 1
            gkey = (key, m.name if ambiguous else None)  # a scoped rule covers one milestone name
            g = groups.setdefault(gkey, {"completion": cw, "milestones": [], "tiers": [], "scoped": ambiguous})
            if m.name not in g["milestones"]:
                g["milestones"].append(m.name)
            if t.name not in g["tiers"]:
                g["tiers"].append(t.name)
    rules = []
    for i, g in enumerate(groups.values(), start=1):
        conditions = kind_conditions(g["completion"])
        scope_from = None
        if g["scoped"]:
            scope_from = len(conditions)
            conditions = conditions + [_cond(PROCESS_NAME_REF[obj], "EqualTo", "string", n) for n in g["tiers"]]
        kind = g["completion"].kind
        label = KIND_LABEL.get(kind) or "fields: " + ", ".join(
            f"{CASE.bare(c.field)} {c.operator} {c.value}" for c in g["completion"].criteria)
        rules.append({"name": f"Rule_{i}", "label": label[:80], "kind": kind, "milestones": g["milestones"],
                      "tiers": g["tiers"], "scoped": g["scoped"], "conditions": conditions,
                      "logic": _logic(conditions, scope_from)})
    return rules


def case_rules(project: Project) -> list[dict]:
    def conditions(cw) -> list[dict]:
        if cw.kind == "owner_assigned":  # a User id starts with 005; a queue (Group) with 00G
            return [_cond("$Record.OwnerId", "StartsWith", "string", "005")]
        if cw.kind == "case_closed":
            return [_cond("$Record.IsClosed", "EqualTo", "boolean", "true")]
        return [criterion_condition(c) for c in cw.criteria]

    return _rules(project, {"owner_assigned", "case_closed", "fields"}, project.target.sobject, conditions)


def first_response_rules(project: Project, obj: str) -> list[dict]:
    def conditions(cw) -> list[dict]:
        if obj == "EmailMessage":
            return [_cond("$Record.Incoming", "EqualTo", "boolean", "false")]
        return [_cond("$Record.CreatedBy.UserType", "EqualTo", "string", "Standard")]

    return _rules(project, {"first_response"}, obj, conditions)


def watched_case_fields(rules: list[dict]) -> list[str]:
    """Case fields whose change makes the Case completion flow run (direct fields only)."""
    out: list[str] = []
    for r in rules:
        if r["kind"] == "owner_assigned":
            names = ["OwnerId"]
        elif r["kind"] == "case_closed":
            names = ["Status"]
        else:
            names = [c["left"].removeprefix("$Record.") for c in r["conditions"]
                     if c["left"].startswith("$Record.") and "." not in c["left"].removeprefix("$Record.")]
        for n in names:
            if n not in out:
                out.append(n)
    return out


RANK_DIGITS = 3  # "001:" .. "999:"; wider only past 999 tiers, so the formula stays one size


def rank_width(n_tiers: int) -> int:
    return max(RANK_DIGITS, len(str(n_tiers)))


def stamping_tiers(project: Project) -> list[dict]:
    """Tiers in priority order (file order): rank 1 wins when an account holds several. `prefix` is
    what the tier's Collect assignment writes before each of its process ids in `Ranked_Process_Ids`
    (the zero-padded rank and a colon; ids follow as 15-character keys, each closed by ';')."""
    width = rank_width(len(project.tiers))
    return [{"rank": i, "name": t.name, "prefix": f"{i:0{width}d}:"} for i, t in enumerate(project.tiers, start=1)]


def rank_formula(n_tiers: int) -> str:
    """Rank of the entitlement in the loop, 0 when its process is not an active tier process.

    `Ranked_Process_Ids` reads like "001:5520X000000AbCd;002:5520X000000EfGh;" (rank, colon, the
    process id's first 15 characters, semicolon). The entitlement's key is found in it and the rank
    read from the `width` characters before the colon that precedes it. The formula's size does not
    depend on the number of tiers (the width is 3 up to 999 tiers). Both sides are cut to 15
    characters, so 15- and 18-character Id forms compare equal; the 15-character form is
    case-sensitive, and so are CONTAINS and FIND. Ids hold no ':' or ';', so a key can only match a
    whole key."""
    width = rank_width(n_tiers)
    key = "LEFT({!Each_Entitlement.SlaProcessId}, 15)"
    ranked = "{!Ranked_Process_Ids}"
    return (f"IF(ISBLANK({{!Each_Entitlement.SlaProcessId}}), 0, IF(CONTAINS({ranked}, {key}), "
            f"VALUE(MID({ranked}, FIND({key}, {ranked}) - {width + 1}, {width})), 0))")


def end_date_formula(amount: int | None, unit: str | None) -> str | None:
    """EndDate for a term starting today; the last day is inclusive (12 months from 2026-01-01 ends 2026-12-31)."""
    if amount is None:
        return None
    if unit == "days":
        return f"{{!$Flow.CurrentDate}} + {amount - 1}"
    months = amount * (12 if unit == "years" else 1)
    return f"ADDMONTHS({{!$Flow.CurrentDate}}, {months}) - 1"


def closed_won_tiers(project: Project) -> list[dict]:
    out: list[dict] = []
    for i, t in enumerate(project.tiers, start=1):
        cw = t.entitlement.on_closed_won
        if cw is None:
            continue
        if float(project.api_version) < MIN_CLOSED_WON_API:
            raise RenderError(f"on_closed_won needs api_version {MIN_CLOSED_WON_API:.1f} or later "
                              f"(the flow filters products with the In operator)", file=project.source,
                              field=f"tiers[{i - 1}].entitlement.on_closed_won")
        matches = ([_cond("Each_Product.Family", "EqualTo", "string", cw.product_family)] if cw.product_family else [])
        matches += [_cond("Each_Product.ProductCode", "EqualTo", "string", code) for code in cw.product_codes]
        out.append({
            "n": len(out) + 1, "name": t.name, "process_name": t.name,
            "entitlement_name": t.entitlement.name_for(t.name)[:255],
            "type": t.entitlement.type, "product_family": cw.product_family, "product_codes": list(cw.product_codes),
            "matches": matches, "match_logic": "or",
            "end_date": end_date_formula(t.entitlement.term_amount, t.entitlement.term_unit),
        })
    return out
