"""The smoke variant: renamed processes and milestone types, limits in minutes with whole-minute
warnings, 24/7 hours, the real project untouched."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from slakit.config import load_project
from slakit.errors import UsageError
from slakit.smoke.options import SmokeOptions
from slakit.smoke.variant import SMOKE_HOURS_NAME, exact_for, scaled_limit, smoke_variant

ACCEPTANCE = Path(__file__).resolve().parents[1] / "data" / "acceptance.yml"


@pytest.fixture(scope="module")
def project():
    return load_project(ACCEPTANCE)


def test_every_tier_gets_a_smoke_process_and_smoke_milestone_types(project):
    v = smoke_variant(project)
    assert [t.name for t in v.project.tiers] == ["Platinum Smoke", "Gold Smoke", "Standard Smoke"]
    assert [t.api_name for t in v.project.tiers] == ["Platinum_Smoke", "Gold_Smoke", "Standard_Smoke"]
    gold = v.project.tier("Gold Smoke")
    assert [m.name for m in gold.milestones] == ["First Response Smoke", "Agent Assignment Smoke",
                                                 "L2 Dwell Smoke", "Resolution Smoke"]
    assert [m.api_name for m in gold.milestones] == ["First_Response_Smoke", "Agent_Assignment_Smoke",
                                                     "L2_Dwell_Smoke", "Resolution_Smoke"]
    real_names = {m.name for t in project.tiers for m in t.milestones}
    assert not real_names & set(v.milestone_type_names())


def test_limits_are_the_smallest_minutes_keeping_warnings_whole(project):
    v = smoke_variant(project, SmokeOptions(tier=("Gold",), minutes=4))
    gold = v.project.tier("Gold Smoke")
    by_name = {m.name: m for m in gold.milestones}
    # 50/75/90% of L minutes are whole minutes only when L is a multiple of 20 (L/2, L/4, L/10)
    assert by_name["First Response Smoke"].time_limit_minutes == 20
    assert [by_name["First Response Smoke"].warning_offset_minutes(p) for p in (50, 75, 90)] == [10, 5, 2]
    # 75% alone: L/4 whole -> 4 minutes, warning 1 minute before the target
    assert by_name["Agent Assignment Smoke"].time_limit_minutes == 4
    assert by_name["Agent Assignment Smoke"].warning_offset_minutes(75) == 1
    assert all(s.exact for s in v.milestones)


def test_scaled_limit_rules():
    assert scaled_limit((), 4) == (4, True)
    assert scaled_limit((50.0,), 4) == (4, True)
    assert scaled_limit((50.0,), 5) == (6, True)  # 5/2 is not whole
    assert scaled_limit((75.0,), 1) == (4, True)
    assert scaled_limit((90.0,), 4) == (10, True)
    assert scaled_limit((50.0, 75.0, 90.0), 21) == (40, True)
    # 33%: 67% of L is whole only for multiples of 100 -> beyond the cap: keep `minutes`, rounded
    assert scaled_limit((33.0,), 4) == (4, False)
    assert exact_for(20, (50.0, 75.0, 90.0)) and not exact_for(10, (50.0, 75.0, 90.0))


def test_business_hours_become_24x7_and_real_hours_are_left_out(project):
    v = smoke_variant(project)
    assert list(v.project.business_hours) == [SMOKE_HOURS_NAME]
    hours = v.project.business_hours[SMOKE_HOURS_NAME]
    assert hours.is_24x7 and not hours.existing
    for t in v.project.tiers:
        assert t.business_hours == SMOKE_HOURS_NAME
        assert all(m.business_hours is None for m in t.milestones)
        assert v.project.hours_for(t, t.milestones[0]) is hours


def test_fields_written_by_actions_are_not_rendered_again(project):
    v = smoke_variant(project)
    assert {"SLA_Breached__c", "Resolution_Met_At__c"} <= v.project.existing_fields


def test_the_real_project_is_unchanged(project):
    before = [(t.name, t.business_hours, [m.time_limit_minutes for m in t.milestones]) for t in project.tiers]
    smoke_variant(project, SmokeOptions(minutes=7))
    after = [(t.name, t.business_hours, [m.time_limit_minutes for m in t.milestones]) for t in project.tiers]
    assert before == after
    assert project.tier("Gold").milestones[0].time_limit_minutes == 240


def test_tier_selection_is_case_insensitive_and_keeps_file_order(project):
    v = smoke_variant(project, SmokeOptions(tier=("standard", "GOLD")))
    assert [t.name for t in v.project.tiers] == ["Gold Smoke", "Standard Smoke"]
    assert v.tier_names == {"Gold": "Gold Smoke", "Standard": "Standard Smoke"}


def test_unknown_tier_is_a_usage_error(project):
    with pytest.raises(UsageError) as err:
        smoke_variant(project, SmokeOptions(tier=("Bronze",)))
    assert err.value.exit_code == 2
    assert "Bronze" in str(err.value) and "Platinum, Gold, Standard" in str(err.value)


def test_minutes_below_one_is_a_usage_error():
    # checked once, by the options smoke_variant takes (a direct caller cannot pass 0 minutes)
    with pytest.raises(UsageError) as err:
        SmokeOptions(minutes=0)
    assert err.value.lines() == ["--minutes: --minutes must be at least 1"]


def test_a_real_tier_named_like_a_smoke_tier_is_refused(tmp_path):
    path = tmp_path / "tiers.yml"
    path.write_text(textwrap.dedent("""
        tiers:
          - name: Gold
            milestones:
              - {name: First Response, time_limit: 1h, completes_when: first_response}
            entitlement: {accounts: "Name != null"}
          - name: Gold Smoke
            milestones:
              - {name: Resolution, time_limit: 1h, completes_when: case_closed}
            entitlement: {accounts: "Name != null"}
    """))
    with pytest.raises(UsageError) as err:
        smoke_variant(load_project(path), SmokeOptions(tier=("Gold",)))
    assert "Gold Smoke" in str(err.value)


def test_uneven_warnings_are_noted(tmp_path):
    path = tmp_path / "tiers.yml"
    path.write_text(textwrap.dedent("""
        tiers:
          - name: Bronze
            milestones:
              - {name: First Response, time_limit: 1h, completes_when: first_response, warnings: [33%]}
            entitlement: {accounts: "Name != null"}
    """))
    v = smoke_variant(load_project(path), SmokeOptions(minutes=4))
    (scaled,) = v.milestones
    assert (scaled.minutes, scaled.exact) == (4, False)
    # 67% of 4 minutes is 2.68 minutes before the target, rounded up (fires no later than asked)
    assert scaled.warning_offsets == (3,)
    assert len(v.notes) == 1 and "33%" in v.notes[0]
