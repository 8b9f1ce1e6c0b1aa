"""The smoke package: rendered for real, then kept apart from the real metadata (renamed flows,
workflow deployed as children, no real process or milestone type)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from slakit.config import load_project
from slakit.render.registry import all_components
from slakit.smoke.options import SmokeOptions
from slakit.smoke.package import build_package
from slakit.smoke.variant import smoke_variant

DATA = Path(__file__).resolve().parent.parent / "data"
NS = {"m": "http://soap.sforce.com/2006/04/metadata"}


def members(folder: Path) -> dict[str, list[str]]:
    root = etree.parse(str(folder / "package.xml")).getroot()
    return {t.findtext("m:name", namespaces=NS): [m.text for m in t.findall("m:members", NS)]
            for t in root.findall("m:types", NS)}


def test_smoke_package_never_names_a_real_component(tmp_path):
    project = load_project(DATA / "acceptance.yml")
    variant = smoke_variant(project, SmokeOptions(tier=("Gold",)))
    pkg = build_package(variant, tmp_path / "pkg")
    got = members(tmp_path / "pkg")
    assert got == pkg.members
    assert got["EntitlementProcess"] == ["gold smoke"]
    assert got["MilestoneType"] == ["Agent Assignment Smoke", "First Response Smoke", "L2 Dwell Smoke",
                                    "Resolution Smoke"]
    real = {(c.type, c.member) for c in all_components(project)}
    real_flows = {m for t, m in real if t == "Flow"}
    assert real_flows, "the real project renders flows"
    # every flow the real project also renders is deployed under a _Smoke name, file renamed too
    assert sorted(got["Flow"]) == sorted(f"{m}_Smoke" for m in real_flows)
    for name in got["Flow"]:
        assert (tmp_path / "pkg" / "flows" / f"{name}.flow").is_file()
    assert not any((tmp_path / "pkg" / "flows" / f"{m}.flow").exists() for m in real_flows)
    # the shared Case workflow goes as its smoke children, so the real actions are untouched
    assert "Workflow" not in got and pkg.split == ["Workflow:Case"]
    children = got["WorkflowAlert"] + got["WorkflowFieldUpdate"] + got["WorkflowTask"]
    assert all(c.startswith("Case.Gold_Smoke_") for c in children)
    assert "Case.Gold_Smoke_L2_Dwell_Smoke_Violation_Task" in got["WorkflowTask"]
    # nothing else of the real project's shared items is renamed, and no page is deployed
    assert "FlexiPage" not in got and "EntitlementTemplate" not in got
    shared = {(t, m) for t, ms in got.items() for m in ms} & real
    assert {t for t, _ in shared} <= {"Settings", "EmailTemplate"}
