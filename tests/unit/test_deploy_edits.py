"""slakit.deploy.edits: the named edits a deploy makes to a rendered package (files, members and
the package's entries change together)."""

from __future__ import annotations

from pathlib import Path

from slakit.config import load_project
from slakit.deploy.edits import merge_business_hours, publish_versions, strip_case_prefix
from slakit.deploy.package import split_phases
from slakit.deploy.plan import Change, Plan
from slakit.render.writer import render_package

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tiers.yml"
PROCESS = "entitlementProcesses/gold.entitlementProcess"


def test_strip_case_prefix_touches_only_milestone_action_names():
    pkg = render_package(load_project(EXAMPLE))
    rendered = dict(pkg.files)
    assert strip_case_prefix(pkg) == [] and pkg.files == rendered  # slakit never writes the prefix
    pkg.files[PROCESS] = pkg.files[PROCESS].replace(b"<name>Gold_", b"<name>Case.Gold_")
    pkg.files["workflows/Case.workflow"] += b"<!-- <actions><name>Case.X</name> -->"
    assert strip_case_prefix(pkg) == [PROCESS]
    assert pkg.files[PROCESS] == rendered[PROCESS]
    assert pkg.files["workflows/Case.workflow"].endswith(b"<name>Case.X</name> -->")


def test_publish_versions_moves_file_member_and_entry_together():
    pkg = render_package(load_project(EXAMPLE))
    plan = Plan([Change("EntitlementProcess", "Gold", "version", path=PROCESS, member="gold_v2",
                        version_from=1, version_to=2, version_master="552000000000001AAA", open_cases=3)], True)
    publish_versions(plan, pkg)
    new = "entitlementProcesses/gold_v2.entitlementProcess"
    assert PROCESS not in pkg.files and b"<versionNumber>2</versionNumber>" in pkg.files[new]
    assert b"<versionMaster>552000000000001</versionMaster>" in pkg.files[new]
    assert "gold_v2" in pkg.members["EntitlementProcess"] and "gold" not in pkg.members["EntitlementProcess"]
    entry = pkg.entry(new)
    assert entry is not None and entry.member == "gold_v2" and pkg.entry(PROCESS) is None
    components = [p for p in split_phases(pkg) if p.name == "components"][0]
    assert new in components.files and "gold_v2" in components.members["EntitlementProcess"]


def test_merge_business_hours_only_when_the_package_deploys_them():
    pkg = render_package(load_project(EXAMPLE))
    ours = pkg.files["settings/BusinessHours.settings"]
    assert merge_business_hours(pkg, None) and pkg.files["settings/BusinessHours.settings"] == ours  # nothing to keep
    del pkg.files["settings/BusinessHours.settings"]
    assert not merge_business_hours(pkg, ours) and "settings/BusinessHours.settings" not in pkg.files


def test_settings_deploy_first_on_their_own():
    pkg = render_package(load_project(EXAMPLE))
    first, rest = split_phases(pkg)
    assert (first.name, sorted(first.files)) == ("settings", ["settings/BusinessHours.settings",
                                                             "settings/Entitlement.settings"])
    assert first.members == {"Settings": ["BusinessHours", "Entitlement"]}
    assert "Settings" not in rest.members and not any(p.startswith("settings/") for p in rest.files)
