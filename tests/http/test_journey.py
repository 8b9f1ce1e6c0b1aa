"""A release pipeline played end to end against ONE stateful fake sandbox, through the real
`slakit` entry point: validate -> plan -> deploy -> plan (clean) -> backfill (dry run, apply,
re-run) -> audit -> smoke -> change a time limit (new process version) -> undo the backfill.

Everything below slakit is real: CumulusCI's keychain (CUMULUSCI_ORG_uat) and Deploy/retrieve
tasks, simple-salesforce, HTTP answered by `responses`. The org is the shared FakeOrg, its SOAP
Metadata API (tests/fakes/metadata.py), Salesforce's entitlement automation as the smoke tests
model it (tests/fakes/smoke_org.py) and what a deploy adds to the org besides
(tests/fakes/journey.py). Only time moves by hand: sleeps go to the smoke fake's clock.

Expected values come from tests/data/acceptance.yml and the documented rules (README, docs/):
three processes, nine flows/settings/etc. all "add" on a new org; Gold First Response 4h on
business hours = 240 business minutes, 3h = 180; one entitlement per matching account, on its
first matching tier; a changed process that open cases use becomes version 2.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.cli.conftest import run_cli  # noqa: F401  (the real entry point, in-process)
from tests.fakes import INSTANCE_URL, SESSION_ID

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE_TYPES = ["Response Time", "Resolution Time", "Escalate Case"]  # what a new org ships
WRITES = ("sobject_create", "sobject_update", "sobject_delete", "collection_create", "collection_update",
          "collection_delete", "bulk", "soap")
SMOKE_RULES = {"First Response Smoke": "first_response", "Agent Assignment Smoke": "owner_assigned",
               "L2 Dwell Smoke": ("L2_Assigned__c", False), "Resolution Smoke": "case_closed"}


def doc(result) -> dict:
    """stdout is exactly one JSON document; progress stays on stderr."""
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def work(tmp_path, monkeypatch):
    folder = tmp_path / "release"
    folder.mkdir()
    shutil.copy(DATA / "acceptance.yml", folder / "tiers.yml")
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def sandbox(work, cci_home, fake_org, mdapi, monkeypatch):
    """A new sandbox as `--org uat`: Entitlement Management off, the Default hours and sample
    milestone types a new org ships, Support_Tier__c on Account and the L2_Assigned__c checkbox
    the Gold tier reads; the org's automation (tests/fakes/smoke_org.py + journey.py); its clock
    moved only by sleeps."""
    from tests.fakes.journey import JourneyOrg

    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                                         "org_id": fake_org.org_id,
                                                         "username": "ci@example.com.uat"}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    fake_org.entitlements = False
    fake_org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True,
                    TimeZoneSidKey="America/Los_Angeles")
    for name in SAMPLE_TYPES:
        fake_org.insert("MilestoneType", Name=name)
    journey = JourneyOrg(fake_org, mdapi, completions=SMOKE_RULES)
    monkeypatch.setattr(time, "sleep", journey.smoke.sleep)
    monkeypatch.setattr("slakit.smoke.runner._utcnow", journey.smoke.now)
    return journey


def test_release_pipeline_end_to_end(sandbox, work, run_cli):
    org, mdapi = sandbox.org, sandbox.mdapi

    # 1. validate ------------------------------------------------------------------------------
    result = run_cli("validate", "tiers.yml")
    assert result.exit_code == 0, result.stdout + result.stderr

    # 2. plan on a new org: everything is to add, Entitlement Management is off ----------------
    result = run_cli("plan", "tiers.yml", "--org", "uat", "--detailed-exitcode", "--json")
    assert result.exit_code == 2, result.stderr
    plan = doc(result)
    assert plan["has_changes"] is True and plan["entitlements_enabled"] is False
    actions = {(c["type"], c["name"]): c["action"] for c in plan["changes"]}
    # every component is new; the org's Entitlement settings exist already and get switched on
    settings = [c for c in plan["changes"] if c["action"] != "add"]
    assert [(c["type"], c["action"], c["detail"]) for c in settings] == [
        ("Settings", "change", "turns Entitlement Management on")], settings
    assert plan["counts"]["add"] == len(actions) - 1
    for wanted in [("EntitlementProcess", "Platinum"), ("EntitlementProcess", "Gold"),
                   ("EntitlementProcess", "Standard"), ("Flow", "Slakit_Case_Entitlement_Stamping")]:
        assert wanted in actions, sorted(actions)
    assert [c for c in org.calls if c.kind in WRITES and c.kind != "soap"] == []  # plan reads only
    assert mdapi.deploys == [] and org.records["SlaProcess"] == {}

    # 3. deploy: settings first, then everything else ---------------------------------------------
    result = run_cli("deploy", "tiers.yml", "--org", "uat", "--json")
    assert result.exit_code == 0, result.stderr
    deployed = doc(result)
    assert deployed["status"] == "Succeeded" and deployed["check_only"] is False
    assert [p["phase"] for p in deployed["phases"]] == ["settings", "components"]
    first, second = mdapi.deploys
    assert {f for f in first.files if f != "package.xml"} == {"settings/Entitlement.settings",
                                                               "settings/BusinessHours.settings"}
    assert "entitlementProcesses/gold.entitlementProcess" in second.files
    assert org.entitlements is True
    procs = sorted((r["Name"], r["VersionNumber"], r["IsActive"]) for r in org.records["SlaProcess"].values())
    assert procs == [("Gold", 1, True), ("Platinum", 1, True), ("Standard", 1, True)]

    # 4. plan again: nothing to do (render and the org's retrieve agree) --------------------------
    result = run_cli("plan", "tiers.yml", "--org", "uat", "--detailed-exitcode", "--json")
    plan = doc(result)
    assert result.exit_code == 0, [c for c in plan["changes"] if c["action"] != "unchanged"]
    assert plan["has_changes"] is False and plan["entitlements_enabled"] is True
    assert {c["action"] for c in plan["changes"]} == {"unchanged"}

    # 5. backfill: accounts for the three tiers (one with no tier at all: Standard's null clause)
    accounts = sandbox.seed_accounts({"Orbit Networks": "Platinum", "Acme Corp": "Gold", "Initech": "Gold",
                                      "Globex": "Standard", "Umbrella": None, "Hooli": "Bronze"})
    tier_of = {"Orbit Networks": "platinum", "Acme Corp": "gold", "Initech": "gold", "Globex": "standard",
               "Umbrella": "standard"}  # Hooli's Bronze matches no tier
    cases = {name: sandbox.open_case(acct, f"{name}: printer on fire") for name, acct in accounts.items()}
    closed = sandbox.open_case(accounts["Acme Corp"], "Acme: old question", status="Closed")
    assert all(org.get_record(c).get("EntitlementId") is None for c in cases.values())  # nothing to stamp yet

    before = len(org.calls)
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    dry = doc(result)
    assert dry["dry_run"] is True and dry["ok"] is True and dry["journal"] is None
    assert {t["name"]: (t["matched"], t["skipped"], t["planned"]) for t in dry["tiers"]} == {
        "Platinum": (1, 0, 1), "Gold": (2, 0, 2), "Standard": (2, 0, 2)}
    assert [c for c in org.calls[before:] if c.kind in WRITES] == []
    assert org.records["Entitlement"] == {} and not (work / ".slakit" / "journal").exists()

    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--cases", "--json")
    assert result.exit_code == 0, result.stderr
    run = doc(result)
    assert run["ok"] is True and run["dry_run"] is False
    assert run["totals"]["created"] == 5 and run["totals"]["failed"] == 0
    assert {t["name"]: (t["created"], t["cases_stamped"]) for t in run["tiers"]} == {
        "Platinum": (1, 1), "Gold": (2, 2), "Standard": (2, 2)}
    process = {r["NameNorm"]: r["Id"] for r in org.records["SlaProcess"].values()}
    today = sandbox.today()
    assert run["start_date"] == today.isoformat()
    created = {}
    for name, acct in accounts.items():
        ents = org.find("Entitlement", AccountId=acct)
        if name not in tier_of:
            assert ents == [], name
            continue
        assert len(ents) == 1, (name, ents)
        ent = created[name] = ents[0]
        assert ent["SlaProcessId"] == process[tier_of[name]], name
        assert ent["StartDate"] == today.isoformat()
        assert org.field_value("Entitlement", ent, "Status") == "Active"
        assert org.get_record(cases[name])["EntitlementId"] == ent["Id"], name  # open case stamped
    assert created["Acme Corp"]["Name"] == "Gold Support"  # the default "{tier} Support"
    assert org.get_record(cases["Hooli"]).get("EntitlementId") is None
    assert org.get_record(closed).get("EntitlementId") is None  # closed cases are left alone
    journal = Path(run["journal"])  # relative to the working folder, as the undo hint prints it
    assert journal.is_file() and journal.resolve().parent == work / ".slakit" / "journal"
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sorted(i for e in events if e["event"] == "created" for i in e["ids"]) == sorted(
        e["Id"] for e in created.values())

    before = len(org.calls)
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--cases", "--json")
    assert result.exit_code == 0, result.stderr
    again = doc(result)
    assert again["totals"]["created"] == 0 and again["totals"]["planned"] == 0 and again["totals"]["skipped"] == 5
    assert [c for c in org.calls[before:] if c.kind in WRITES] == []
    assert len(org.records["Entitlement"]) == 5

    # 6. audit: what the deploy and the backfill did passes -----------------------------------------
    result = run_cli("audit", "tiers.yml", "--org", "uat", "--json")
    audit = doc(result)
    assert result.exit_code == 0, audit  # no finding fails
    status = {(f["check"], f.get("subject") or ""): f["status"] for f in audit["findings"]}
    for check in [("entitlements.enabled", ""), ("processes.present", ""), ("hours.exist", ""),
                  ("flow.stamping", ""), ("milestones.completion", ""), ("actions.exist", ""),
                  ("accounts.entitlement", "Platinum"), ("accounts.entitlement", "Gold"),
                  ("accounts.entitlement", "Standard"), ("drift", "")]:
        assert status.get(check) == "pass", (check, status)
    by_check = {f["check"]: f for f in audit["findings"]}
    assert by_check["drift"]["numbers"] == {"differences": 0}
    assert "Slakit_Case_Entitlement_Stamping" in by_check["flow.stamping"]["message"]
    # what is left is what a release engineer expects: Hooli's case (no tier) and the sample types
    assert by_check["cases.entitlement"]["status"] == "warn"
    assert by_check["cases.entitlement"]["numbers"]["open_without"] == 1
    assert by_check["milestone_types.unused"]["details"] == sorted(SAMPLE_TYPES)
    assert audit["counts"]["fail"] == 0 and audit["counts"]["warn"] == 2
