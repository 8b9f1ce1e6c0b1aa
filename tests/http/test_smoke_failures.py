"""`run_smoke` when things go wrong: stamping missing, targets off, failures midway, Ctrl-C,
--keep, a failed deploy, and a smoke process tied to a real tier. Real render, real CumulusCI
deploy, real simple-salesforce; the org is tests/fakes/smoke_org.py over the shared fake."""

from __future__ import annotations

from pathlib import Path

import pytest

from slakit.config import load_project
from slakit.errors import DeployError
from slakit.smoke import SmokeInterrupted, run_smoke
from slakit.smoke.options import SmokeOptions
from tests.fakes.evaluate import QueryError
from tests.fakes.smoke_org import SmokeOrg

DATA = Path(__file__).resolve().parent.parent / "data"
RULES = {"First Response Smoke": "first_response", "Agent Assignment Smoke": "owner_assigned",
         "L2 Dwell Smoke": ("L2_Assigned__c", False), "Resolution Smoke": "case_closed"}
RECORDS = ("Account", "Entitlement", "Case", "CaseMilestone", "CaseComment", "Task")


@pytest.fixture(scope="module")
def project():
    return load_project(DATA / "acceptance.yml")


def leftovers(org):
    return {obj: len(org.records[obj]) for obj in RECORDS if org.records[obj]}


def by_name(report, tier):
    return {c.name: c for c in report.checks if c.tier == tier}


def test_stamping_failure_is_reported_and_the_rest_skipped(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES, stamping=False)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)), now=smoke.now, sleep=smoke.sleep)
    gold = by_name(report, "Gold")
    stamped = gold["stamping flow set the entitlement"]
    assert stamped.status == "fail"
    assert stamped.observed == "complete case: blank, alone case: blank"
    assert stamped.expected.startswith("EntitlementId = 550")
    others = [c for c in gold.values() if c is not stamped]
    assert len(others) == 27 and all(c.status == "skip" for c in others)
    assert gold["First Response: target date"].message == \
        "not run: the cases were not stamped, so no milestone can run"
    assert not report.ok
    assert by_name(report, "")["cleanup"].status == "pass"
    assert leftovers(fake_org) == {}
    assert sum(smoke.slept) < 60  # nothing to wait for once the tier is broken


def test_target_mismatch_reports_both_values(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES, target_skew_minutes=7)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)), now=smoke.now, sleep=smoke.sleep)
    target = by_name(report, "Gold")["Agent Assignment: target date"]
    assert target.status == "fail"
    # the fake org's clock starts at 2026-03-02 15:00 UTC; 4 smoke minutes on 24/7 hours -> 15:04
    assert "complete case: 2026-03-02 15:04:00Z (start 2026-03-02 15:00:00Z + 4m, +-60s)" in target.expected
    assert "complete case: 2026-03-02 15:11:00Z (+420s)" in target.observed
    violated = by_name(report, "Gold")["First Response: violated when left alone"]
    assert violated.status == "fail" and "still not violated" in violated.message
    assert "target 2026-03-02 15:27:00Z" in violated.observed
    assert by_name(report, "Gold")["stamping flow set the entitlement"].status == "pass"
    assert not report.ok and leftovers(fake_org) == {}


def test_one_tier_failing_setup_does_not_stop_the_others(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)

    def no_gold(org, rec, op):  # a validation rule on Entitlement, as an admin might have
        if op == "insert" and "Gold" in (rec.get("Name") or ""):
            return [{"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "Gold needs a contract",
                     "fields": []}]
        return []

    fake_org.validators["Entitlement"].append(no_gold)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold", "Platinum")),
                       now=smoke.now, sleep=smoke.sleep)
    gold, plat = by_name(report, "Gold"), by_name(report, "Platinum")
    assert gold["create fixtures"].status == "error"
    assert gold["create fixtures"].message == \
        "Entitlement: FIELD_CUSTOM_VALIDATION_EXCEPTION: Gold needs a contract"
    assert {c.status for n, c in gold.items() if n != "create fixtures"} == {"skip"}
    assert {c.status for n, c in plat.items() if not n.startswith("action:")} == {"pass"}
    assert leftovers(fake_org) == {}  # Gold's account went too
    assert not report.ok


def test_cleanup_after_the_org_fails_midway(project, org_conn, fake_org, mdapi, no_sleep):
    from tests.fakes.rest import run_soql

    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)
    limit_at = smoke.now().replace(minute=10)

    def milestones(soql, org):  # the daily limit runs out while we wait for the targets
        if org.now() >= limit_at:
            raise QueryError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        hook = org.query_hooks.pop()
        try:
            return run_soql(org, soql)[0]
        finally:
            org.query_hooks.append(hook)

    fake_org.on_query(r"FROM CaseMilestone", milestones)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)), now=smoke.now, sleep=smoke.sleep)
    gold = by_name(report, "Gold")
    assert gold["violations"].status == "error"
    assert gold["violations"].message == "reading case milestones: the org's daily API request limit is exhausted"
    assert gold["Resolution: completes when we close the case"].status == "pass"  # done before the failure
    assert gold["L2 Dwell: violated when left alone"].status == "skip"
    cleanup = by_name(report, "")["cleanup"]
    assert cleanup.status == "pass" and cleanup.observed == "5 deleted, 0 left"
    assert leftovers(fake_org) == {}


def test_ctrl_c_cleans_up_then_stops(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)

    def sleep(seconds):
        if seconds >= 30:  # the first long wait: the user presses Ctrl-C
            raise KeyboardInterrupt
        smoke.sleep(seconds)

    with pytest.raises(SmokeInterrupted) as err:
        run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)), now=smoke.now, sleep=sleep)
    report = err.value.report
    assert report.interrupted and not report.ok
    assert by_name(report, "")["cleanup"].status == "pass"
    assert by_name(report, "Gold")["L2 Dwell: violated when left alone"].message == "not reached"
    assert leftovers(fake_org) == {}


def test_keep_leaves_the_records_and_says_how_to_find_them(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Platinum",), keep=True),
                       now=smoke.now, sleep=smoke.sleep)
    cleanup = by_name(report, "")["cleanup"]
    assert cleanup.status == "skip" and report.tag in cleanup.message
    assert report.cleanup.kept and len(report.cleanup.left) == 5
    assert report.ok
    accounts = fake_org.find("Account")
    assert [a["Name"] for a in accounts] == [f"{report.tag} Platinum"]
    assert sorted(c["Subject"] for c in fake_org.find("Case")) == [f"{report.tag} Platinum alone",
                                                                  f"{report.tag} Platinum complete"]


def test_failed_deploy_raises_and_creates_nothing(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)
    mdapi.fail("EntitlementProcess", "gold smoke", "Invalid time trigger", line=17)
    with pytest.raises(DeployError) as err:
        run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)), now=smoke.now, sleep=smoke.sleep)
    assert "EntitlementProcess gold smoke: Invalid time trigger" in str(err.value)
    assert leftovers(fake_org) == {}


def test_a_smoke_process_tied_to_a_real_tier_stops_the_run(project, org_conn, fake_org, mdapi, no_sleep):
    """Through an injected deploy callable (the real deploy, then the org links the processes)."""
    from slakit.deploy.run import deploy_project

    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)
    real = fake_org.insert("SlaProcess", Name="Gold", NameNorm="gold", IsActive=True, IsVersionDefault=True,
                           VersionNumber=1, VersionMaster="5525g0000000999")
    deployed = []

    def deploy(path):
        deployed.append(deploy_project(org_conn, None, rendered_dir=path, yes=True))
        for rec in fake_org.find("SlaProcess", Name="Gold Smoke"):
            rec["VersionMaster"] = fake_org.get_record(real)["VersionMaster"]

    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)),
                       now=smoke.now, sleep=smoke.sleep, deploy=deploy)
    assert len(deployed) == 1
    apart = by_name(report, "")["smoke processes stay apart from the real tiers"]
    assert apart.status == "fail" and "5525g0000000999" in apart.observed
    assert by_name(report, "Gold")["look up the smoke setup"].status == "error"
    assert leftovers(fake_org) == {} and "cleanup" not in by_name(report, "")


def test_without_a_case_queue_the_owner_checks_are_skipped_not_failed(project, org_conn, fake_org, mdapi, no_sleep):
    # cases then start owned by the API user, so the completion flow may complete Agent
    # Assignment at once on both cases: neither its trigger nor its violation can be tested
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES, queue=False)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)), now=smoke.now, sleep=smoke.sleep)
    gold = by_name(report, "Gold")
    why = "no queue takes Cases in this org: the cases cannot start on a queue"
    owner = gold["Agent Assignment: completes when we assign the case from a queue to a user"]
    assert (owner.status, owner.message) == ("skip", why)
    alone = gold["Agent Assignment: violated when left alone"]
    assert (alone.status, alone.message) == ("skip", why)
    assert gold["L2 Dwell: violated when left alone"].status == "pass"
    assert report.ok and fake_org.find("Case") == []


def test_records_that_cannot_be_deleted_fail_the_run_and_are_named(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)
    # the first two delete calls (the comment, then the cases) fail per record, as locked rows would
    fake_org.fail_next(2, "UNABLE_TO_LOCK_ROW", kinds=("collection_delete",), per_record=True)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Platinum",)), now=smoke.now, sleep=smoke.sleep)
    cleanup = by_name(report, "")["cleanup"]
    cases = report.cleanup.created["Case"]
    assert cleanup.status == "fail"
    assert sorted(report.cleanup.left) == sorted(report.cleanup.created["CaseComment"] + cases)
    assert all(c in cleanup.observed for c in cases)
    assert fake_org.find("Account") == []  # the rest still went
    assert "UNABLE_TO_LOCK_ROW" in cleanup.message
    assert not report.ok  # every tier check passed, but records were left behind
    assert {c.status for n, c in by_name(report, "Platinum").items() if not n.startswith("action:")} == {"pass"}


def test_a_failed_child_delete_is_moot_once_its_case_is_gone(project, org_conn, fake_org, mdapi, no_sleep):
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)
    fake_org.fail_next(1, "UNABLE_TO_LOCK_ROW", kinds=("collection_delete",), per_record=True)  # the comment
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Platinum",)), now=smoke.now, sleep=smoke.sleep)
    assert by_name(report, "")["cleanup"].status == "pass"  # deleting its case took the comment too
    assert report.cleanup.left == [] and report.ok


def test_criteria_milestone_starts_at_the_criteria_update(project, org_conn, fake_org, mdapi, no_sleep):
    """L2 Dwell (applies_when) is set up 2 minutes after the insert; its clock starts there."""
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",)), now=smoke.now, sleep=smoke.sleep)
    target = by_name(report, "Gold")["L2 Dwell: target date"]
    assert target.status == "pass", target
    # the fake org's clock starts at 15:00; the criteria update runs at 15:02; 20 smoke minutes
    assert "alone case: 2026-03-02 15:22:00Z (start 2026-03-02 15:02:00Z + 20m, +-60s)" in target.expected
    assert report.ok, [c for c in report.checks if c.failed]


def test_criteria_milestone_started_at_creation_is_caught(project, org_conn, fake_org, mdapi, no_sleep, tmp_path):
    """A process that starts criteria milestones at the case's creation (useCriteriaStartTime
    false, as slakit rendered before) fails the target check instead of passing silently."""
    (tmp_path / "templates/entitlementProcesses").mkdir(parents=True)
    bundled = Path(__file__).resolve().parents[2] / "templates/entitlementProcesses/entitlementProcess.xml.j2"
    (tmp_path / "templates/entitlementProcesses/entitlementProcess.xml.j2").write_text(
        bundled.read_text().replace("{{ m.use_criteria_start | xmlbool }}", "false"))
    (tmp_path / "tiers.yml").write_text((DATA / "acceptance.yml").read_text())
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES)
    report = run_smoke(load_project(tmp_path / "tiers.yml"), org_conn, SmokeOptions(tier=("Gold",)),
                       now=smoke.now, sleep=smoke.sleep)
    target = by_name(report, "Gold")["L2 Dwell: target date"]
    assert target.status == "fail"
    assert "alone case: 2026-03-02 15:20:00Z (-120s)" in target.observed
    assert by_name(report, "Gold")["First Response: target date"].status == "pass"


def test_milestones_complete_in_the_save_at_the_events_own_time(project, org_conn, fake_org, mdapi, no_sleep):
    """The deployed Case completion flow runs on the immediate path for updates and stamps the
    event's time (issue 11 item 8): the close completes Resolution at ClosedDate, in the same save
    (before the process exit); the public comment completes First Response at its CreatedDate."""
    smoke = SmokeOrg(fake_org, mdapi, completions=RULES, completion_delay=30)
    report = run_smoke(project, org_conn, SmokeOptions(tier=("Gold",), keep=True),
                       now=smoke.now, sleep=smoke.sleep)
    assert report.ok, [c for c in report.checks if c.failed]
    [case] = [c for c in fake_org.find("Case") if c["Subject"].endswith("Gold complete")]
    done = {fake_org.get_record(m["MilestoneTypeId"])["Name"]: m for m in fake_org.find("CaseMilestone", CaseId=case["Id"])}
    assert done["Resolution Smoke"]["CompletionDate"] == case["ClosedDate"]
    [comment] = fake_org.find("CaseComment", ParentId=case["Id"])
    assert done["First Response Smoke"]["CompletionDate"] == comment["CreatedDate"]
