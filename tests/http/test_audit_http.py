"""`audit_org` against the fake org: SOQL checks answered by the stateful fake (aggregate rows
with expr0, relationship fields), the org's metadata through readMetadata on the SOAP endpoint."""

from __future__ import annotations

import pytest

from slakit.audit.findings import FAIL, PASS, WARN
from slakit.audit.live import audit_org
from slakit.errors import OrgError
from tests.fakes.audit_org import install_metadata_api, support_org
from tests.unit.test_audit_offline import COMPLETE_FLOW, GOOD_GOLD, STAMP_FLOW, WORKFLOW, milestone_xml, process_xml


class Conn:  # what audit_org reads from an OrgConnection
    def __init__(self, sf):
        self.sf, self.name = sf, "uat"


def components(stamp_status="Active"):
    platinum = process_xml("Platinum", hours="Support 24x7", milestones=[
        milestone_xml("First Response", 120, violate=[("Alert", "Gold_First_Response_Violation")]),
        milestone_xml("Resolution", 480, warn=[("Alert", "Gold_First_Response_Warning")])])
    return {
        ("EntitlementProcess", "gold"): process_xml("Gold", milestones=GOOD_GOLD + [
            milestone_xml("Agent Assignment", 30, warn=[("Alert", "Gold_First_Response_Warning")]),
            milestone_xml("Resolution", 1440, warn=[("Alert", "Gold_First_Response_Warning")])]),
        ("EntitlementProcess", "platinum"): platinum,
        ("Workflow", "Case"): WORKFLOW,
        ("Flow", "Slakit_Case_Entitlement_Stamping"): STAMP_FLOW.replace("{status}", stamp_status),
        ("Flow", "Complete_All"): COMPLETE_FLOW.replace("<stringValue>{milestone}</stringValue>",
                                                         "<booleanValue>false</booleanValue>").replace("{milestone}", "all"),
    }


@pytest.fixture
def org(fake_org):
    support_org(fake_org)
    for name, active in (("Slakit_Case_Entitlement_Stamping", True), ("Complete_All", True)):
        fake_org.insert("FlowDefinitionView", {"ApiName": name, "Label": name, "IsActive": active,
                                               "ProcessType": "AutoLaunchedFlow", "TriggerType": "RecordAfterSave",
                                               "TriggerObjectOrEventLabel": "Case"})
    return fake_org


def by_check(result):
    out = {}
    for f in result.findings:
        out.setdefault(f.check, []).append(f)
    return out


def test_live_audit_findings(org, sf):
    calls = install_metadata_api(org, components())
    result = audit_org(Conn(sf))
    checks = by_check(result)
    assert checks["entitlements.enabled"][0].status == PASS
    assert checks["flow.stamping"][0].status == PASS
    assert checks["milestones.completion"][0].status == PASS
    # Platinum's First Response warns nobody before its target
    warn = {f.subject: f for f in checks["process.warnings"]}
    assert warn["Platinum"].status == WARN and warn["Platinum"].details == ["First Response"]
    assert warn["Gold"].status == PASS
    unused = checks["milestone_types.unused"][0]
    assert unused.status == WARN and unused.details == ["Legacy Triage"]
    # open cases without entitlement: Email 2, Web 1 (the closed Phone case does not count)
    cases = checks["cases.entitlement"][0]
    assert cases.status == WARN and cases.numbers == {"open_without": 3, "by_origin": {"Email": 2, "Web": 1}}
    expired = checks["entitlements.expired"][0]
    assert expired.status == WARN and expired.numbers == {"cases": 1} and "Umbrella" in expired.details[0]
    allowance = checks["entitlements.allowance"][0]
    assert allowance.numbers == {"entitlements": 1, "cases_over": 2} and "Globex" in allowance.details[0]
    assert checks["accounts.entitlement"][0].status == "skip"  # no tiers.yml
    assert result.exit_code == 0
    assert calls[0] == "listMetadata EntitlementProcess" and "readMetadata Flow" in calls


def test_inactive_stamping_flow_fails_the_audit(org, sf):
    install_metadata_api(org, components())
    rec = org.find("FlowDefinitionView", ApiName="Slakit_Case_Entitlement_Stamping")[0]
    org.update("FlowDefinitionView", rec["Id"], {"IsActive": False})
    result = audit_org(Conn(sf))
    assert by_check(result)["flow.stamping"][0].status == FAIL and result.exit_code == 1


def test_accounts_per_tier_with_tiers_yml(org, sf):
    from pathlib import Path

    from slakit.config import load_project

    install_metadata_api(org, components())
    project = load_project(Path(__file__).parent.parent / "data" / "acceptance.yml")
    result = audit_org(Conn(sf), project=project, drift=False)
    accounts = {f.subject: f for f in by_check(result)["accounts.entitlement"]}
    # Gold: Initech (none) and Umbrella (expired); Platinum: Globex is covered; Standard: Hooli (tier null)
    assert accounts["Gold"].numbers == {"accounts": 2} and accounts["Gold"].status == WARN
    assert accounts["Platinum"].status == PASS
    assert accounts["Standard"].numbers == {"accounts": 1}
    assert "drift" not in by_check(result)


def test_entitlements_off_stops_early(rsps):
    from tests.fakes import FakeOrg

    org = FakeOrg(entitlements=False).install(rsps)
    result = audit_org(Conn(org.client()))
    assert [f.check for f in result.findings] == ["entitlements.enabled"]
    assert result.findings[0].status == FAIL and result.exit_code == 1


def test_metadata_api_fault_is_an_org_error(org, sf):
    install_metadata_api(org, components())
    sf.session_id = "00D000000000001!expired"
    with pytest.raises(OrgError, match="INVALID_SESSION_ID"):
        audit_org(Conn(sf))
