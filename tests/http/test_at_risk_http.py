"""`at_risk` through simple-salesforce against the fake org (HTTP answered by `responses`).

Expected remaining times are worked out by hand in tests/fakes/audit_org.py from the business hours
(US Business Hours 09:00-17:00 New York; Support 24x7), at Monday 2026-03-02 10:00 New York."""

from __future__ import annotations

import datetime as dt

import pytest

from slakit.audit.at_risk import at_risk
from tests.fakes.audit_org import support_org


@pytest.fixture
def org(fake_org):
    support_org(fake_org)
    return fake_org


def test_violated_and_due_within_two_hours_soonest_first(org, sf):
    result = at_risk(sf, within_minutes=120, now=org.now())
    got = [(r.subject, r.tier, r.milestone, r.account, r.owner, r.remaining_minutes, r.state) for r in result.rows]
    assert got == [
        ("acme-assign", "Gold", "Agent Assignment", "Acme Corp", "Tier 1 Queue", -15, "violated"),
        ("acme-paused", "Gold", "Resolution", "Acme Corp", "Dana Reyes", 50, "paused"),
        ("acme-weekend", "Gold", "First Response", "Acme Corp", "Dana Reyes", 60, "due"),
        ("globex-fr", "Platinum", "First Response", "Globex", "Dana Reyes", 90, "due"),
    ]
    assert result.rows[0].case_number and result.rows[0].hours == "US Business Hours"
    assert result.counts() == {"violated": 1, "due": 2, "paused": 1}


def test_a_wider_window_takes_in_more(org, sf):
    subjects = [r.subject for r in at_risk(sf, within_minutes=180, now=org.now()).rows]
    assert "acme-fr" in subjects  # 180 business minutes left: inside a 3h window, outside 2h
    assert "acme-done" not in subjects and "acme-closed" not in subjects


def test_tier_filter(org, sf):
    rows = at_risk(sf, within_minutes=120, tiers=["Platinum"], now=org.now()).rows
    assert [(r.subject, r.tier) for r in rows] == [("globex-fr", "Platinum")]


def test_business_time_not_wall_time_over_a_weekend(org, sf):
    # Friday 2026-02-27 16:30 New York: a Gold target of Monday 10:00 New York is 65.5 wall hours
    # away but only 30 (Fri 16:30-17:00) + 60 (Mon 09:00-10:00) = 90 business minutes.
    org.set_now(dt.datetime(2026, 2, 27, 21, 30, tzinfo=dt.timezone.utc))
    org.insert("CaseMilestone", {"CaseId": org.find("Case", Subject="acme-fr")[0]["Id"],
                                 "MilestoneTypeId": org.find("MilestoneType", Name="Resolution")[0]["Id"],
                                 "StartDate": "2026-02-27T14:00:00.000+0000",
                                 "TargetDate": "2026-03-02T15:00:00.000+0000",
                                 "BusinessHoursId": org.find("BusinessHours", Name="US Business Hours")[0]["Id"]})
    rows = at_risk(sf, within_minutes=120, now=org.now()).rows
    mine = [r for r in rows if r.milestone == "Resolution" and r.subject == "acme-fr"]
    assert [r.remaining_minutes for r in mine] == [90]


def test_query_shape_is_one_paged_select(org, sf):
    org.page_size = 2
    result = at_risk(sf, within_minutes=120, now=org.now())
    assert len(result.rows) == 4
    assert org.count("query") >= 3  # business hours, then the milestones over several pages


def test_entitlements_off_is_a_plain_org_error(rsps):
    from slakit.errors import OrgError
    from tests.fakes import FakeOrg

    org = FakeOrg(entitlements=False).install(rsps)
    with pytest.raises(OrgError, match="Entitlement Management is not enabled"):
        at_risk(org.client(), within_minutes=60, now=org.now())
