"""A release pipeline played end to end against ONE stateful fake sandbox, through the real
`slakit` entry point: validate -> plan -> deploy -> plan (clean) -> backfill (dry run, apply,
re-run) -> audit -> smoke -> change a time limit (new process version) -> undo the backfill.

Everything below slakit is real: CumulusCI's keychain (CUMULUSCI_ORG_uat) and Deploy/retrieve
tasks, simple-salesforce, HTTP answered by `responses`. The org is the shared FakeOrg, its SOAP
Metadata API (tests/fakes/metadata.py), Salesforce's entitlement automation as the smoke tests
model it (tests/fakes/smoke_org.py), tied together by tests/fakes/journey.py (which also merges
deployed workflow actions into the org's workflow, as the Metadata API does). Only time moves by
hand: sleeps go to the smoke fake's clock.

Expected values come from tests/data/acceptance.yml and the documented rules (README, docs/):
every component is new on a new org (the Entitlement settings exist and are switched on); Gold
First Response 4h = 240 business minutes, 3h = 180, its 50/75/90% warnings 120/60/24 -> 90/45/18
minutes before the target; one entitlement per matching account, on the first matching tier,
starting today in the user's zone; a changed process that open cases use becomes version 2 with
the same versionMaster while those cases stay on version 1; undo deletes what its run created.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path

import pytest
from lxml import etree

from tests.fakes import INSTANCE_URL, SESSION_ID
from tests.fakes.metadata import versions_of

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE_TYPES = ["Response Time", "Resolution Time", "Escalate Case"]  # what a new org ships
WRITES = ("sobject_create", "sobject_update", "sobject_delete", "collection_create", "collection_update",
          "collection_delete", "bulk", "soap")
Q = "{http://soap.sforce.com/2006/04/metadata}"
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
    """A new sandbox as `--org uat` (CUMULUSCI_ORG_uat, access token, refresh off): Entitlement
    Management off, the Default hours and sample milestone types a new org ships, Support_Tier__c
    on Account, the Case checkboxes the smoke fake defines (L2_Assigned__c, which Gold reads); the
    org's automation (tests/fakes/journey.py); its clock moved only by slakit's sleeps."""
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
    if run["start_date"] != today.isoformat():  # the user's midnight passed since the org's clock was set
        today = dt.date.fromisoformat(run["start_date"])
        assert today == sandbox.today() + dt.timedelta(days=1)
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

    # 7. smoke Gold in the sandbox; the fake's clock moves only when slakit sleeps -----------------
    records_before = {obj: set(org.records[obj]) for obj in ("Account", "Entitlement", "Case", "CaseComment",
                                                             "EmailMessage", "Task", "CaseMilestone")}
    real_processes = {r["Id"]: dict(r) for r in org.records["SlaProcess"].values()}
    result = run_cli("smoke", "tiers.yml", "--org", "uat", "--tier", "Gold", "--json", "--junit", "smoke.xml")
    smoke = doc(result)
    assert result.exit_code == 0, [c for c in smoke["checks"] if c["status"] in ("fail", "error")]
    assert smoke["ok"] is True and smoke["tiers"] == ["Gold"] and smoke["processes"] == {"Gold": "Gold Smoke"}
    assert smoke["counts"]["fail"] == 0 and smoke["counts"]["error"] == 0
    passed = {c["name"] for c in smoke["checks"] if c["status"] == "pass"}
    assert {"stamping flow set the entitlement", "one CaseMilestone per applicable milestone",
            "First Response: target date", "Resolution: completes when we close the case",
            "First Response: violated when left alone", "cleanup"} <= passed
    # the smoke fake's clock did the waiting: some 20 minutes passed in the org, none on the wall
    assert sum(sandbox.smoke.slept) > 20 * 60
    # no tagged record is left, and nothing that was there before was touched
    assert smoke["cleanup"]["left"] == [] and smoke["cleanup"]["errors"] == []
    assert smoke["cleanup"]["deleted"] == sum(len(ids) for ids in smoke["cleanup"]["created"].values()) > 0
    for obj, ids in records_before.items():
        assert set(org.records[obj]) == ids, obj
    tagged = [r for obj in ("Account", "Entitlement", "Case", "Task") for r in org.records[obj].values()
              if str(r.get("Name") or r.get("Subject") or "").startswith(smoke["tag"])]
    assert tagged == []
    # the real processes are as deployed; the smoke variant sits beside them under its own name
    for pid, rec in real_processes.items():
        assert org.get_record(pid) == rec
    assert sorted(r["Name"] for r in org.records["SlaProcess"].values()) == ["Gold", "Gold Smoke", "Platinum",
                                                                                 "Standard"]
    # the smoke actions joined the org's Case workflow; the real tiers' actions are all still there
    def workflow_actions(xml: bytes) -> set[str]:
        return {el.findtext(f"{Q}fullName") for el in etree.fromstring(xml)
                if etree.QName(el).localname in ("alerts", "fieldUpdates", "tasks")}
    in_org = workflow_actions(mdapi.files["workflows/Case.workflow"])
    real = workflow_actions(mdapi.deploys[1].files["workflows/Case.workflow"])
    assert real < in_org and all(n.startswith("Gold_Smoke_") for n in in_org - real), sorted(in_org - real)
    suites = etree.parse(str(work / "smoke.xml")).getroot()
    assert suites.tag == "testsuites" and suites.get("failures") == "0" and suites.get("errors") == "0"
    assert int(suites.get("tests")) == smoke["counts"]["total"]

    # 8. Gold's First Response goes 4h -> 3h while Acme's Gold case is open on the process ---------
    gold_v1 = org.find("SlaProcess", NameNorm="gold")
    assert len(gold_v1) == 1 and org.get_record(created["Acme Corp"]["Id"])["SlaProcessId"] == gold_v1[0]["Id"]
    text = (work / "tiers.yml").read_text()
    old = "      - name: First Response\n        time_limit: 4h\n"
    assert text.count(old) == 1  # Gold's (Platinum's is 2h, Standard's 1bd)
    (work / "tiers.yml").write_text(text.replace(old, "      - name: First Response\n        time_limit: 3h\n"))

    result = run_cli("plan", "tiers.yml", "--org", "uat", "--detailed-exitcode")
    assert result.exit_code == 2, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert any(line.startswith("^ EntitlementProcess Gold") and "v1 -> v2 (gold_v2)" in line
               and "2 open case(s) use it" in line for line in lines), result.stdout
    assert "milestone First Response: minutesToComplete 240 -> 180" in lines, result.stdout
    # 27 components (the Case completion is two flows since issue 11 item 8: in the save / on entry),
    # + the Apex flow test class + the 3 holidays of US Business Hours (issue 11 items 3 and 1)
    assert "Plan: 0 to add, 0 to change, 1 new process version(s), 31 unchanged." in lines, result.stdout

    result = run_cli("plan", "tiers.yml", "--org", "uat", "--detailed-exitcode", "--json")
    assert result.exit_code == 2, result.stderr
    plan = doc(result)
    changed = [c for c in plan["changes"] if c["action"] != "unchanged"]
    assert [(c["type"], c["name"], c["action"]) for c in changed] == [("EntitlementProcess", "Gold", "version")]
    gold = changed[0]
    assert (gold["version_from"], gold["version_to"], gold["member"]) == (1, 2, "gold_v2")
    assert gold["open_cases"] == 2  # Acme's and Initech's open cases, stamped in step 5
    assert gold["version_master"] == gold_v1[0]["Id"][:15]
    assert {"path": "milestone First Response: minutesToComplete", "before": "240", "after": "180"} in gold["diff"]
    # warnings at 50/75/90% move with the limit: 120/60/24 min before the target become 90/45/18
    warnings = sorted((d["path"].rsplit("at ", 1)[1], d["before"] is None) for d in gold["diff"][1:])
    assert warnings == sorted([("-90 min", True), ("-45 min", True), ("-18 min", True),
                               ("-120 min", False), ("-60 min", False), ("-24 min", False)])

    result = run_cli("deploy", "tiers.yml", "--org", "uat", "--json")
    assert result.exit_code == 0, result.stderr
    deployed = doc(result)
    assert [p["phase"] for p in deployed["phases"]] == ["settings", "components"]
    assert deployed["plan"]["counts"]["version"] == 1
    v2_file = etree.fromstring(mdapi.deploys[-1].files["entitlementProcesses/gold_v2.entitlementProcess"])
    assert v2_file.findtext(f"{Q}versionNumber") == "2" and v2_file.findtext(f"{Q}versionMaster") == \
        gold_v1[0]["Id"][:15]
    first_response = [m for m in v2_file.findall(f"{Q}milestones") if m.findtext(f"{Q}milestoneName") ==
                      "First Response"]
    assert [m.findtext(f"{Q}minutesToComplete") for m in first_response] == ["180"]
    versions = sorted((r["VersionNumber"], r["IsVersionDefault"], r["VersionMaster"], r["Name"])
                      for r in versions_of(org, "gold"))
    master = gold_v1[0]["Id"][:15]
    assert versions == [(1, False, master, "Gold"), (2, True, master, "Gold")]
    assert org.get_record(gold_v1[0]["Id"]) is not None  # v1 stays: its open cases finish on it
    assert {org.get_record(created[n]["Id"])["SlaProcessId"] for n in ("Acme Corp", "Initech")} == {gold_v1[0]["Id"]}
    assert len(versions_of(org, "platinum")) == 1 and len(versions_of(org, "standard")) == 1

    # the org reads back as tiers.yml says: nothing left to plan, and backfill sees v1 holders as done
    result = run_cli("plan", "tiers.yml", "--org", "uat", "--detailed-exitcode", "--json")
    plan = doc(result)
    assert result.exit_code == 0, [c for c in plan["changes"] if c["action"] != "unchanged"]
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    dry = doc(result)
    assert dry["totals"]["planned"] == 0 and dry["totals"]["skipped"] == 5
    gold_tier = [t for t in dry["tiers"] if t["name"] == "Gold"][0]
    assert gold_tier["process_id"] == versions_of(org, "gold", VersionNumber=2)[0]["Id"]

    # 9. undo step 5's run: exactly its entitlements go, its case stamps are cleared ---------------
    others = {i: dict(r) for i, r in org.records["Entitlement"].items() if i not in
              {e["Id"] for e in created.values()}}
    result = run_cli("backfill", "--undo", str(journal), "--org", "uat", "--json")
    assert result.exit_code == 0, result.stderr
    undone = doc(result)
    assert undone["ok"] is True and undone["deleted"] == 5 and undone["already_gone"] == 0
    assert undone["cases_cleared"] == 5 and undone["cases_changed"] == 0 and undone["failure_count"] == 0
    assert org.records["Entitlement"] == others == {}
    for name, case in cases.items():
        assert org.get_record(case).get("EntitlementId") is None, name
    assert org.get_record(closed).get("EntitlementId") is None
    assert len(org.records["Account"]) == len(accounts) and len(org.records["Case"]) == len(cases) + 1
    result = run_cli("audit", "tiers.yml", "--org", "uat", "--json")
    audit = doc(result)
    missing = {f["subject"]: f["numbers"]["accounts"] for f in audit["findings"] if f["check"] == "accounts.entitlement"}
    assert missing == {"Platinum": 1, "Gold": 2, "Standard": 2}  # back to before the backfill
    # and the metadata still holds up: both Gold versions, the smoke variant beside them, no drift
    assert result.exit_code == 0 and audit["counts"]["fail"] == 0, [
        f for f in audit["findings"] if f["status"] == "fail"]
    status = {f["check"]: f["status"] for f in audit["findings"]}
    assert status["drift"] == status["actions.exist"] == status["flow.stamping"] == "pass"
