"""--wait-actions: the violation field update and the task arrive late (Salesforce's batches);
the run polls with back-off up to --actions-timeout and says which fired and when. Also: a smoke
run next to the deployed real tiers leaves them exactly as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from slakit.config import load_project
from slakit.smoke import run_smoke
from slakit.smoke.options import SmokeOptions
from tests.fakes.smoke_org import SmokeOrg

DATA = Path(__file__).resolve().parent.parent / "data"
RULES = {"First Response Smoke": "first_response", "Agent Assignment Smoke": "owner_assigned",
         "L2 Dwell Smoke": ("L2_Assigned__c", False), "Resolution Smoke": "case_closed"}
SLA = ("action: SLA_Breached__c = true (First Response on_violation, Agent Assignment on_violation, "
       "Resolution on_violation)")
TASK = "action: task 'L2 dwell SLA breached' (L2 Dwell on_violation)"


@pytest.fixture(scope="module")
def project():
    return load_project(DATA / "acceptance.yml")


def by_name(report, tier):
    return {c.name: c for c in report.checks if c.tier == tier}


def test_late_field_update_and_task_are_waited_for(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES, action_delay=40 * 60)
    before = fake_org.count("query")
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",), wait_actions=True),
                       now=smoke.now, sleep=smoke.sleep)
    gold = by_name(report, "Gold")
    # Agent Assignment's target is 15:04 (4 smoke minutes); its violation update runs 40 min later
    assert gold[SLA].status == "pass"
    assert gold[SLA].observed.startswith("true at 2026-03-02 15:44:00Z, +40 min from the target")
    # L2 Dwell starts when L2_Assigned__c is set, 2 minutes after the insert: target 15:22; its
    # task comes 40 minutes after that
    assert gold[TASK].status == "pass"
    assert gold[TASK].observed.startswith("created at 2026-03-02 16:02:00Z, +40 min from the target")
    assert gold["action: email alert (L2 Dwell on_violation)"].status == "skip"
    assert report.ok
    # bounded: back-off from 30 s doubling to 5 min -> a handful of polls (2 queries each), not one a second
    polls = fake_org.count("query") - before
    assert polls < 60
    assert fake_org.find("Task") == [] and fake_org.find("Case") == []  # the workflow's task went too


def test_actions_not_seen_in_time_fail_with_the_wait(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES, action_delay=90 * 60)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",), wait_actions=True, actions_timeout=20 * 60),
                       now=smoke.now, sleep=smoke.sleep)
    gold = by_name(report, "Gold")
    assert gold[SLA].status == "fail" and gold[TASK].status == "fail"
    assert gold[SLA].observed.startswith("not seen after 20 min")
    assert "--actions-timeout" in gold[SLA].message
    assert not report.ok


def test_success_action_on_the_completed_case(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES, action_delay=10 * 60)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Platinum",), wait_actions=True),
                       now=smoke.now, sleep=smoke.sleep)
    check = by_name(report, "Platinum")["action: Resolution_Met_At__c = a timestamp (Resolution on_success)"]
    assert check.status == "pass" and "on the complete case" in check.expected


def test_real_tiers_stay_exactly_as_deployed(project, org_conn, fake_org, mdapi, no_sleep):
    from slakit.deploy.run import deploy_project

    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)
    fake_org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True, TimeZoneSidKey="America/New_York")
    deploy_project(org_conn, project, yes=True)
    real_files = dict(mdapi.files)
    real_procs = {r["Id"]: dict(r) for r in fake_org.records["SlaProcess"].values()}
    assert {r["Name"] for r in real_procs.values()} == {"Platinum", "Gold", "Standard"}

    report = run_smoke(project, org_conn, now=smoke.now, sleep=smoke.sleep)
    assert report.ok, [c for c in report.checks if c.failed]
    # the fake stores whole files; Salesforce merges these two: the settings file adds the smoke
    # 24x7 entry, and the workflow is deployed as its smoke children (below), never as a whole
    merged = {"settings/BusinessHours.settings", "workflows/Case.workflow"}
    for path, data in real_files.items():
        if path not in merged:
            assert mdapi.files[path] == data, path
    manifest = mdapi.deploys[-1].files["package.xml"].decode()
    assert "<name>Workflow</name>" not in manifest
    assert "<members>Case.Gold_Smoke_L2_Dwell_Smoke_Violation_Task</members>" in manifest
    assert "<name>WorkflowTask</name>" in manifest and "<name>WorkflowFieldUpdate</name>" in manifest
    assert "Stamping_Smoke</members>" in manifest and "<members>Slakit_Case_Entitlement_Stamping</members>" \
        not in manifest
    for pid, rec in real_procs.items():
        now = fake_org.get_record(pid)
        assert (now["IsVersionDefault"], now["VersionNumber"], now["VersionMaster"]) == \
            (rec["IsVersionDefault"], rec["VersionNumber"], rec["VersionMaster"])
    smoke_procs = [r for r in fake_org.records["SlaProcess"].values() if r["Id"] not in real_procs]
    assert sorted(r["Name"] for r in smoke_procs) == ["Gold Smoke", "Platinum Smoke", "Standard Smoke"]
    assert {r["VersionMaster"] for r in smoke_procs}.isdisjoint({r["VersionMaster"] for r in real_procs.values()})
    # the real hours are still there, and the default business hours did not change
    names = {r["Name"]: r for r in fake_org.records["BusinessHours"].values()}
    assert {"US Business Hours", "EMEA Business Hours", "Support 24x7", "slakit Smoke 24x7"} <= set(names)
    assert names["Default"]["IsDefault"] is True
