"""slakit.config.select: the one home of tier selection (backfill, smoke and backtest)."""

from pathlib import Path

import pytest

from slakit.config import load_project
from slakit.config.select import accounts_where, select_tiers
from slakit.errors import UsageError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tiers.yml"


@pytest.fixture(scope="module")
def project():
    return load_project(EXAMPLE)


def test_select_keeps_file_order_and_drops_repeats(project):
    assert [t.name for t in select_tiers(project, ["Standard", "Platinum", "Standard"])] == ["Platinum", "Standard"]
    assert [t.name for t in select_tiers(project, None)] == ["Platinum", "Gold", "Standard"]


def test_an_unknown_tier_is_a_usage_error_naming_the_option(project):
    with pytest.raises(UsageError) as info:
        select_tiers(project, ["Bronze"])
    assert info.value.problem.field == "--tier" and "Bronze" in str(info.value)
    assert "Platinum, Gold, Standard" in (info.value.problem.hint or "")


def test_a_later_tier_owns_only_accounts_no_earlier_tier_claims(project):
    assert accounts_where(project, project.tier("Platinum")) == "(Support_Tier__c = 'Platinum')"
    assert accounts_where(project, project.tier("Standard")) == (
        "(Support_Tier__c = 'Standard' OR Support_Tier__c = null) AND (NOT (Support_Tier__c = 'Platinum')) "
        "AND (NOT (Support_Tier__c = 'Gold'))")
