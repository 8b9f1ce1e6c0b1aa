"""`slakit import` against the fake org, then `slakit plan` against the same org: the round trip.
Real simple-salesforce and CumulusCI's retrieve answer through tests/fakes (REST + Metadata API)."""

from __future__ import annotations

import json

import pytest

from tests.http.test_deploy import SAMPLE_TYPES

pytestmark = pytest.mark.usefixtures("no_sleep")


@pytest.fixture
def slakit_org(org_conn, fake_org, mdapi, tiers):
    """(a) A sandbox where slakit deployed the acceptance tiers (tests/data/acceptance.yml) to a new org."""
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project

    fake_org.entitlements = False
    fake_org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True,
                    TimeZoneSidKey="America/Los_Angeles")
    for name in SAMPLE_TYPES:
        fake_org.insert("MilestoneType", Name=name)
    fake_org.add_field("Case", "L2_Assigned__c", "boolean")
    deploy_project(org_conn, load_project(tiers))
    mdapi.deploys.clear()
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
