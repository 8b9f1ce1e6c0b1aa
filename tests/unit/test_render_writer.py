"""The render pipeline as a whole: schema validity, package.xml exactness, determinism, atomic
replacement, user template overrides, XML escaping, source format."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree

from slakit.config import load_project
from slakit.errors import RenderError
from slakit.render import render_project
from slakit.render.xsd import check_bytes

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
NS = {"m": "http://soap.sforce.com/2006/04/metadata"}

# Metadata API format: folder -> (type, file suffix). Members are the file name without suffix,
# percent-decoded as Salesforce names them; emails are "<folder>/<name>"; objects carry fields.
FOLDERS = {
    "settings": ("Settings", ".settings"),
    "milestoneTypes": ("MilestoneType", ".milestoneType"),
    "entitlementProcesses": ("EntitlementProcess", ".entitlementProcess"),
    "entitlementTemplates": ("EntitlementTemplate", ".entitlementTemplate"),
    "workflows": ("Workflow", ".workflow"),
    "flows": ("Flow", ".flow"),
    "flexipages": ("FlexiPage", ".flexipage"),
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def members_from_files(out: Path) -> set[tuple[str, str]]:
    found = set()
    for f in out.rglob("*"):
        if not f.is_file() or f.name in ("package.xml", "slakit-manifest.json"):  # not metadata
            continue
        rel = f.relative_to(out)
        top = rel.parts[0]
        if top in FOLDERS:
            type_, suffix = FOLDERS[top]
            assert f.name.endswith(suffix), rel
            found.add((type_, f.name[: -len(suffix)]))
        elif top == "email":
            if len(rel.parts) == 2:  # email/<folder>-meta.xml
                found.add(("EmailTemplate", rel.parts[1][: -len("-meta.xml")]))
            else:
                stem = rel.parts[2].removesuffix("-meta.xml").removesuffix(".email")
                found.add(("EmailTemplate", f"{rel.parts[1]}/{stem}"))
        elif top == "classes":  # <Name>.cls and <Name>.cls-meta.xml
            found.add(("ApexClass", rel.parts[1].removesuffix("-meta.xml").removesuffix(".cls")))
        elif top == "objects":
            obj = rel.parts[1].removesuffix(".object")
            root = etree.parse(str(f)).getroot()
            for name in root.xpath("m:fields/m:fullName/text()", namespaces=NS):
                found.add(("CustomField", f"{obj}.{name}"))
        else:
            raise AssertionError(f"unexpected file {rel}")
    return found


def package_members(out: Path) -> set[tuple[str, str]]:
    root = etree.parse(str(out / "package.xml")).getroot()
    pairs = set()
    for t in root.xpath("m:types", namespaces=NS):
        name = t.findtext("m:name", namespaces=NS)
        members = t.xpath("m:members/text()", namespaces=NS)
        assert members == sorted(members), f"{name} members not sorted"
        pairs.update((name, m) for m in members)
    types = root.xpath("m:types/m:name/text()", namespaces=NS)
    assert types == sorted(types)
    return pairs


@pytest.fixture
def acceptance(tmp_path) -> Path:
    """A private copy of the acceptance tiers (user templates/ may be added beside it)."""
    target = tmp_path / "client" / "tiers.yml"
    target.parent.mkdir()
    shutil.copy(DATA / "acceptance.yml", target)
    return target


@pytest.mark.parametrize("tiers", [DATA / "acceptance.yml", ROOT / "examples" / "tiers.yml"])
def test_every_file_is_schema_valid_and_package_xml_is_exact(tmp_path, tiers):
    out = tmp_path / "md"
    result = render_project(load_project(tiers), out)
    files = snapshot(out)
    assert sorted(files) == result.files
    for rel, data in files.items():
        if rel.endswith((".email", ".cls")) or rel == "slakit-manifest.json":
            continue  # email body: plain text; Apex source; the package's facts (JSON)
        assert check_bytes(data, rel) == [], rel
    assert package_members(out) == members_from_files(out)
    version = etree.parse(str(out / "package.xml")).getroot().findtext("m:version", namespaces=NS)
    assert version == "62.0"


def test_two_renders_are_byte_identical(tmp_path, acceptance):
    project = load_project(acceptance)
    render_project(project, tmp_path / "a")
    render_project(load_project(acceptance), tmp_path / "b")
    render_project(project, tmp_path / "a")  # re-render in place
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_failed_render_leaves_previous_output_intact(tmp_path, acceptance):
    out = tmp_path / "md"
    render_project(load_project(acceptance), out)
    before = snapshot(out)
    override = acceptance.parent / "templates" / "milestoneTypes" / "milestoneType.xml.j2"
    override.parent.mkdir(parents=True)
    override.write_text("<?xml version='1.0'?>\n{{ no_such_variable }}\n", encoding="utf-8")
    with pytest.raises(RenderError) as err:
        render_project(load_project(acceptance), out)
    assert "no_such_variable" in str(err.value)
    assert str(override) in str(err.value)  # points at the user's template
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client", "md"]  # no temp folders left


def test_schema_invalid_output_is_refused_with_file_and_line(tmp_path, acceptance):
    out = tmp_path / "md"
    render_project(load_project(acceptance), out)
    before = snapshot(out)
    override = acceptance.parent / "templates" / "milestoneTypes" / "milestoneType.xml.j2"
    override.parent.mkdir(parents=True)
    # recurrenceType before description: wrong element order for the schema
    override.write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                        '<MilestoneType xmlns="http://soap.sforce.com/2006/04/metadata">\n'
                        "    <recurrenceType>{{ recurrence }}</recurrenceType>\n"
                        "    <description>{{ description }}</description>\n"
                        "</MilestoneType>\n", encoding="utf-8")
    with pytest.raises(RenderError) as err:
        render_project(load_project(acceptance), out)
    first = err.value.problems[0]
    assert first.file.startswith("milestoneTypes/") and first.line == 4
    assert "description" in first.message
    assert snapshot(out) == before


def test_user_template_override_is_used(tmp_path, acceptance):
    override = acceptance.parent / "templates" / "email" / "template.email.txt.j2"
    override.parent.mkdir(parents=True)
    override.write_text("Client ACME: {{ milestone }} / {{ kind }} on {!Case.CaseNumber}\n", encoding="utf-8")
    out = tmp_path / "md"
    render_project(load_project(acceptance), out)
    body = (out / "email/slakit/L2_Dwell_Violation.email").read_text(encoding="utf-8")
    assert body == "Client ACME: L2 Dwell / Violation on {!Case.CaseNumber}\n"
    # templates not overridden still come from slakit
    assert (out / "email/slakit/L2_Dwell_Violation.email-meta.xml").read_bytes().startswith(b"<?xml")


def test_refuses_to_replace_a_folder_slakit_did_not_write(tmp_path, acceptance):
    out = tmp_path / "force-app"
    out.mkdir()
    (out / "mine.cls").write_text("precious", encoding="utf-8")
    with pytest.raises(RenderError, match="refusing to replace"):
        render_project(load_project(acceptance), out)
    assert (out / "mine.cls").read_text(encoding="utf-8") == "precious"
    render_project(load_project(acceptance), out, force=True)
    assert not (out / "mine.cls").exists()


ESCAPE_TIERS = """\
api_version: "62.0"
business_hours:
  - name: 'Büro & Co <Zürich>'
    time_zone: Europe/Zurich
    hours: {weekdays: "08:00-17:00"}
    holidays:
      - {name: 'Knabenschießen "Zürich"', date: 2026-09-14}
tiers:
  - name: 'R&D "Tier" <1>'
    description: "Für R&D <urgent> 'quotes'"
    business_hours: 'Büro & Co <Zürich>'
    milestones:
      - name: 'Erste Antwort & "Reply"'
        time_limit: 2h
        warnings: [50%]
        on_warning: [{email: [owner]}]
        on_violation:
          - task: {subject: 'Fix <it> & "now"', assign_to: owner}
          - set: {Status: 'Escalated & <Hot>'}
"""


def test_user_strings_are_xml_escaped_and_round_trip(tmp_path):
    tiers = tmp_path / "tiers.yml"
    tiers.write_text(ESCAPE_TIERS, encoding="utf-8")
    out = tmp_path / "md"
    render_project(load_project(tiers), out)  # validate=True: every file parses and passes the schema
    procs = list((out / "entitlementProcesses").iterdir())
    assert len(procs) == 1
    raw = procs[0].read_bytes()
    assert b"R&amp;D" in raw and b"&lt;1&gt;" in raw and b"<1>" not in raw
    root = etree.parse(str(procs[0])).getroot()
    assert root.findtext("m:name", namespaces=NS) == 'R&D "Tier" <1>'
    assert root.findtext("m:description", namespaces=NS) == "Für R&D <urgent> 'quotes'"
    assert root.findtext("m:businessHours", namespaces=NS) == "Büro & Co <Zürich>"
    assert root.findtext("m:milestones/m:milestoneName", namespaces=NS) == 'Erste Antwort & "Reply"'
    # the file name is the lowercased name with file-unsafe characters percent-encoded
    assert unquote(procs[0].name.removesuffix(".entitlementProcess")) == 'r&d "tier" <1>'
    assert not set('"<>') & set(procs[0].name)
    wf = etree.parse(str(out / "workflows/Case.workflow")).getroot()
    assert wf.findtext("m:tasks/m:subject", namespaces=NS) == 'Fix <it> & "now"'
    assert wf.findtext("m:fieldUpdates/m:literalValue", namespaces=NS) == "Escalated & <Hot>"
    for name in wf.xpath("//m:fullName/text()", namespaces=NS):
        assert name.isascii() and all(c.isalnum() or c == "_" for c in name), name
    bh = etree.parse(str(out / "settings/BusinessHours.settings")).getroot()
    assert bh.findtext("m:holidays/m:name", namespaces=NS) == 'Knabenschießen "Zürich"'
    body = next((out / "email" / "slakit").glob("*.email")).read_text(encoding="utf-8")
    assert 'Erste Antwort & "Reply"' in body  # plain text body: not XML-escaped
    assert package_members(out) == members_from_files(out)


def test_source_format_is_an_sf_project(tmp_path, acceptance):
    out = tmp_path / "src"
    result = render_project(load_project(acceptance), out, fmt="source")
    import json

    project = json.loads((out / "sfdx-project.json").read_text(encoding="utf-8"))
    assert project["packageDirectories"] == [{"path": "force-app", "default": True}]
    assert project["sourceApiVersion"] == "62.0"
    base = out / "force-app" / "main" / "default"
    assert (base / "entitlementProcesses" / "gold.entitlementProcess-meta.xml").is_file()
    assert (base / "settings" / "Entitlement.settings-meta.xml").is_file()
    fields = sorted(p.name for p in (base / "objects" / "Case" / "fields").iterdir())
    assert fields == ["Resolution_Met_At__c.field-meta.xml", "SLA_Breached__c.field-meta.xml"]
    assert not (out / "package.xml").exists()
    for f in base.rglob("*.xml"):
        assert check_bytes(f.read_bytes(), str(f)) == [], f
    # re-rendering source into its own output is allowed (marker), and identical
    before = snapshot(out)
    render_project(load_project(acceptance), out, fmt="source")
    assert snapshot(out) == before
    assert result.members["CustomField"] == ["Case.Resolution_Met_At__c", "Case.SLA_Breached__c"]


def test_existing_fields_are_not_rendered(tmp_path):
    text = (DATA / "acceptance.yml").read_text(encoding="utf-8")
    text = text.replace('api_version: "62.0"', 'api_version: "62.0"\nexisting_fields: [SLA_Breached__c]')
    tiers = tmp_path / "tiers.yml"
    tiers.write_text(text, encoding="utf-8")
    out = tmp_path / "md"
    result = render_project(load_project(tiers), out)
    assert result.members["CustomField"] == ["Case.Resolution_Met_At__c"]
