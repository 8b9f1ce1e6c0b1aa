"""What a smoke run plans per tier: fixture values, completion steps, expected side effects."""

from __future__ import annotations

from pathlib import Path

import pytest

from slakit.config import load_project
from slakit.smoke.scenarios import ALONE, COMPLETE, merged_actions, plan_tier
from slakit.smoke.variant import smoke_variant

ACCEPTANCE = Path(__file__).resolve().parents[1] / "data" / "acceptance.yml"
CASE_TYPES = {"l2_assigned__c": "boolean", "sla_breached__c": "boolean", "resolution_met_at__c": "datetime",
              "status": "picklist", "ownerid": "reference"}


@pytest.fixture(scope="module")
def variant():
    return smoke_variant(load_project(ACCEPTANCE))


def test_gold_steps_follow_the_real_triggers_and_close_last(variant):
    plan = plan_tier(variant, variant.real.tier("Gold"), CASE_TYPES)
    assert plan.smoke_tier == "Gold Smoke"
    # L2 Dwell applies only when L2_Assigned__c = true and starts when it becomes true (criteria
    # start, issue 11 item 7): the flag is set by an update after the insert, not at the insert
    assert plan.case_values == {}
    assert plan.criteria_values == {"L2_Assigned__c": True}
    assert [m.smoke for m in plan.milestones if m.criteria_start] == ["L2 Dwell Smoke"]
    # Agent Assignment has the shortest smoke limit (4 min against 20): its trigger goes first;
    # closing the case ends the process, so it is always last
    assert [(s.kind, s.milestones) for s in plan.steps] == [
        ("owner_assigned", ("Agent Assignment Smoke",)),
        ("first_response", ("First Response Smoke",)),
        ("fields", ("L2 Dwell Smoke",)),
        ("case_closed", ("Resolution Smoke",)),
    ]
    assert plan.steps[2].values == {"L2_Assigned__c": False}
    assert plan.steps[2].describe() == "set L2_Assigned__c = false"
    assert plan.expected_types() == ["First Response Smoke", "Agent Assignment Smoke", "L2 Dwell Smoke",
                                     "Resolution Smoke"]
    assert plan.needs_queue


def test_a_criterion_on_a_missing_field_makes_the_milestone_unknown(variant):
    types = {k: v for k, v in CASE_TYPES.items() if k != "l2_assigned__c"}
    plan = plan_tier(variant, variant.real.tier("Gold"), types)
    l2 = next(m for m in plan.milestones if m.real == "L2 Dwell")
    assert l2.applies is None and "L2_Assigned__c" in l2.reason
    assert plan.unknown_types() == ["L2 Dwell Smoke"]
    assert "L2 Dwell Smoke" not in [m for s in plan.steps for m in s.milestones]
    assert plan.case_values == {}


def test_violation_side_effects_are_merged_per_case_and_field(variant):
    plan = plan_tier(variant, variant.real.tier("Gold"), CASE_TYPES)
    merged = merged_actions(plan.actions)
    fields = [(a.case, a.field, a.value, sorted(src)) for a, src in merged if a.kind == "field"]
    # three milestones set SLA_Breached__c = true on violation (the defaults; L2 Dwell replaces its
    # on_violation with an email and a task): one observable side effect
    assert fields == [(ALONE, "SLA_Breached__c", True, sorted(
        ["First Response on_violation", "Agent Assignment on_violation", "Resolution on_violation"]))]
    tasks = [(a.case, a.subject, src) for a, src in merged if a.kind == "task"]
    assert tasks == [(ALONE, "L2 dwell SLA breached", ["L2 Dwell on_violation"])]


def test_success_actions_are_expected_on_the_completed_case(variant):
    plan = plan_tier(variant, variant.real.tier("Platinum"), CASE_TYPES)
    success = [a for a in plan.actions if a.when == "on_success"]
    assert [(a.case, a.field, a.value) for a in success] == [(COMPLETE, "Resolution_Met_At__c", "now")]
    assert success[0].label() == "Resolution_Met_At__c = a timestamp"
    assert not plan.needs_queue
    assert [s.kind for s in plan.steps] == ["first_response", "case_closed"]
