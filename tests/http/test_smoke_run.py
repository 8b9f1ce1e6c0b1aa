"""`run_smoke` end to end against the stateful fake: the real render, the REAL CumulusCI deploy
(answered at the SOAP layer), the real simple-salesforce, the org's automation simulated by
tests/fakes/smoke_org.py. Only sleeps are replaced: `smoke.sleep` moves the fake org's clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from slakit.config import load_project
from slakit.errors import GuardError
from slakit.smoke import run_smoke
from slakit.smoke.options import SmokeOptions
from tests.fakes.smoke_org import SmokeOrg

DATA = Path(__file__).resolve().parent.parent / "data"
RULES = {"First Response Smoke": "first_response", "Agent Assignment Smoke": "owner_assigned",
         "L2 Dwell Smoke": ("L2_Assigned__c", False), "Resolution Smoke": "case_closed"}


@pytest.fixture(scope="module")
def project():
    return load_project(DATA / "acceptance.yml")


@pytest.fixture
def smoke(fake_org, mdapi):
    return SmokeOrg(fake_org, mdapi, completions=RULES)


def statuses(report, tier=None):
    return {c.name: c.status for c in report.checks if tier is None or c.tier == tier}


def leftovers(org):
    return {obj: len(org.records[obj]) for obj in ("Account", "Entitlement", "Case", "CaseMilestone", "CaseComment",
                                                    "Task") if org.records[obj]}


def test_gold_passes_and_leaves_nothing_behind(project, org_conn, smoke, mdapi, fake_org, no_sleep):
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)), now=smoke.now, sleep=smoke.sleep)
    gold = statuses(report, "Gold")
    assert gold == {
        "stamping flow set the entitlement": "pass",
        "one CaseMilestone per applicable milestone": "pass",
        "First Response: target date": "pass", "First Response: business hours": "pass",
        "Agent Assignment: target date": "pass", "Agent Assignment: business hours": "pass",
        "L2 Dwell: target date": "pass", "L2 Dwell: business hours": "pass",
        "Resolution: target date": "pass", "Resolution: business hours": "pass",
        "First Response: completes when we post the first public response": "pass",
        "Agent Assignment: completes when we assign the case from a queue to a user": "pass",
        "L2 Dwell: completes when we set L2_Assigned__c = false": "pass",
        "Resolution: completes when we close the case": "pass",
        "First Response: violated when left alone": "pass",
        "Agent Assignment: violated when left alone": "pass",
        "L2 Dwell: violated when left alone": "pass",
        "Resolution: violated when left alone": "pass",
        # without --wait-actions the action side effects are not waited for
        "action: SLA_Breached__c = true (First Response on_violation, Agent Assignment on_violation, "
        "Resolution on_violation)": "skip",
        "action: task 'L2 dwell SLA breached' (L2 Dwell on_violation)": "skip",
        "action: email alert (First Response on_warning)": "skip",
        "action: email alert (First Response on_violation)": "skip",
        "action: email alert (Agent Assignment on_warning)": "skip",
        "action: email alert (Agent Assignment on_violation)": "skip",
        "action: email alert (L2 Dwell on_warning)": "skip",
        "action: email alert (L2 Dwell on_violation)": "skip",
        "action: email alert (Resolution on_warning)": "skip",
        "action: email alert (Resolution on_violation)": "skip",
    }
    assert statuses(report, "") == {"deploy the smoke variant": "pass",
                                    "smoke processes stay apart from the real tiers": "pass", "cleanup": "pass"}
    assert report.ok
    # the smoke process (and only it) was deployed, under its own name, on 24/7 hours
    procs = {r["Name"]: r for r in fake_org.records["SlaProcess"].values()}
    assert set(procs) == {"Gold Smoke"}
    hours = fake_org.get_record(procs["Gold Smoke"]["BusinessHoursId"])
    assert hours["Name"] == "slakit Smoke 24x7"
    deployed = set(mdapi.files)
    assert "flows/Slakit_Case_Entitlement_Stamping_Smoke.flow" in deployed
    assert "flows/Slakit_Case_Entitlement_Stamping.flow" not in deployed
    assert not any(p.startswith("flexipages/") for p in deployed)
    # everything created was deleted: 1 account, 1 entitlement, 2 cases, 1 comment
    assert leftovers(fake_org) == {}
    assert report.cleanup.created.keys() == {"Account", "Entitlement", "Case", "CaseComment"}
    assert len(report.cleanup.deleted) == 5
    # bounded: the 20-minute limits need about 22 minutes of (fake) waiting, and few calls
    assert 20 * 60 < sum(smoke.slept) < 25 * 60
    assert report.api_calls < 80


def test_production_is_refused_before_anything_happens(project, org_conn, smoke, fake_org, mdapi):
    fake_org.get_record(fake_org.org_id)["IsSandbox"] = False
    with pytest.raises(GuardError) as err:
        run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)), now=smoke.now, sleep=smoke.sleep)
    assert "production" in str(err.value)
    assert mdapi.deploys == [] and leftovers(fake_org) == {}
    assert fake_org.counts()["query"] == 1  # only the Organization read
