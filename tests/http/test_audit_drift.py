"""`slakit audit --org NAME tiers.yml`: the drift check reuses `slakit plan`. The acceptance tiers
are rendered and deployed to the fake org through the real CumulusCI Deploy task; the audit then
reads the org back (readMetadata and CumulusCI's retrieve) on the same SOAP endpoint."""

from __future__ import annotations

import json

import pytest

from tests.fakes.audit_org import define_objects
from tests.http.test_deploy import cli, new_org  # noqa: F401  (new_org: fixture)

pytestmark = pytest.mark.usefixtures("no_sleep")


@pytest.fixture
def deployed(org_conn, new_org, mdapi, tiers):
    """A new sandbox where `slakit deploy tiers.yml` ran (fresh render, not a frozen copy)."""
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project

    fake_org = new_org
    define_objects(fake_org)  # FlowDefinitionView: deployed flows show there
    deploy_project(org_conn, load_project(tiers))
    mdapi.deploys.clear()
    return fake_org


def audit_json(capsys, tiers):
    code, out, err = cli(capsys, "audit", tiers, "--org", "uat", "--json")
    assert "Traceback" not in err
    doc = json.loads(out)
    return code, {f["check"]: f for f in doc["findings"] if f["check"] == "drift"}["drift"], doc


def test_unchanged_file_has_no_drift(deployed, mdapi, tiers, capsys):
    code, drift, doc = audit_json(capsys, tiers)
    assert drift["status"] == "pass", drift
    assert drift["numbers"] == {"differences": 0}
    # the audit read the deployed metadata back through readMetadata and plan's retrieve
    assert "readMetadata EntitlementProcess" in mdapi.endpoint.log and "retrieve" in mdapi.endpoint.log
    # what was deployed passes the checklist items that depend on it
    by = {f["check"]: f["status"] for f in doc["findings"] if f.get("subject") in (None, "", "Gold")}
    assert by["flow.stamping"] == "pass" and by["milestones.completion"] == "pass", doc["findings"]


def test_changed_time_limit_is_drift_naming_the_process(deployed, tiers, capsys):
    text = tiers.read_text()
    old = "      - name: First Response\n        time_limit: 4h\n"
    assert text.count(old) == 1  # Gold's First Response
    tiers.write_text(text.replace(old, "      - name: First Response\n        time_limit: 3h\n"))
    code, drift, _ = audit_json(capsys, tiers)
    assert drift["status"] == "warn"
    assert drift["numbers"]["differences"] == 1 and drift["numbers"]["change"] == 1
    assert drift["details"] == ["change EntitlementProcess Gold: no open cases: edited in place"]
    assert code == 0  # drift warns; it does not fail the audit


def test_drift_with_open_cases_says_a_new_version_is_published(deployed, tiers, capsys):
    gold = deployed.find("SlaProcess", NameNorm="gold")[0]
    acct = deployed.insert("Account", Name="Acme")
    ent = deployed.insert("Entitlement", Name="Gold Support", AccountId=acct, SlaProcessId=gold["Id"],
                          StartDate="2026-01-01")
    deployed.insert("Case", Subject="Printer on fire", AccountId=acct, EntitlementId=ent, Status="New")
    tiers.write_text(tiers.read_text().replace("        time_limit: 24h\n", "        time_limit: 16h\n"))
    code, drift, _ = audit_json(capsys, tiers)
    assert drift["status"] == "warn" and drift["numbers"]["version"] == 1
    assert drift["details"] == ["version EntitlementProcess Gold: 1 open case(s) use it: publish version 2; "
                                "they finish on version 1"]
