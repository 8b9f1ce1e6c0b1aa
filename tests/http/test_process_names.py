"""Process and component names as the org holds them (issue 11, items 4 and 6), through real
render, CumulusCI Deploy/retrieve and simple-salesforce against the stateful fake.

Item 4: with versioning on, SlaProcess.NameNorm is per version; orgs differ for version 1
(bare `gold`: SwarajSalesforce/caseMgmtAccelerator retrieves `wholesale support` next to
`wholesale support_v3`; `gold_v1`: gvinnakota/createdraftarticlefromcase retrieves
`developer support_v1`). The fake models both (`mdapi.v1_suffix`) and refuses a fullName that
would make a second process of a name the org already has.
Item 6: file names and package.xml members are fullNames encoded as the Metadata API writes them
("Account-Legal %26 Compliance Layout", forcedotcom/cli#3504; `__` -> %5F%5F).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fakes.metadata import versions_of
from tests.http.test_deploy import SAMPLE_TYPES
from tests.http.test_plan import open_case_on

pytestmark = pytest.mark.usefixtures("no_sleep")


@pytest.fixture
def new_org(fake_org):
    fake_org.entitlements = False
    fake_org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True)
    for name in SAMPLE_TYPES:
        fake_org.insert("MilestoneType", Name=name)
    fake_org.add_field("Case", "L2_Assigned__c", "boolean")
    return fake_org


def _edited(tmp_path, source: Path, old: bytes, new: bytes, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(source, folder)
    path = folder / "entitlementProcesses" / "gold.entitlementProcess"
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    return folder


@pytest.mark.parametrize("v1_suffix", [False, True], ids=["bare-v1", "suffixed-v1"])
def test_processes_map_to_the_name_norm_the_org_holds(org_conn, new_org, mdapi, tiers, tmp_path, v1_suffix,
                                                     rendered_acceptance):
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project, plan_project

    mdapi.v1_suffix = v1_suffix
    project = load_project(tiers)
    v1_name = "gold_v1" if v1_suffix else "gold"
    # first deploy: nothing in the org yet, the file goes as rendered
    deploy_project(org_conn, project, rendered_dir=rendered_acceptance)
    assert [r["NameNorm"] for r in versions_of(new_org, "gold")] == [v1_name]
    plan = plan_project(org_conn, project, rendered_dir=rendered_acceptance)
    assert not plan.has_changes, [c.as_dict() for c in plan.changes if c.action != "unchanged"]
    gold = next(c for c in plan.changes if c.type == "EntitlementProcess" and c.name == "Gold")
    assert gold.member == v1_name

    # re-deploy unchanged, then an edit in place (no open cases): still the one version-1 row
    deploy_project(org_conn, project, rendered_dir=rendered_acceptance)
    edited = _edited(tmp_path, rendered_acceptance, b"<minutesToComplete>240</minutesToComplete>",
                     b"<minutesToComplete>200</minutesToComplete>", "in-place")
    deploy_project(org_conn, project, rendered_dir=edited)
    sent = mdapi.deploys[-1].files
    assert f"entitlementProcesses/{v1_name}.entitlementProcess" in sent
    assert [(r["NameNorm"], r["VersionNumber"]) for r in versions_of(new_org, "gold")] == [(v1_name, 1)]
    assert b"<minutesToComplete>200</minutesToComplete>" in \
        mdapi.files[f"entitlementProcesses/{v1_name}.entitlementProcess"]

    # open cases: a new version gold_v2; plan is clean after it, and a re-deploy keeps v2 the default
    open_case_on(new_org, v1_name)
    bumped = _edited(tmp_path, edited, b"<minutesToComplete>200</minutesToComplete>",
                     b"<minutesToComplete>180</minutesToComplete>", "bumped")
    plan = plan_project(org_conn, project, rendered_dir=bumped)
    gold = next(c for c in plan.changes if c.type == "EntitlementProcess" and c.name == "Gold")
    assert (gold.action, gold.member, gold.version_to) == ("version", "gold_v2", 2)
    deploy_project(org_conn, project, rendered_dir=bumped)
    rows = sorted((r["NameNorm"], r["VersionNumber"], r["IsVersionDefault"]) for r in versions_of(new_org, "gold"))
    assert rows == sorted([(v1_name, 1, False), ("gold_v2", 2, True)])
    assert not plan_project(org_conn, project, rendered_dir=bumped).has_changes
    deploy_project(org_conn, project, rendered_dir=bumped)
    assert "entitlementProcesses/gold.entitlementProcess" not in mdapi.deploys[-1].files
    rows = sorted((r["NameNorm"], r["VersionNumber"], r["IsVersionDefault"]) for r in versions_of(new_org, "gold"))
    assert rows == sorted([(v1_name, 1, False), ("gold_v2", 2, True)])


SPECIAL = """\
api_version: "62.0"
tiers:
  - name: Legal & Compliance
    milestones:
      - {name: "R&D__Review (L2)", time_limit: 4h, completes_when: case_closed}
      - {name: "Fix*Now", time_limit: 8h, completes_when: case_closed}
    entitlement:
      accounts: "Support_Tier__c = 'Legal'"
"""


def test_special_characters_are_encoded_as_the_metadata_api_writes_them(tmp_path):
    from slakit.config import load_project
    from slakit.deploy.folder import load_folder
    from slakit.render import render_project

    (tmp_path / "tiers.yml").write_text(SPECIAL)
    out = tmp_path / "mdapi"
    render_project(load_project(tmp_path / "tiers.yml"), out, fmt="mdapi")
    pkg = load_folder(out)
    files, members = pkg.files, pkg.members
    assert "entitlementProcesses/legal %26 compliance.entitlementProcess" in files
    assert "milestoneTypes/R%26D%5F%5FReview %28L2%29.milestoneType" in files
    assert "milestoneTypes/Fix*Now.milestoneType" in files  # `*` is kept
    assert members["EntitlementProcess"] == ["legal %26 compliance"]
    assert sorted(members["MilestoneType"]) == ["Fix*Now", "R%26D%5F%5FReview %28L2%29"]
    assert b"<members>legal %26 compliance</members>" in (out / "package.xml").read_bytes()


def test_encoded_names_plan_clean_after_deploy(org_conn, fake_org, mdapi, tmp_path):
    """The plan maps encoded file names back to the org's names: no endless 'add'."""
    from slakit.config import load_project
    from slakit.deploy.run import deploy_project, plan_project

    fake_org.insert("BusinessHours", Name="Default", IsActive=True, IsDefault=True)
    fake_org.add_field("Account", "Support_Tier__c", "string")
    (tmp_path / "tiers.yml").write_text(SPECIAL)
    project = load_project(tmp_path / "tiers.yml")
    deploy_project(org_conn, project)
    assert {r["Name"] for r in fake_org.records["MilestoneType"].values()} >= {"R&D__Review (L2)", "Fix*Now"}
    assert [r["NameNorm"] for r in versions_of(fake_org, "legal & compliance")] == ["legal & compliance"]
    plan = plan_project(org_conn, project)
    assert not plan.has_changes, [c.as_dict() for c in plan.changes if c.action != "unchanged"]
    names = {(c.type, c.name) for c in plan.changes}
    assert ("MilestoneType", "R&D__Review (L2)") in names and ("EntitlementProcess", "Legal & Compliance") in names
