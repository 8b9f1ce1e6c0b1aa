"""`slakit init`: scaffold a client project; never overwrite without --force."""

from __future__ import annotations

import json
from pathlib import Path

from ruamel.yaml import YAML

from slakit.config import check

ROOT = Path(__file__).resolve().parents[2]


def test_init_scaffolds_a_working_project(run_cli, tmp_path):
    target = tmp_path / "my-client"
    r = run_cli("init", target)
    assert r.exit_code == 0, r.stderr
    for rel in ("tiers.yml", "cumulusci.yml", "orgs/dev.json", ".gitignore"):
        assert (target / rel).is_file(), rel
    # tiers.yml is the commented example, and valid
    assert (target / "tiers.yml").read_text(encoding="utf-8") == (ROOT / "examples/tiers.yml").read_text(
        encoding="utf-8")
    result = check(target / "tiers.yml")
    assert result.ok, [p.format() for p in result.errors]
    cci = YAML(typ="safe").load((target / "cumulusci.yml").read_text(encoding="utf-8"))
    assert cci["project"]["name"] == "my-client"
    assert cci["project"]["package"]["api_version"] == "62.0"
    # the same slakit tasks and flows as the repository's own cumulusci.yml
    repo = YAML(typ="safe").load((ROOT / "cumulusci.yml").read_text(encoding="utf-8"))
    assert set(cci["tasks"]) == {"slakit_render", "slakit_deploy", "slakit_backfill", "slakit_smoke"}
    for name, task in cci["tasks"].items():
        assert task["class_path"] == repo["tasks"][name]["class_path"]
        assert task["options"] == repo["tasks"][name]["options"]
    assert [s["task"] for s in cci["flows"]["slakit_release"]["steps"].values()] == \
        ["slakit_render", "slakit_deploy", "slakit_backfill"]
    assert cci["orgs"]["scratch"]["dev"]["config_file"] == "orgs/dev.json"
    dev = json.loads((target / "orgs/dev.json").read_text(encoding="utf-8"))
    assert set(dev["features"]) >= {"Entitlements", "ServiceCloud"}
    assert dev["settings"]["entitlementSettings"]["enableEntitlements"] is True
    assert "build/" in (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    # and the scaffold renders
    assert run_cli("render", target / "tiers.yml", "--out", target / "build/metadata").exit_code == 0


def test_init_refuses_to_overwrite_without_force(run_cli, tmp_path):
    target = tmp_path / "c"
    target.mkdir()
    (target / "tiers.yml").write_text("# mine\n", encoding="utf-8")
    r = run_cli("init", target)
    assert r.exit_code == 1
    assert "tiers.yml" in r.stderr and "--force" in r.stderr
    assert (target / "tiers.yml").read_text(encoding="utf-8") == "# mine\n"
    assert not (target / "cumulusci.yml").exists()  # all or nothing
    r = run_cli("init", target, "--force", "--name", "Acme Support", "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["overwritten"] == ["tiers.yml"]
    assert (target / "tiers.yml").read_text(encoding="utf-8") != "# mine\n"
    cci = YAML(typ="safe").load((target / "cumulusci.yml").read_text(encoding="utf-8"))
    assert cci["project"]["name"] == "Acme Support"


def test_init_rejects_a_bad_name(run_cli, tmp_path):
    r = run_cli("init", tmp_path / "x", "--name", "a/b: {c}")
    assert r.exit_code == 2
    assert "cannot name a CumulusCI project" in r.stderr
