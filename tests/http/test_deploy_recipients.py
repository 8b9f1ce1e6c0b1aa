"""Deploy preflight: alert recipients and task assignees exist in the org (issue 11, item 2),
through the real CLI, CumulusCI and simple-salesforce against the fake org's REST API.
Salesforce looks them up as the WorkflowAlert recipient types say (Metadata API WorkflowAlert:
group, role, user, caseTeam; WorkflowTask assignedToType user, role)."""

from __future__ import annotations

import pytest


pytestmark = pytest.mark.usefixtures("no_sleep")

TIERS = """\
api_version: "62.0"
tiers:
  - name: Gold
    milestones:
      - name: First Response
        time_limit: 4h
        completes_when: case_closed
        on_violation:
          - email: [owner, "group:Support_Managers", "group:Night_Shift"]
          - email: ["role:Ghost_Role", "team:Escalation Engineer"]
      - name: Resolution
        time_limit: 8h
        completes_when: case_closed
        on_warning:
          - email: ["user:former@acme.com", "user:lead@acme.com"]
        on_violation:
          - task: {subject: "Breached", assign_to: "user:nobody@acme.com"}
    entitlement:
      accounts: "Support_Tier__c = 'Gold'"
"""


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def org(fake_org):
    fake_org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True)
    fake_org.insert("User", Name="Former", Username="former@acme.com", IsActive=False)
    fake_org.insert("User", Name="Lead", Username="lead@acme.com", IsActive=True)
    fake_org.insert("Group", Name="Night Shift", DeveloperName="Night_Shift", Type="Queue")  # a queue, not a group
    fake_org.insert("CaseTeamRole", Name="Account Manager", AccessLevel="Edit")
    return fake_org


def test_missing_recipients_fail_preflight_one_line_each(org, org_conn, mdapi, tmp_path, run_cli):
    path = tmp_path / "tiers.yml"
    path.write_text(TIERS)
    result = run_cli("deploy", path, "--org", "uat")
    assert result.exit_code == 1
    assert mdapi.deploys == []  # failed before deploying anything
    first, second = line_of(TIERS, "group:Night_Shift"), line_of(TIERS, "role:Ghost_Role")
    warn, task = line_of(TIERS, "user:former@acme.com"), line_of(TIERS, "user:nobody@acme.com")
    expected = [
        f"{path}:{first}: tier Gold, milestone First Response, on_violation email: group:Night_Shift: no "
        "public group (Group DeveloperName) of that name in the org",
        f"{path}:{second}: tier Gold, milestone First Response, on_violation email: role:Ghost_Role: no role "
        "(UserRole DeveloperName) of that name in the org",
        f"{path}:{second}: tier Gold, milestone First Response, on_violation email: team:Escalation Engineer: "
        "no case team role (CaseTeamRole Name) of that name in the org",
        f"{path}:{warn}: tier Gold, milestone Resolution, on_warning email: user:former@acme.com: no "
        "active user (User Username) of that name in the org",
        f"{path}:{task}: tier Gold, milestone Resolution, on_violation task assign_to: user:nobody@acme.com: "
        "no active user (User Username) of that name in the org",
    ]
    lines = [line.split(" (create it in Setup")[0] for line in result.stderr.strip().splitlines()]
    for want in expected:
        assert want in lines, (want, lines)
    assert not any("Support_Managers" in line or "lead@acme.com" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_a_rendered_folder_is_checked_from_its_workflow(fake_org, org_conn, mdapi, run_cli, rendered_acceptance):
    from slakit.deploy.run import deploy_project
    from slakit.errors import DeployError

    for row in list(fake_org.find("Group", DeveloperName="Support_Managers")):
        fake_org.delete("Group", row["Id"])
    with pytest.raises(DeployError) as exc:
        deploy_project(org_conn, rendered_dir=rendered_acceptance)
    lines = exc.value.lines()
    assert any(line.startswith("alert Gold_First_Response_Violation_Email: group:Support_Managers: no public "
                               "group") for line in lines), lines
    assert not any("Support_Lead" in line for line in lines)  # that role is in the org
    assert mdapi.deploys == []
