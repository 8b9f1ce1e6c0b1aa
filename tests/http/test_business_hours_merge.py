"""Business hours and holidays merge, never replace (issue 11, item 1): real CLI, CumulusCI
retrieve/deploy and simple-salesforce against the fake org, whose Metadata API keeps holidays
and their links to business hours the way only BusinessHoursSettings shows them, and whose
BusinessHoursSettings deploy drops the holidays a file leaves out (as admins report)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from tests.http.test_deploy import SAMPLE_TYPES

pytestmark = pytest.mark.usefixtures("no_sleep")
NS = "{http://soap.sforce.com/2006/04/metadata}"
ORG_HOLIDAYS = {"Labour Day": ("Default",), "Founders Day": ("Asia Pacific",), "Inventory Day": (),
                "Company Picnic": ("Weekend Desk", "Asia Pacific"), "Christmas Day": ("Default",)}


@pytest.fixture
def org(fake_org, mdapi):
    """A working org: Default, 2 more business hours and 5 holidays (Labour Day linked to Default;
    its Christmas Day, linked to Default, shares a name with one in tiers.yml)."""
    fake_org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True, TimeZoneSidKey="America/Los_Angeles",
                    MondayStartTime="08:00:00.000Z", MondayEndTime="17:00:00.000Z")
    fake_org.insert("BusinessHours", Name="Asia Pacific", IsActive=True, IsDefault=False, TimeZoneSidKey="Asia/Singapore",
                    MondayStartTime="09:00:00.000Z", MondayEndTime="18:00:00.000Z")
    fake_org.insert("BusinessHours", Name="Weekend Desk", IsActive=True, IsDefault=False, TimeZoneSidKey="Europe/Berlin",
                    SaturdayStartTime="10:00:00.000Z", SaturdayEndTime="14:00:00.000Z")
    for name, hours in ORG_HOLIDAYS.items():
        if name == "Christmas Day":
            mdapi.add_holiday(name, business_hours=hours, isRecurring="true", recurrenceDayOfMonth="25",
                              recurrenceMonthOfYear="December", recurrenceStartDate="2020-12-25",
                              recurrenceType="RecursYearly")
        else:
            mdapi.add_holiday(name, business_hours=hours, activityDate="2026-09-07")
    for name in SAMPLE_TYPES:
        fake_org.insert("MilestoneType", Name=name)
    fake_org.add_field("Case", "L2_Assigned__c", "boolean")
    return fake_org


def test_deploy_keeps_the_orgs_other_hours_holidays_and_links(org, org_conn, mdapi, tiers, run_cli,
                                                              rendered_acceptance):
    result = run_cli("plan", tiers, "--from", rendered_acceptance, "--org", "uat", "--json")
    plan = json.loads(result.stdout)
    holidays = {c["name"]: c["action"] for c in plan["changes"] if c["type"] == "Holiday"}
    assert holidays == {"Christmas Day": "change", "Christmas Eve afternoon": "add", "Thanksgiving": "add"}
    christmas = next(c for c in plan["changes"] if c["type"] == "Holiday" and c["name"] == "Christmas Day")
    assert {"path": "business hours US Business Hours", "before": None, "after": "US Business Hours"} in christmas["diff"]
    assert plan["kept"] == {"BusinessHours": ["Asia Pacific", "Default", "Weekend Desk"],
                            "Holiday": ["Company Picnic", "Founders Day", "Inventory Day", "Labour Day"]}
    text = run_cli("plan", tiers, "--from", rendered_acceptance, "--org", "uat").stdout
    assert "Kept as they are (the deploy merges business hours settings): Holiday: Company Picnic, Founders Day, " \
           "Inventory Day, Labour Day" in text

    result = run_cli("deploy", tiers, "--from", rendered_acceptance, "--org", "uat")
    assert result.exit_code == 0, result.stderr
    links = mdapi.holiday_links()
    assert set(links) == set(ORG_HOLIDAYS) | {"Thanksgiving", "Christmas Eve afternoon"}
    for name, hours in ORG_HOLIDAYS.items():
        if name != "Christmas Day":
            assert links[name] == list(hours), name  # untouched, links and all
    assert links["Christmas Day"] == ["Default", "US Business Hours"]  # the org's link kept, ours added
    assert links["Thanksgiving"] == ["US Business Hours"]
    assert {r["Name"] for r in org.records["Holiday"].values()} == set(links)
    hours = {r["Name"]: r for r in org.records["BusinessHours"].values()}
    assert {"Default", "Asia Pacific", "Weekend Desk", "US Business Hours", "EMEA Business Hours",
            "Support 24x7"} == set(hours)
    assert hours["Asia Pacific"]["MondayStartTime"] == "09:00:00.000Z" and hours["Default"]["IsDefault"] is True
    sent = etree.fromstring(mdapi.deploys[0].files["settings/BusinessHours.settings"])
    assert sorted(h.findtext(f"{NS}name") for h in sent.findall(f"{NS}holidays")) == sorted(links)

    # right after the deploy, the plan has nothing to do and still says what it keeps
    result = run_cli("plan", tiers, "--from", rendered_acceptance, "--org", "uat", "--json", "--detailed-exitcode")
    assert result.exit_code == 0, [c for c in json.loads(result.stdout)["changes"] if c["action"] != "unchanged"]
    assert json.loads(result.stdout)["kept"]["Holiday"] == ["Company Picnic", "Founders Day", "Inventory Day",
                                                             "Labour Day"]


def test_our_hours_never_move_the_org_default(fake_org, mdapi, rendered_acceptance):
    from slakit.deploy.hours_merge import merge_settings

    ours = (rendered_acceptance / "settings" / "BusinessHours.settings").read_bytes()
    fake_org.insert("BusinessHours", Name="US Business Hours", IsActive=True, IsDefault=True)
    merged = etree.fromstring(merge_settings(mdapi.business_hours_settings(), ours))
    us = next(b for b in merged.findall(f"{NS}businessHours") if b.findtext(f"{NS}name") == "US Business Hours")
    assert us.findtext(f"{NS}default") == "true" and us.findtext(f"{NS}mondayStartTime") == "09:00:00.000Z"
