"""slakit's own flows read back: which milestones each completion flow completes and how
(`completes_when`), the tier order the stamping flow ranks (tiers.yml order), and whether the
flows were deployed active or draft (`automation.flows`).

The flows are the ones `slakit.render.flows` renders (fixed API names); this module reads the
elements those templates write: the `Check_Rule_N` decisions (conditions of each rule), the
`Which_Milestone_Type` decision (milestone type name AND `Rule_N_Holds`), the scope conditions on
`$Record.SlaProcess.Name` / `$Record.Parent.SlaProcess.Name` (a rule kept to some tiers), and the
stamping flow's `Is_Tier_N` rules (`Each_Process.Name` = tier). Flows an org built itself are not
read: their automation is not slakit's to express.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from slakit.render import flows as F
from slakit.importer.read import Facts, q, text
from slakit.salesforce import CASE as TARGET

CASE = F.CASE_COMPLETION
FIRST_RESPONSE = (F.EMAIL_COMPLETION, F.COMMENT_COMPLETION)
STAMPING = F.STAMPING
SCOPE_REFS = ("$Record.SlaProcess.Name", "$Record.Parent.SlaProcess.Name")
# render.flows_rules.OPERATORS read backwards: (flow operator, negated) -> criterion operator
OPERATORS = {("EqualTo", False): "equals", ("NotEqualTo", False): "notEqual", ("LessThan", False): "lessThan",
             ("GreaterThan", False): "greaterThan", ("LessThanOrEqualTo", False): "lessOrEqual",
             ("GreaterThanOrEqualTo", False): "greaterOrEqual", ("Contains", False): "contains",
             ("Contains", True): "notContain", ("StartsWith", False): "startsWith"}


@dataclass
class Automation:
    completions: dict[tuple[str | None, str], Any] = field(default_factory=dict)  # (tier|None, milestone)
    tier_order: list[str] = field(default_factory=list)
    status: str | None = None  # Active | Draft

    def completes_when(self, tier: str, milestone: str) -> Any:
        key = (tier, milestone)
        return self.completions.get(key, self.completions.get((None, milestone)))


def _value(cond) -> str | None:
    rv = cond.find(q("rightValue"))
    if rv is None:
        return None
    for tag in ("stringValue", "booleanValue", "numberValue"):
        el = rv.find(q(tag))
        if el is not None:
            return (el.text or "").strip()
    return None


def _conditions(rule) -> list[tuple[str, str, str | None]]:
    return [(text(c, "leftValueReference") or "", text(c, "operator") or "", _value(c))
            for c in rule.findall(q("conditions"))]


def _negated(rule) -> set[int]:
    logic = text(rule, "conditionLogic") or "and"
    return {int(n) - 1 for n in re.findall(r"NOT (\d+)", logic)} if logic not in ("and", "or") else set()


def _kind(flow_name: str, conds: list[tuple[str, str, str | None]], negated: set[int]) -> Any:
    if flow_name in FIRST_RESPONSE:
        return "first_response"
    if conds == [("$Record.IsClosed", "EqualTo", "true")]:
        return "case_closed"
    if conds == [("$Record.OwnerId", "StartsWith", "005")]:
        return "owner_assigned"
    out = []
    for i, (left, op, value) in enumerate(conds):
        field_ = left.removeprefix("$Record.")
        if op == "IsNull":
            out.append({"field": TARGET.field(field_), "operator": "equals" if value == "true" else "notEqual",
                        "value": ""})
            continue
        operator = OPERATORS.get((op, i in negated))
        if operator is None:
            return None
        out.append({"field": TARGET.field(field_), "operator": operator, "value": value or ""})
    return out or None


def _rules(flow_name: str, root) -> dict[str, tuple[Any, list[str]]]:
    """Rule_N -> (completes_when, tiers it is kept to: [] = every tier)."""
    out = {}
    for dec in root.findall(q("decisions")):
        name = text(dec, "name") or ""
        if not name.startswith("Check_Rule_"):
            continue
        rule = dec.find(q("rules"))
        if rule is None:
            continue
        conds = _conditions(rule)
        negated = _negated(rule)
        kind_conds = [(c, i) for i, c in enumerate(conds) if c[0] not in SCOPE_REFS]
        tiers = [c[2] or "" for c in conds if c[0] in SCOPE_REFS]
        kind = _kind(flow_name, [c for c, _ in kind_conds], {j for j, (_, i) in enumerate(kind_conds) if i in negated})
        out[name.removeprefix("Check_")] = (kind, tiers)
    return out


def read_automation(facts: Facts) -> Automation:
    auto = Automation()
    for name in (CASE, *FIRST_RESPONSE):
        root = facts.flows.get(name)
        if root is None:
            continue
        auto.status = auto.status or text(root, "status")
        rules = _rules(name, root)
        for dec in root.findall(q("decisions")):
            if text(dec, "name") != "Which_Milestone_Type":
                continue
            for rule in dec.findall(q("rules")):
                conds = _conditions(rule)
                milestone = next((v for left, _, v in conds if left == "Each_Milestone_Type.Name"), None)
                holds = next((left for left, _, _ in conds if left.endswith("_Holds")), None)
                if milestone is None or holds is None or holds.removesuffix("_Holds") not in rules:
                    continue
                kind, tiers = rules[holds.removesuffix("_Holds")]
                if kind is None:
                    continue
                scopes: list[str | None] = list(tiers) or [None]
                for tier in scopes:
                    auto.completions[(tier, milestone)] = kind
    stamping = facts.flows.get(STAMPING)
    if stamping is not None:
        auto.status = auto.status or text(stamping, "status")
        ranked: list[tuple[int, str]] = []
        for dec in stamping.findall(q("decisions")):
            for rule in dec.findall(q("rules")):
                m = re.fullmatch(r"Is_Tier_(\d+)", text(rule, "name") or "")
                tier = next((v for left, _, v in _conditions(rule) if left == "Each_Process.Name"), None)
                if m and tier:
                    ranked.append((int(m.group(1)), tier))
        auto.tier_order = [t for _, t in sorted(ranked)]
    return auto
