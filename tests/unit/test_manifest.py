"""The typed hand-off render -> deploy/smoke (slakit.render.manifest) and the one folder reader
(slakit.deploy.folder): the facts render writes in slakit-manifest.json are the facts the reader
recovers from the same files' XML, so a folder with or without a manifest deploys the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slakit.config import load_project
from slakit.deploy.folder import load_folder
from slakit.render import render_project
from slakit.render.manifest import MANIFEST, SETTINGS_PHASE
from slakit.render.writer import render_package

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "examples" / "tiers.yml", ROOT / "tests" / "data" / "acceptance.yml",
           ROOT / "tests" / "golden" / "render" / "tiers.yml"]


def _facts(pkg) -> dict:
    doc = pkg.facts()
    # a derived entry knows its file stem, not the component's member, and only whether it
    # deploys first: compare what deploy reads from an entry
    doc["files"] = sorted((f["path"], f["type"], f["phase"] == SETTINGS_PHASE) for f in doc["files"])
    return doc


@pytest.mark.parametrize("tiers", SOURCES, ids=lambda p: p.parent.name + "/" + p.name)
def test_the_manifest_says_what_the_folder_reader_recovers_from_the_xml(tmp_path, tiers):
    out = tmp_path / "md"
    render_project(load_project(tiers), out)
    described = load_folder(out)
    assert described.from_manifest
    (out / MANIFEST).unlink()
    recovered = load_folder(out)
    assert not recovered.from_manifest
    assert described.files == recovered.files and described.members == recovered.members
    assert _facts(described) == _facts(recovered)
    assert described.fields_read and described.workflow_children["Case"]["WorkflowAlert"]
    assert described.enables_entitlements and described.active_flows


def test_a_sender_is_stated_as_the_workflow_carries_it(tmp_path):
    text = SOURCES[0].read_text(encoding="utf-8").replace(
        'api_version: "62.0"', 'api_version: "62.0"\nsender: {org_wide: support@example.com}', 1)
    (tmp_path / "tiers.yml").write_text(text, encoding="utf-8")
    out = tmp_path / "md"
    render_project(load_project(tmp_path / "tiers.yml"), out)
    assert load_folder(out).senders == ["support@example.com"]
    (out / MANIFEST).unlink()
    assert load_folder(out).senders == ["support@example.com"]


def test_the_example_states_its_facts(tmp_path):
    pkg = render_package(load_project(SOURCES[0]))
    assert ("Case", "SlaStartDate") in pkg.fields_read and ("Case", "IsClosed") in pkg.fields_read
    assert ("Case", "SLA_Breached__c") in pkg.fields_created
    assert {e.path for e in pkg.entries if e.phase == SETTINGS_PHASE} == {
        "settings/Entitlement.settings", "settings/BusinessHours.settings"}
    assert pkg.first_response_objects in (("CaseComment",), ("EmailMessage",))
    assert "package.xml" not in pkg.files and MANIFEST not in pkg.files


def test_a_folder_rendered_earlier_loads_the_facts_render_knew(tmp_path):
    project = load_project(SOURCES[1])
    render_project(project, tmp_path / "md")
    loaded = load_folder(tmp_path / "md")
    assert loaded.facts() == render_package(project).facts()
    doc = json.loads((tmp_path / "md" / MANIFEST).read_text(encoding="utf-8"))
    assert doc["slakit_manifest"] == 1 and doc["members"] == loaded.facts()["members"]


def test_a_folder_edited_after_render_is_read_from_its_files(tmp_path):
    out = tmp_path / "md"
    render_project(load_project(SOURCES[0]), out)
    (out / "workflows" / "Case.workflow").unlink()
    pkg = load_folder(out)
    assert not pkg.from_manifest and pkg.workflow_children == {} and pkg.senders == []
