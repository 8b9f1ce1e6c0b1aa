"""Property (issue 15): whatever `validate` accepts, `render` writes; whatever it refuses, it
refuses with located problems, never an exception. tiers.yml files are generated from values near
Salesforce's edges (API versions, huge limits, namespace-like field names, repeated warnings,
crowded alerts, filters that widen, long terms), written as JSON (which is YAML)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slakit.config import check
from slakit.render import render_project

API = st.sampled_from([None, "10.0", "54.0", "55.0", "56.0", "57.0", "62.0", "66.0", 62])
NAMES = st.sampled_from(["Gold", "Gold Plus", "Über", "R&D 24/7", "x" * 80, "Tier-1", "Gold "])
UNITS = st.sampled_from(["m", "h", "d", "bd"])
AMOUNT = st.one_of(st.integers(1, 600), st.integers(10**5, 10**12))
PERCENT = st.one_of(st.sampled_from(["50%", "75%", "76%", "90%", "99.9%"]), st.floats(0.5, 99.5).map(lambda f: f"{f:.1f}%"))
FIELDS = st.sampled_from(["SLA_Breached__c", "SLA__Breached__c", "Breach_At__c", "_X__c", "X___c", "Status",
                          "Priority", "A" * 41 + "__c", "Escalated_2__c"])
VALUES = st.sampled_from([True, False, "now", 3, 2.5, "breached", "High"])
RECIPIENTS = st.sampled_from(["owner", "account_owner", "creator", "group:Support_Managers", "a@example.com",
                              "b@example.com", "c@example.com", "d@example.com", "e@example.com", "f@example.com",
                              "role:CEO"])
FILTERS = st.sampled_from([None, "Support_Tier__c = 'Gold'", "Support_Tier__c = 'Gold') OR (Name != null",
                           "Name != null LIMIT 5", "Industry IN ('Banking', 'Retail')",
                           "(Type = 'Customer' OR Type = 'Partner') AND CreatedDate > LAST_N_DAYS:30",
                           "A__c = 1 AND B__c = 2 OR C__c = 3", "Name = 'x'; DELETE"])
TERMS = st.one_of(st.none(), st.builds(lambda n, u: f"{n} {u}", st.integers(1, 10**9),
                                       st.sampled_from(["days", "months", "years"])))
OPERATORS = st.sampled_from(["equals", "notEqual", "greaterThan", "within", "contains"])


@st.composite
def action(draw):
    kind = draw(st.sampled_from(["email", "set", "task"]))
    if kind == "email":
        return {"email": draw(st.lists(RECIPIENTS, min_size=1, max_size=7))}
    if kind == "set":
        return {"set": {draw(FIELDS): draw(VALUES)}}
    return {"task": {"subject": "SLA breached", "due_in_days": draw(st.integers(0, 365))}}


@st.composite
def milestone(draw, name):
    ms = {"name": name, "time_limit": f"{draw(AMOUNT)}{draw(UNITS)}"}
    if draw(st.booleans()):
        ms["warnings"] = draw(st.lists(PERCENT, min_size=1, max_size=3))
    if draw(st.booleans()):
        ms["on_violation"] = draw(st.lists(action(), min_size=1, max_size=2))
    if draw(st.booleans()):
        ms["completes_when"] = [{"field": "Case.Status", "operator": draw(OPERATORS),
                                 "value": draw(st.sampled_from(["Closed", "", "5"]))}]
    return ms


@st.composite
def tiers_file(draw):
    doc: dict = {}
    api = draw(API)
    if api is not None:
        doc["api_version"] = api
    if draw(st.booleans()):
        doc["defaults"] = {"warnings": draw(st.lists(PERCENT, max_size=3)),
                           "on_violation": draw(st.lists(action(), max_size=2))}
    tiers = []
    for name in draw(st.lists(NAMES, min_size=1, max_size=2, unique=True)):
        tier: dict = {"name": name, "milestones": [draw(milestone(n)) for n in
                                                   draw(st.lists(st.sampled_from(["First Response", "Resolution"]),
                                                                 min_size=1, max_size=2, unique=True))]}
        entitlement: dict = {}
        if (accounts := draw(FILTERS)) is not None:
            entitlement["accounts"] = accounts
        if (term := draw(TERMS)) is not None:
            entitlement["term"] = term
        if draw(st.booleans()):
            entitlement["template"] = {"cases_per_entitlement": draw(st.integers(1, 10**11))}
        if draw(st.booleans()):
            entitlement["on_closed_won"] = {"product_family": "Support"}
        if entitlement:
            tier["entitlement"] = entitlement
        tiers.append(tier)
    doc["tiers"] = tiers
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiers_file())
def test_what_validate_accepts_render_writes(doc):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiers.yml"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        result = check(path)
        if result.ok:
            render_project(result.project, Path(tmp) / "out")  # raises RenderError if validate missed something
        else:
            assert result.errors and all(p.file == str(path) and p.line for p in result.errors), result.errors
