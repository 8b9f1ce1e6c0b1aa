"""Deploy/plan traps from issue 5 not covered elsewhere: `Case.` prefixes on success actions, and
process names that contain `_v` without being a version (NameNorm `gold_vip` is not `gold` v-ip)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.http.test_deploy import cli, new_org  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("no_sleep")
PLATINUM = "entitlementProcesses/platinum.entitlementProcess"


def test_case_prefix_is_removed_from_time_trigger_and_success_actions(org_conn, new_org, mdapi, tiers,  # noqa: F811
                                                                        tmp_path, capsys, rendered_acceptance):
    folder = tmp_path / "prefixed"
    shutil.copytree(rendered_acceptance, folder)
    path = folder / PLATINUM
    data = path.read_bytes()
    assert b"<name>Platinum_Resolution_Success_Set</name>" in data  # a successActions entry
    data = data.replace(b"<name>Platinum_Resolution_Success_Set</name>", b"<name>Case.Platinum_Resolution_Success_Set</name>")
    data = data.replace(b"<actions>\n                <name>Platinum_", b"<actions>\n                <name>Case.Platinum_", 1)
    assert data.count(b"<name>Case.") == 2
    path.write_bytes(data)
    code, out, err = cli(capsys, "deploy", tiers, "--from", folder, "--org", "uat", "--json")
    assert code == 0, err
    assert json.loads(out)["action_names_cleaned"] == [PLATINUM]
    sent = next(d for d in mdapi.deploys if PLATINUM in d.files).files[PLATINUM]
    assert b"<name>Case." not in sent and b"<name>Platinum_Resolution_Success_Set</name>" in sent


def test_a_name_with_v_in_it_is_not_a_version(org_conn, new_org, mdapi, tmp_path, rendered_acceptance):  # noqa: F811
    from slakit.deploy.run import deploy_project, plan_project

    folder = tmp_path / "vip"
    shutil.copytree(rendered_acceptance, folder)
    (folder / "entitlementProcesses" / "gold.entitlementProcess").rename(
        folder / "entitlementProcesses" / "gold_vip.entitlementProcess")
    path = folder / "entitlementProcesses" / "gold_vip.entitlementProcess"
    path.write_bytes(path.read_bytes().replace(b"<name>Gold</name>", b"<name>Gold_VIP</name>"))
    pkg = folder / "package.xml"
    pkg.write_bytes(pkg.read_bytes().replace(b"<members>gold</members>", b"<members>gold_vip</members>"))
    deploy_project(org_conn, rendered_dir=folder)
    assert [r["NameNorm"] for r in new_org.find("SlaProcess", Name="Gold_VIP")] == ["gold_vip"]
    plan = plan_project(org_conn, rendered_dir=folder)
    vip = next(c for c in plan.changes if c.type == "EntitlementProcess" and c.name == "Gold_VIP")
    assert (vip.action, vip.member) == ("unchanged", "gold_vip")
    assert "Gold_VIP" not in plan.ignored.get("EntitlementProcess", [])  # ours, not "left alone"
    assert not plan.has_changes
