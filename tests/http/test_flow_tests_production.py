"""Flows in production (issue 11, item 3): the rendered Apex test class that covers every slakit
flow, deployed with RunSpecifiedTests on production, and the FlowDefinitionView check after it.
Real render, real CumulusCI Deploy (its DeployOptions testLevel/runTests go over SOAP) and
simple-salesforce against the fake org, whose production Metadata API refuses active flows no
deployed Apex test covers, and lands them inactive when "Deploy processes and flows as active" is
off (tests/fakes/metadata.py)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from tests.fakes import INSTANCE_URL, SESSION_ID, FakeOrg

pytestmark = pytest.mark.usefixtures("no_sleep")
NS = {"m": "http://soap.sforce.com/2006/04/metadata"}
WON = """\
api_version: "62.0"
tiers:
  - name: O'Brien Gold
    milestones:
      - {name: First Response, time_limit: 4h, completes_when: first_response}
    entitlement:
      accounts: "Support_Tier__c = 'Gold'"
      on_closed_won: {product_family: Gold Support}
"""


def test_the_test_class_is_rendered_schema_valid_and_in_package_xml(tiers, tmp_path):
    from slakit.config import load_project
    from slakit.render import render_project
    from slakit.render.xsd import check_bytes

    out = tmp_path / "md"
    render_project(load_project(tiers), out)
    meta = (out / "classes" / "SlakitFlowTests.cls-meta.xml").read_bytes()
    assert check_bytes(meta, "SlakitFlowTests.cls-meta.xml", expect="ApexClass") == []
    assert etree.fromstring(meta).findtext("m:status", namespaces=NS) == "Active"
    package = etree.parse(str(out / "package.xml"))
    assert package.xpath("//m:types[m:name='ApexClass']/m:members/text()", namespaces=NS) == ["SlakitFlowTests"]
    apex = (out / "classes" / "SlakitFlowTests.cls").read_text()
    assert apex.count("{") == apex.count("}") and apex.startswith("/**") and "@isTest" in apex
    # each rendered flow is fired through its trigger: stamping, close, email, comment
    for fired in ("insert c;", "update c;", "insert new EmailMessage(ParentId = c.Id, Incoming = false, Status = '3'",
                  "insert new CaseComment(ParentId = c.Id, IsPublished = true"):
        assert fired in apex, fired
    assert "Opportunity" not in apex  # no on_closed_won in these tiers: no Closed Won flow, no test for it
    # nothing a flow writes is asserted: with the flows deployed inactive (the production setting off)
    # the class must pass, so the deploy reaches slakit's FlowDefinitionView check and its fix
    assert "EntitlementId" not in apex and "FROM Entitlement" not in apex
    assert "TIER = 'Platinum'" in apex  # the first tier's process

    (tmp_path / "won.yml").write_text(WON)
    render_project(load_project(tmp_path / "won.yml"), tmp_path / "won")
    won = (tmp_path / "won" / "classes" / "SlakitFlowTests.cls").read_text()
    assert "opp.StageName = [SELECT MasterLabel FROM OpportunityStage" in won and "Family = 'Gold Support'" in won
    assert "TIER = 'O\\'Brien Gold'" in won  # an Apex string literal
    assert "update c;" not in won and "CaseComment" in won  # only the flows rendered for these tiers
    assert "FROM Entitlement" not in won  # the Closed Won flow's entitlement is not asserted either

    (tmp_path / "draft.yml").write_text(tiers.read_text() + "\nautomation: {flows: draft}\n")
    render_project(load_project(tmp_path / "draft.yml"), tmp_path / "draft")
    assert not (tmp_path / "draft" / "classes").exists()  # draft flows need no coverage and would not run
    assert b"ApexClass" not in (tmp_path / "draft" / "package.xml").read_bytes()


@pytest.fixture
def production(rsps, cci_home, monkeypatch, tmp_path):
    from slakit.org.connect import connect
    from tests.conftest import seed_recipients
    from tests.fakes.audit_org import define_objects
    from tests.fakes.metadata import MetadataApi

    org = FakeOrg(sandbox=False, org_name="Acme Production").install(rsps)
    seed_recipients(org)
    define_objects(org)
    mdapi = MetadataApi(org)
    org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True)
    org.add_field("Case", "L2_Assigned__c", "boolean")
    monkeypatch.setenv("CUMULUSCI_ORG_prod", json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                                          "org_id": org.org_id}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    connect("prod", api_version="62.0", project_dir=tmp_path)
    return org, mdapi


def test_production_deploy_runs_the_flow_tests_and_checks_flows_are_active(production, tiers, run_cli):
    org, mdapi = production
    result = run_cli("deploy", tiers, "--org", "prod", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    settings, components = mdapi.deploys
    assert (settings.test_level, settings.run_tests) == (None, [])
    assert (components.test_level, components.run_tests) == ("RunSpecifiedTests", ["SlakitFlowTests"])
    assert "classes/SlakitFlowTests.cls" in components.files
    phases = json.loads(result.stdout)["phases"]
    assert phases[-1]["test_level"] == "RunSpecifiedTests" and phases[-1]["tests"] == ["SlakitFlowTests"]
    flows = {r["ApiName"]: r for r in org.records["FlowDefinitionView"].values()}
    assert flows and all(r["IsActive"] and r["ActiveVersionId"] for r in flows.values())


def test_flows_landing_inactive_in_production_fail_with_the_fix(production, tiers, run_cli):
    org, mdapi = production
    mdapi.deploy_flows_active = False  # the org setting is off: flows deploy, inactive
    result = run_cli("deploy", tiers, "--org", "prod", "--yes")
    assert result.exit_code == 1
    assert len(mdapi.deploys) == 2 and all(not d.check_only for d in mdapi.deploys)  # it did deploy
    lines = result.stderr.strip().splitlines()
    # the five flows these tiers render (no on_closed_won): stamping, Case completion in the save and on
    # entry (issue 11 item 8), EmailMessage and CaseComment completion
    names = ("Slakit_Case_Entitlement_Stamping", "Slakit_Case_Milestone_Completion",
             "Slakit_Case_Milestone_Completion_On_Entry", "Slakit_EmailMessage_Milestone_Completion",
             "Slakit_CaseComment_Milestone_Completion")
    assert len([line for line in lines if "is not active in the org" in line]) == len(names), lines
    for name in names:
        assert any(line.startswith(f"flow {name} is not active in the org after the deploy (turn on Setup > "
                                   "Process Automation Settings > 'Deploy processes and flows as active'")
                   for line in lines), (name, lines)
    assert "Traceback" not in result.stderr


def test_without_the_test_run_production_refuses_active_flows(production, tiers, run_cli):
    """What the test level is for: the same package with no tests run is rolled back."""
    org, mdapi = production
    result = run_cli("deploy", tiers, "--org", "prod", "--yes", "--test-level", "NoTestRun")
    assert result.exit_code == 1
    assert "The flow can't be deployed as active" in result.stderr
    assert org.records["FlowDefinitionView"] == {}


def test_sandbox_deploys_run_no_tests(fake_org, org_conn, mdapi, tiers):
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project

    fake_org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True)
    fake_org.add_field("Case", "L2_Assigned__c", "boolean")
    deploy_project(org_conn, load_project(tiers))
    assert [(d.test_level, d.run_tests) for d in mdapi.deploys] == [(None, []), (None, [])]


def test_draft_flows_are_the_admins_to_activate_and_not_checked(production, tiers, run_cli):
    org, mdapi = production
    mdapi.deploy_flows_active = False
    tiers.write_text(tiers.read_text() + "\nautomation: {flows: draft}\n")
    result = run_cli("deploy", tiers, "--org", "prod", "--yes")
    assert result.exit_code == 0, result.stderr
    assert org.records["FlowDefinitionView"] and not any(r["IsActive"] for r in org.records["FlowDefinitionView"].values())
    # no test class for draft flows, so no test run: nothing in the deploy depends on flows that do not run
    assert all("classes/SlakitFlowTests.cls" not in d.files and d.run_tests == [] for d in mdapi.deploys)
