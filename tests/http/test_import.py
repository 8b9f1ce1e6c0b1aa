"""`slakit import` against the fake org, then `slakit plan` against the same org: the round trip.
Real simple-salesforce and CumulusCI's retrieve answer through tests/fakes (REST + Metadata API)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.http.test_deploy import new_org  # noqa: F401  (fixture: a new org as slakit finds it)

pytestmark = pytest.mark.usefixtures("no_sleep")


@pytest.fixture
def slakit_org(org_conn, new_org, mdapi, tiers):
    """(a) A sandbox where slakit deployed the acceptance tiers (tests/data/acceptance.yml) to a new org."""
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project

    fake_org = new_org
    deploy_project(org_conn, load_project(tiers))
    mdapi.deploys.clear()
    fake_org.add_field("Account", "Support_Tier__c", "picklist")
    fake_org.add_field("Account", "Region__c", "picklist")
    for name, tier, region in [("Acme", "Gold", "EMEA"), ("Globex", "Gold", "AMER"), ("Initech", "Platinum", "EMEA"),
                               ("Umbrella", "Standard", "AMER"), ("Prospect", None, "EMEA")]:
        acct = fake_org.insert("Account", Name=name, Support_Tier__c=tier, Region__c=region)
        if tier:
            proc = fake_org.find("SlaProcess", NameNorm=tier.lower())[0]
            fake_org.insert("Entitlement", Name=f"{tier} Support", AccountId=acct, SlaProcessId=proc["Id"],
                            StartDate="2026-01-01", EndDate="2026-12-31")  # 12 months, as backfill writes it
    return fake_org


def test_import_of_a_slakit_deployed_org_plans_nothing(slakit_org, run_cli, tmp_path):
    out = tmp_path / "imported.yml"
    res = run_cli("import", "--org", "uat", "--out", out)
    assert res.exit_code == 0, res.stderr
    assert run_cli("validate", out, "--strict").exit_code in (0, 1)
    plan = run_cli("plan", out, "--org", "uat", "--detailed-exitcode", "--json")
    doc = json.loads(plan.stdout)
    changed = [(c["type"], c["name"], c["action"], c.get("diff")) for c in doc["changes"] if c["action"] != "unchanged"]
    assert changed == [] and plan.exit_code == 0, plan.stderr
    imported = json.loads(run_cli("import", "--org", "uat", "--out", out, "--force", "--json").stdout)
    accounts = {t["name"]: t["entitlement"].get("accounts") for t in imported["tiers"]["tiers"]}
    # Support_Tier__c splits the entitled accounts exactly (Region__c does not): guessed
    assert accounts == {"Platinum": "Support_Tier__c = 'Platinum'", "Gold": "Support_Tier__c = 'Gold'",
                        "Standard": "Support_Tier__c = 'Standard'"}
    terms = {t["name"]: t["entitlement"].get("term") for t in imported["tiers"]["tiers"]}
    assert terms == {"Platinum": "12 months", "Gold": "12 months", "Standard": "12 months"}  # from the records
    assert not [n for n in imported["kept_as_comments"] if n["where"].endswith("entitlement.term")]


def test_a_term_is_written_only_when_every_entitlement_of_the_tier_runs_as_long(slakit_org, run_cli, tmp_path):
    gold = slakit_org.find("SlaProcess", NameNorm="gold")[0]["Id"]
    acct = slakit_org.insert("Account", Name="Hooli", Support_Tier__c="Gold", Region__c="AMER")
    slakit_org.insert("Entitlement", Name="Gold Support", AccountId=acct, SlaProcessId=gold,
                      StartDate="2025-03-01", EndDate="2025-08-31")  # 6 months: not the others' 12
    for row in slakit_org.find("Entitlement"):
        if row["SlaProcessId"] != gold and row["Name"].startswith("Platinum"):
            row["EndDate"] = None  # open-ended: no term, and nothing to say
    res = run_cli("import", "--org", "uat", "--out", tmp_path / "imported.yml", "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    terms = {t["name"]: t["entitlement"].get("term") for t in doc["tiers"]["tiers"]}
    assert terms == {"Platinum": None, "Gold": None, "Standard": "12 months"}
    said = {n["where"]: n["what"] for n in doc["kept_as_comments"] if n["where"].endswith("entitlement.term")}
    assert said == {"tiers[Gold].entitlement.term": "entitlement.term: how long an entitlement runs is not in the "
                    "metadata (the org's entitlements on this process do not all run for the same term); absent = "
                    "open-ended"}
    text = (tmp_path / "imported.yml").read_text(encoding="utf-8")
    assert "# slakit import: entitlement.term: how long an entitlement runs is not in the metadata" in text


def test_no_accounts_guess_when_a_value_also_covers_accounts_without_the_entitlement(slakit_org, run_cli, tmp_path):
    slakit_org.insert("Account", Name="Lapsed", Support_Tier__c="Gold", Region__c="EMEA")  # Gold, no entitlement
    res = run_cli("import", "--org", "uat", "--out", tmp_path / "imported.yml", "--json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0, doc
    assert all("accounts" not in t.get("entitlement", {}) for t in doc["tiers"]["tiers"])
    why = [n["what"] for n in doc["kept_as_comments"] if n["where"].endswith("entitlement.accounts")]
    assert why and all("no Account picklist splits the accounts exactly" in w for w in why)


HANDBUILT = Path(__file__).resolve().parent.parent / "data" / "import" / "handbuilt"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def install_handbuilt(org, mdapi, folder: Path, *, skip: tuple[str, ...] = ()) -> None:
    """An org built by hand in Setup: its records (SlaProcess versions, MilestoneType,
    BusinessHours) and the files a retrieve returns, from a retrieved mdapi folder. Retrieved
    process files are named by each version's NameNorm: the lowercase name, `_v<N>` after version 1
    (and on version 1 too in some orgs: `developer support_v1`)."""
    from lxml import etree

    ns = "{http://soap.sforce.com/2006/04/metadata}"
    masters: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.parent.name == folder.name or path.name in skip:
            continue
        rel = path.relative_to(folder).as_posix()
        root = etree.fromstring(path.read_bytes())
        if path.parent.name == "entitlementProcesses":
            stem = path.name.rsplit(".", 1)[0]
            base, _, n = stem.partition("_v")
            version = int(root.findtext(f"{ns}versionNumber") or n or 1)
            norm, family = stem.lower(), base.lower()
            name = root.findtext(f"{ns}name") or base
            rid = org.insert("SlaProcess", Name=name, NameNorm=norm, VersionNumber=version,
                             IsVersionDefault=root.findtext(f"{ns}isVersionDefault") != "false",
                             IsActive=root.findtext(f"{ns}active") == "true", SObjectType="Case")
            masters.setdefault(family, rid[:15])
            org.get_record(rid)["VersionMaster"] = masters[family]
            rel = f"entitlementProcesses/{norm}.entitlementProcess"
        elif path.parent.name == "milestoneTypes":
            org.insert("MilestoneType", Name=path.name.rsplit(".", 1)[0],
                       RecurrenceType=root.findtext(f"{ns}recurrenceType") or "none")
        elif path.name == "BusinessHours.settings":
            for bh in root.findall(f"{ns}businessHours"):
                values = {"Name": bh.findtext(f"{ns}name"), "IsActive": bh.findtext(f"{ns}active") == "true",
                          "IsDefault": bh.findtext(f"{ns}default") == "true",
                          "TimeZoneSidKey": bh.findtext(f"{ns}timeZoneId")}
                for d in DAYS:
                    for edge in ("Start", "End"):
                        values[f"{d.title()}{edge}Time"] = bh.findtext(f"{ns}{d}{edge}Time")
                org.insert("BusinessHours", values)
        mdapi.files[rel] = path.read_bytes()


@pytest.fixture
def handbuilt_org(org_conn, fake_org, mdapi):
    """(b) An org whose processes were clicked together (tests/data/import/handbuilt, modelled on
    public retrieved files: see its README.md), `developer support_v1` included (version 1 with
    the `_v1` NameNorm: read and planned under that member)."""
    install_handbuilt(fake_org, mdapi, HANDBUILT)
    return fake_org


def _plan(run_cli, path) -> tuple[int, dict]:
    res = run_cli("plan", path, "--org", "uat", "--detailed-exitcode", "--json")
    return res.exit_code, json.loads(res.stdout)


def test_import_of_a_hand_built_org_round_trips_what_the_file_expresses(handbuilt_org, run_cli, tmp_path):
    out = tmp_path / "tiers.yml"
    res = run_cli("import", "--org", "uat", "--out", out, "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    tiers = {t["name"]: t for t in doc["tiers"]["tiers"]}
    # names as the org has them (SlaProcess.Name), default versions, mixed case and double spaces kept
    assert list(tiers) == ["Bronze  Basic", "Cobalt Enterprise SLA", "Developer Support", "Wholesale Support"]
    wholesale = tiers["Wholesale Support"]
    assert [m["name"] for m in wholesale["milestones"]] == ["Resolution Retail", "Resolution Wholesale"]  # v3, not v1
    bronze = {m["name"]: m for m in tiers["Bronze  Basic"]["milestones"]}
    assert bronze["Periodic Update"]["recurrence"] == "sequential"
    assert bronze["Escalate Case"] == {"name": "Escalate Case", "time_limit": "45m", "recurrence": "independent",
                                       "applies_when": {"formula": "ISPICKVAL(Status, 'Escalated')"},
                                       "start": "criteria"}
    hours = {h["name"]: h for h in doc["tiers"]["business_hours"]}
    assert hours["India"] == {"name": "India", "existing": True}  # used by no process
    assert hours["Default"]["existing"] is True and hours["Default"]["hours"] == {"every_day": "24h"}
    assert hours["Australia"]["hours"] == {"weekdays": "08:00-17:00"}
    kept = [n["what"] for n in doc["kept_as_comments"]]
    assert any("isDisplayedOnLinkedEntity" in k for k in kept)
    assert any("time trigger at 1 min has no actions" in k for k in kept)
    renamed = {k.split(" ", 1)[0] for k in kept if "is rendered as slakit's" in k}
    assert renamed == {"Escalated_Case_Retail", "update_case_SLA_violation_field"}

    code, plan = _plan(run_cli, out)
    assert code == 2
    by = {(c["type"], c["name"]): c for c in plan["changes"]}
    # every process starts at Case.CreatedDate in this org, slakit's at Case.SlaStartDate: said, and the only
    # difference of Bronze (its recurring and criteria milestones keep their start through `start:`)
    assert sum("slakit starts it at Case.SlaStartDate" in k for k in kept) == 4
    bronze = by[("EntitlementProcess", "Bronze  Basic")]
    assert [d["path"] for d in bronze["diff"]] == ["entryStartDateField"]
    assert by[("BusinessHours", "Australia")]["action"] == "unchanged"
    assert ("BusinessHours", "Default") not in by and ("BusinessHours", "India") not in by  # existing: never deployed
    # what differs is exactly what the import said it could not keep
    dev = by[("EntitlementProcess", "Developer Support")]  # version 1 whose NameNorm is `developer support_v1`
    assert (dev["member"], dev["version_from"], dev["action"]) == ("developer support_v1", 1, "change")
    assert [d["path"] for d in dev["diff"]] == ["businessHours", "entryStartDateField"]  # both said as comments
    cobalt = [d["path"] for d in by[("EntitlementProcess", "Cobalt Enterprise SLA")]["diff"]]
    assert cobalt == ["businessHours", "entryStartDateField", "milestone First Response: isDisplayedOnLinkedEntity"]
    assert any("no business hours, so it runs on each case's hours" in k for k in kept)  # Cobalt's
    assert by[("BusinessHours", "Slakit 24x7")]["action"] == "add"
    ws = by[("EntitlementProcess", "Wholesale Support")]
    assert ws["version_from"] == 3
    removed = {d["before"]["name"] for d in ws["diff"] if d["after"] is None and isinstance(d["before"], dict)
               and "name" in d["before"]}
    assert removed == renamed
    assert all("Resolution Retail" in d["path"] for d in ws["diff"] if d["path"] != "entryStartDateField")
    # milestone types: only slakit's description and the recurrence the file states
    for name in ("Periodic Update", "Escalate Case", "Case Resolution"):
        diff = by[("MilestoneType", name)]["diff"]
        assert [d["path"] for d in diff] == ["description"], (name, diff)


def test_import_from_a_metadata_folder_maps_versioned_files_back_to_tiers(run_cli, tmp_path):
    out = tmp_path / "tiers.yml"
    res = run_cli("import", "--metadata", HANDBUILT, "--out", out, "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    names = [t["name"] for t in doc["tiers"]["tiers"]]
    assert names == ["Bronze  Basic", "Cobalt Enterprise SLA", "Developer Support", "Wholesale Support"]
    assert run_cli("validate", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Imported by `slakit import`")
    said = {n["where"]: n["what"] for n in doc["kept_as_comments"] if n["where"].endswith("entitlement.term")}
    # Wholesale's template term (365 days) is its term (resolve), so nothing to say there
    assert sorted(said) == [f"tiers[{t}].entitlement.term" for t in ("Bronze  Basic", "Cobalt Enterprise SLA",
                                                                      "Developer Support")]
    assert all("(a metadata folder holds no Entitlement records)" in w for w in said.values())


def test_the_header_names_the_file_written(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run_cli("import", "--metadata", HANDBUILT, "--out", "acme-sla.yml")
    assert res.exit_code == 0, res.stderr
    header = [line for line in (tmp_path / "acme-sla.yml").read_text(encoding="utf-8").splitlines()
              if line.startswith("# Then:")]
    assert header == ["# Then: slakit validate acme-sla.yml && slakit plan acme-sla.yml --org NAME --detailed-exitcode"]


INEXPRESSIBLE = Path(__file__).resolve().parent.parent / "data" / "import" / "inexpressible"


def test_what_the_format_cannot_say_is_kept_as_comments_at_the_spot(org_conn, fake_org, mdapi, run_cli, tmp_path):
    """(c) Formula-free but otherwise unsayable things: each is listed, commented where it was, and
    the rest still round-trips (`clean` reads unchanged)."""
    install_handbuilt(fake_org, mdapi, INEXPRESSIBLE)
    out = tmp_path / "tiers.yml"
    res = run_cli("import", "--org", "uat", "--out", out, "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert [t["name"] for t in doc["tiers"]["tiers"]] == ["Clean", "Premier"]  # Apex Timed: nothing to write
    premier = doc["tiers"]["tiers"][1]
    assert [m["name"] for m in premier["milestones"]] == ["Resolution Time", "Case Closed"]
    rt = premier["milestones"][0]
    assert rt["warnings"] == ["75%"] and rt["on_warning"] == [{"set": {"SLA_Status__c": "L1"}}]
    assert rt["on_violation"] == [{"set": {"IsEscalated": True}}]
    kept = {(n["where"], n["what"]) for n in doc["kept_as_comments"]}
    expected = {
        ("tiers[Premier]", "the clock starts at Case.DateTime_Opened__c"),
        ("tiers[Premier]", "exit criteria Case.Status equals Closed"),
        ("tiers[Premier].milestones[Resolution Time].on_violation", "OutboundMessage Notify_ERP: an outbound message"),
        ("tiers[Premier].milestones[Resolution Time]", "actions 15 min after the target (Page_The_Manager)"),
        ("tiers[Premier].milestones[Resolution Time].on_violation", "recipient type 'contactLookup'"),
        ("tiers[Premier].milestones[Resolution Time].on_violation", "sets OwnerId by LookupValue"),
        ("tiers[Premier].milestones[Resolution Time]", "warning at -10 min runs Update_SLA_Status_To_L2"),
        ("tiers[Premier].milestones[First Response]", "criteria joined by '1 OR 2'"),
        ("tiers[Premier].milestones[Case Closed]", "a second milestone Case Closed (480 min)"),
        ("tiers[Premier].milestones[Onsite Visit]", "Apex class OnsiteVisitMinutes (minutesCustomClass)"),
        ("tiers[Apex Timed]", "no milestone tiers.yml can express"),
    }
    for where, what in expected:
        assert any(w == where and what in t for w, t in kept), (where, what)
    text = out.read_text(encoding="utf-8")
    for _, what in kept:  # every one at its spot in the file, word for word
        assert f"# slakit import: {what}" in text, what

    _, plan = _plan(run_cli, out)
    by = {(c["type"], c["name"]): c for c in plan["changes"]}
    assert by[("EntitlementProcess", "Clean")]["action"] == "unchanged"
    assert by[("EntitlementProcess", "Premier")]["action"] == "change"
    assert "Apex Timed" in plan["ignored"]["EntitlementProcess"]  # left alone, as the import said


def test_entitlement_management_off_is_one_line_and_exit_1(org_conn, fake_org, mdapi, run_cli, tmp_path):
    fake_org.entitlements = False
    out = tmp_path / "tiers.yml"
    res = run_cli("import", "--org", "uat", "--out", out)
    assert res.exit_code == 1
    assert res.stderr.strip().count("\n") == 0 and "Entitlement Management is not enabled" in res.stderr
    assert not out.exists()
    as_json = run_cli("import", "--org", "uat", "--out", out, "--json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["ok"] is False


def test_an_org_without_processes_says_so(org_conn, fake_org, mdapi, run_cli, tmp_path):
    res = run_cli("import", "--org", "uat", "--out", tmp_path / "tiers.yml")
    assert res.exit_code == 1 and "no entitlement processes" in res.stderr


def test_options_and_an_existing_file_are_usage_errors(run_cli, tmp_path):
    out = tmp_path / "tiers.yml"
    out.write_text("keep me\n", encoding="utf-8")
    res = run_cli("import", "--metadata", HANDBUILT, "--out", out)
    assert res.exit_code == 2 and "exists" in res.stderr and "--force" in res.stderr
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert run_cli("import", "--out", tmp_path / "x.yml").exit_code == 2
    assert run_cli("import", "--org", "uat", "--metadata", HANDBUILT, "--out", tmp_path / "x.yml").exit_code == 2
    assert run_cli("import", "--metadata", tmp_path / "nope", "--out", tmp_path / "x.yml").exit_code == 2
    empty = tmp_path / "empty"
    (empty / "workflows").mkdir(parents=True)
    res = run_cli("import", "--metadata", empty, "--out", tmp_path / "x.yml")
    assert res.exit_code == 1 and "no entitlement processes" in res.stderr
    forced = run_cli("import", "--metadata", HANDBUILT, "--out", out, "--force")
    assert forced.exit_code == 0 and out.read_text(encoding="utf-8").startswith("# Imported by")


def test_a_source_format_project_reads_the_same_as_mdapi(run_cli, tmp_path):
    """An sf project (force-app/main/default/..., `-meta.xml` suffixes, as the public repos keep them)."""
    import shutil

    project = tmp_path / "project" / "force-app" / "main" / "default"
    for path in HANDBUILT.rglob("*"):
        if path.is_file() and path.parent != HANDBUILT:
            target = project / path.relative_to(HANDBUILT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target.with_name(target.name + "-meta.xml"))
    a = run_cli("import", "--metadata", HANDBUILT, "--out", tmp_path / "a.yml", "--json")
    b = run_cli("import", "--metadata", tmp_path / "project", "--out", tmp_path / "b.yml", "--json")
    assert a.exit_code == b.exit_code == 0, b.stderr
    assert json.loads(a.stdout)["tiers"] == json.loads(b.stdout)["tiers"]
