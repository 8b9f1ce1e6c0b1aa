"""`slakit plan` and process versions against the fake org (REST reads + Metadata API retrieve),
through real simple-salesforce and CumulusCI's retrieve/deploy calls."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.fakes.metadata import versions_of
from tests.http.test_deploy import SAMPLE_TYPES, cli

pytestmark = pytest.mark.usefixtures("no_sleep")


@pytest.fixture
def deployed(org_conn, fake_org, mdapi, tiers, rendered_acceptance):
    """A sandbox where the acceptance tiers were deployed (from a new org)."""
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project

    fake_org.entitlements = False
    fake_org.insert("BusinessHours", Name="Default", IsActive=True)
    for name in SAMPLE_TYPES:
        fake_org.insert("MilestoneType", Name=name)
    fake_org.add_field("Case", "L2_Assigned__c", "boolean")
    deploy_project(org_conn, load_project(tiers), rendered_dir=rendered_acceptance)
    mdapi.deploys.clear()
    return fake_org


def edited_copy(rendered, tmp_path, old: bytes, new: bytes, name="gold") -> Path:
    folder = tmp_path / "edited"
    shutil.copytree(rendered, folder)
    path = folder / "entitlementProcesses" / f"{name}.entitlementProcess"
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    return folder


def open_case_on(org, process_name: str) -> str:
    proc = org.find("SlaProcess", NameNorm=process_name, IsVersionDefault=True)[0]
    acct = org.insert("Account", Name="Acme")
    ent = org.insert("Entitlement", Name="Gold Support", AccountId=acct, SlaProcessId=proc["Id"], StartDate="2026-01-01")
    return org.insert("Case", Subject="Printer on fire", AccountId=acct, EntitlementId=ent, Status="New")


def test_plan_after_deploy_is_empty(deployed, tiers, capsys, rendered_acceptance):
    code, out, err = cli(capsys, "plan", tiers, "--from", rendered_acceptance, "--org", "uat", "--detailed-exitcode")
    assert code == 0, err
    assert "Plan: 0 to add, 0 to change, 0 new process version(s)" in out
    assert "Left alone (not in tiers.yml): MilestoneType: Escalate Case, Resolution Time, Response Time" in out


def test_plan_on_a_new_org_adds_everything_without_querying_entitlement_objects(fake_org, org_conn, mdapi, tiers,
                                                                                capsys, rendered_acceptance):
    fake_org.entitlements = False
    code, out, err = cli(capsys, "plan", tiers, "--from", rendered_acceptance,
                         "--org", "uat", "--json", "--detailed-exitcode")
    assert code == 2
    doc = json.loads(out)
    assert doc["entitlements_enabled"] is False and doc["has_changes"] is True
    by = {(c["type"], c["name"]): c["action"] for c in doc["changes"]}
    assert by[("Settings", "Entitlement")] == "change"
    assert by[("EntitlementProcess", "Gold")] == "add" and by[("MilestoneType", "First Response")] == "add"
    assert by[("BusinessHours", "US Business Hours")] == "add"
    assert not any("SlaProcess" in c.path for c in fake_org.calls)  # no INVALID_TYPE round trip
    assert mdapi.retrieves == [] or all(t not in ("EntitlementProcess", "MilestoneType")
                                        for t, _ in mdapi.retrieves[-1]["members"])


def test_changed_process_with_open_cases_gets_a_new_version(deployed, org_conn, mdapi, tiers, tmp_path, capsys,
                                                            rendered_acceptance):
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project, plan_project

    open_case_on(deployed, "gold")
    gold_v1 = deployed.find("SlaProcess", NameNorm="gold")[0]
    folder = edited_copy(rendered_acceptance, tmp_path, b"<minutesToComplete>240</minutesToComplete>",
                         b"<minutesToComplete>120</minutesToComplete>")
    plan = plan_project(org_conn, load_project(tiers), rendered_dir=folder)
    gold = next(c for c in plan.changes if c.type == "EntitlementProcess" and c.name == "Gold")
    assert (gold.action, gold.version_from, gold.version_to, gold.member) == ("version", 1, 2, "gold_v2")
    assert gold.version_master == gold_v1["VersionMaster"][:15] and gold.open_cases == 1
    assert {c.action for c in plan.changes if c.type == "EntitlementProcess" and c.name != "Gold"} == {"unchanged"}

    deploy_project(org_conn, load_project(tiers), rendered_dir=folder)
    sent = mdapi.deploys[-1].files
    assert "entitlementProcesses/gold.entitlementProcess" not in sent
    xml = sent["entitlementProcesses/gold_v2.entitlementProcess"]
    assert b"<versionNumber>2</versionNumber>" in xml and b"<isVersionDefault>true</isVersionDefault>" in xml
    assert f"<versionMaster>{gold_v1['VersionMaster'][:15]}</versionMaster>".encode() in xml
    assert b"<members>gold_v2</members>" in sent["package.xml"]
    versions = sorted((r["VersionNumber"], r["IsVersionDefault"]) for r in versions_of(deployed, "gold"))
    assert versions == [(1, False), (2, True)]  # open cases finish on v1, new entitlements get v2
    code, out, err = cli(capsys, "plan", tiers, "--from", folder, "--org", "uat", "--detailed-exitcode")
    assert code == 0, out + err


def test_changed_process_without_open_cases_is_edited_in_place(deployed, org_conn, tiers, tmp_path, capsys,
                                                               rendered_acceptance):
    folder = edited_copy(rendered_acceptance, tmp_path, b"<minutesToComplete>240</minutesToComplete>",
                         b"<minutesToComplete>180</minutesToComplete>")
    code, out, err = cli(capsys, "plan", tiers, "--from", folder, "--org", "uat", "--detailed-exitcode")
    assert code == 2
    assert "  ~ EntitlementProcess Gold: no open cases: edited in place" in out.splitlines()


def test_version_numbers_compare_as_integers_and_master_comes_from_the_org(deployed, org_conn, mdapi, tiers, tmp_path,
                                                                           rendered_acceptance):
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project

    gold = deployed.find("SlaProcess", NameNorm="gold")[0]
    master = gold["VersionMaster"][:15]
    deployed.update("SlaProcess", gold["Id"], {"VersionNumber": 9, "IsVersionDefault": False})
    v10 = deployed.insert("SlaProcess", Name="Gold", NameNorm="gold", VersionNumber=10, IsVersionDefault=True,
                          IsActive=True, VersionMaster=master)
    mdapi.files["entitlementProcesses/gold_v10.entitlementProcess"] = \
        mdapi.files["entitlementProcesses/gold.entitlementProcess"]
    open_case_on(deployed, "gold")
    foreign = b"<name>Gold</name>\n    <versionMaster>5520X000001AbCd</versionMaster>"
    # a file carrying another org's master
    folder = edited_copy(rendered_acceptance, tmp_path, b"<name>Gold</name>", foreign)
    folder_file = folder / "entitlementProcesses" / "gold.entitlementProcess"
    folder_file.write_bytes(folder_file.read_bytes().replace(b"<minutesToComplete>240<", b"<minutesToComplete>60<"))
    result = deploy_project(org_conn, load_project(tiers), rendered_dir=folder)
    change = next(c for c in result.plan.changes if c.name == "Gold")
    assert (change.version_from, change.version_to, change.member) == (10, 11, "gold_v11")  # "9" > "10" as text
    xml = mdapi.deploys[-1].files["entitlementProcesses/gold_v11.entitlementProcess"]
    assert f"<versionMaster>{master}</versionMaster>".encode() in xml and b"5520X000001AbCd" not in xml
    assert versions_of(deployed, "gold", VersionNumber=11)[0]["IsVersionDefault"] is True
    assert v10 != versions_of(deployed, "gold", VersionNumber=11)[0]["Id"]


def test_fake_rejects_a_foreign_version_master(deployed, org_conn, mdapi, tmp_path, rendered_acceptance):
    """The trap plan/deploy avoid: deploying `_v2` as rendered elsewhere fails in the org."""
    from slakit.deploy.metadata import deploy_folder
    from slakit.errors import DeployError

    folder = tmp_path / "foreign"
    (folder / "entitlementProcesses").mkdir(parents=True)
    data = (rendered_acceptance / "entitlementProcesses" / "gold.entitlementProcess").read_bytes().replace(
        b"<name>Gold</name>", b"<name>Gold</name>\n    <versionMaster>5520X000001AbCd</versionMaster>\n"
                              b"    <versionNumber>2</versionNumber>")
    (folder / "entitlementProcesses" / "gold_v2.entitlementProcess").write_bytes(data)
    (folder / "package.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">'
        "<types><members>gold_v2</members><name>EntitlementProcess</name></types><version>62.0</version></Package>")
    with pytest.raises(DeployError) as exc:
        deploy_folder(org_conn, folder, api_version="62.0")
    assert exc.value.lines() == ["EntitlementProcess gold_v2: Another entitlement process is already using this "
                                 "name. (entitlementProcesses/gold_v2.entitlementProcess)"]


def test_detailed_exitcode_error_is_1(cci_home, fake_org, tiers, tmp_path, capsys, monkeypatch, rendered_acceptance):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "plan", tiers, "--from", rendered_acceptance,
                         "--org", "nowhere", "--detailed-exitcode")
    assert code == 1
    assert err.strip().splitlines() == ["no org named 'nowhere' in the CumulusCI keychain (known: beta, dev, feature, "
                                        "qa, release) (run `cci org connect nowhere` or set CUMULUSCI_ORG_NOWHERE)"]


def test_business_hours_edited_in_setup_show_as_change(deployed, org_conn, tiers, capsys, rendered_acceptance):
    us = deployed.find("BusinessHours", Name="US Business Hours")[0]
    assert us["MondayStartTime"] == "09:00:00.000Z"  # what the deploy wrote
    deployed.update("BusinessHours", us["Id"], {"MondayStartTime": "08:00:00.000Z", "FridayEndTime": None})
    code, out, err = cli(capsys, "plan", tiers, "--from", rendered_acceptance, "--org", "uat", "--detailed-exitcode")
    assert code == 2
    assert "  ~ BusinessHours US Business Hours: hours differ on Monday, Friday" in out.splitlines()
