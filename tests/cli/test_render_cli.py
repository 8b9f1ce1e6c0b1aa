"""`slakit render` through the real entry point: exit codes, summary, JSON, errors as one line."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tiers.yml"
ACCEPTANCE = ROOT / "tests" / "data" / "acceptance.yml"


def test_render_prints_a_summary_per_type(run_cli, tmp_path):
    out = tmp_path / "build" / "metadata"
    r = run_cli("render", ACCEPTANCE, "--out", out)
    assert r.exit_code == 0, r.stderr
    assert (out / "package.xml").is_file()
    lines = {line.split()[0]: line.split()[-1] for line in r.stdout.splitlines() if line.strip()}
    assert lines["EntitlementProcess"] == "3"
    assert lines["MilestoneType"] == "4"
    assert "schema-valid" in r.stdout


def test_render_json_lists_files_and_members(run_cli, tmp_path):
    out = tmp_path / "md"
    r = run_cli("render", EXAMPLE, "--out", out, "--json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["format"] == "mdapi" and doc["validated"] is True
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert doc["files"] == on_disk
    assert doc["members"]["EntitlementProcess"] == ["gold", "platinum", "standard"]


def test_render_source_format(run_cli, tmp_path):
    out = tmp_path / "sfproj"
    r = run_cli("render", EXAMPLE, "--out", out, "--format", "source", "--json")
    assert r.exit_code == 0, r.stderr
    assert (out / "sfdx-project.json").is_file()
    assert (out / "force-app/main/default/entitlementProcesses/gold.entitlementProcess-meta.xml").is_file()


def test_bad_format_is_a_usage_error(run_cli, tmp_path):
    r = run_cli("render", EXAMPLE, "--out", tmp_path / "x", "--format", "zip")
    assert r.exit_code == 2
    assert "--format 'zip' is not mdapi or source" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "x").exists()


def test_invalid_tiers_fail_with_a_located_line(run_cli, tmp_path):
    bad = tmp_path / "tiers.yml"
    bad.write_text("tiers:\n  - name: A\n    milestones:\n      - name: M\n        time_limit: 4 hours\n",
                   encoding="utf-8")
    r = run_cli("render", bad, "--out", tmp_path / "out")
    assert r.exit_code == 1
    assert f"{bad}:5:" in r.stderr and "time_limit" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_refuses_a_foreign_folder_then_force(run_cli, tmp_path):
    out = tmp_path / "force-app"
    out.mkdir()
    (out / "keep.txt").write_text("x", encoding="utf-8")
    r = run_cli("render", EXAMPLE, "--out", out)
    assert r.exit_code == 1
    assert "refusing to replace" in r.stderr and "--force" in r.stderr
    assert (out / "keep.txt").exists()
    assert run_cli("render", EXAMPLE, "--out", out, "--force").exit_code == 0
    assert not (out / "keep.txt").exists()


def test_template_error_names_the_template_and_keeps_output(run_cli, tmp_path):
    tiers = tmp_path / "client" / "tiers.yml"
    tiers.parent.mkdir()
    tiers.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "md"
    assert run_cli("render", tiers, "--out", out).exit_code == 0
    before = (out / "package.xml").read_bytes()
    override = tiers.parent / "templates" / "workflows" / "Case.workflow.xml.j2"
    override.parent.mkdir(parents=True)
    override.write_text("<Workflow>{{ alerts[0].nope }}</Workflow>\n", encoding="utf-8")
    r = run_cli("render", tiers, "--out", out)
    assert r.exit_code == 1
    assert str(override) in r.stderr and "nope" in r.stderr
    assert (out / "package.xml").read_bytes() == before
