"""`slakit audit`, `slakit at-risk`, `slakit report` through the real entry point, against the fake
org (CUMULUSCI_ORG_uat with an access token, HTTP answered by `responses`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes import INSTANCE_URL, SESSION_ID
from tests.fakes.audit_org import history, support_org

DATA = Path(__file__).parent.parent / "data"
NOW = "2026-03-02T15:00Z"

AT_RISK_TABLE = """\
Milestones violated or due within 2h of business time (as of 2026-03-02 15:00 UTC)
┏━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┓
┃ case     ┃ account   ┃ tier     ┃ milestone        ┃ owner        ┃ target (UTC)     ┃    remaining ┃
┡━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━┩
│ 00000002 │ Acme Corp │ Gold     │ Agent Assignment │ Tier 1 Queue │ 2026-03-02 14:45 │         -15m │
│ 00000005 │ Acme Corp │ Gold     │ Resolution       │ Dana Reyes   │ 2026-03-02 15:30 │ 50m (paused) │
│ 00000003 │ Acme Corp │ Gold     │ First Response   │ Dana Reyes   │ 2026-03-02 16:00 │           1h │
│ 00000004 │ Globex    │ Platinum │ First Response   │ Dana Reyes   │ 2026-03-02 16:30 │       1h 30m │
└──────────┴───────────┴──────────┴──────────────────┴──────────────┴──────────────────┴──────────────┘
1 violated, 2 due, 1 paused (4 open milestones read)
"""


@pytest.fixture
def uat(fake_org, cci_home, monkeypatch, tmp_path):
    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                                         "org_id": fake_org.org_id}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    from slakit.cli.common import console

    monkeypatch.setattr(console, "width", 120)
    ids = support_org(fake_org)
    history(fake_org, ids)
    return fake_org


def test_at_risk_table_snapshot(uat, run_cli):
    result = run_cli("at-risk", "--org", "uat", "--within", "2h", "--as-of", NOW)
    assert result.exit_code == 0, result.stderr
    assert [line.rstrip() for line in result.stdout.splitlines()] == AT_RISK_TABLE.splitlines()


def test_at_risk_json(uat, run_cli):
    result = run_cli("at-risk", "--org", "uat", "--within", "3h", "--tier", "Gold", "--as-of", NOW, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [m["remaining_minutes"] for m in doc["milestones"]] == [-15, 50, 60, 180]
    assert {m["tier"] for m in doc["milestones"]} == {"Gold"}
    assert doc["milestones"][0]["target"] == "2026-03-02T14:45:00+00:00"
    assert SESSION_ID not in result.stdout + result.stderr


def test_at_risk_bad_window_is_a_usage_error(uat, run_cli):
    result = run_cli("at-risk", "--org", "uat", "--within", "soon")
    assert result.exit_code == 2
    assert "--within" in result.stderr and "Traceback" not in result.stderr


def test_report_json_and_html(uat, run_cli, tmp_path):
    out = tmp_path / "report.html"
    result = run_cli("report", "--org", "uat", "--since", "30d", "--until", NOW, "--html", out, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    gold = next(g for g in doc["groups"] if (g["tier"], g["milestone"]) == ("Gold", "First Response"))
    assert (gold["met"], gold["violated"], gold["median_minutes"], gold["p90_minutes"]) == (5, 1, 90, 360)
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script src=" not in page.replace(" ", "") and "<scriptsrc=" not in page.replace(" ", "")
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js is inline
    assert 'id="trend"' in page and 'id="violations"' in page


def test_report_table(uat, run_cli):
    result = run_cli("report", "--org", "uat", "--since", "2026-02-01", "--until", NOW, "--weekly")
    assert result.exit_code == 0, result.stderr
    line = next(l for l in result.stdout.splitlines() if "Gold" in l and "First Response" in l)
    assert [c.strip() for c in line.split("│")[3:10]] == ["9", "5", "1", "3", "83.3%", "1h 30m", "6h"]
    assert "Per week" in result.stdout and "2026-02-23" in result.stdout


def test_audit_metadata_folder_exit_codes(run_cli, tmp_path):
    from slakit.config import load_project
    from slakit.render import render_project

    out = tmp_path / "md"
    render_project(load_project(DATA / "acceptance.yml"), out, fmt="mdapi")
    ok = run_cli("audit", "--metadata", out, "--json")
    assert ok.exit_code == 0, ok.stdout
    assert json.loads(ok.stdout)["counts"]["fail"] == 0
    stamp = out / "flows" / "Slakit_Case_Entitlement_Stamping.flow"
    stamp.write_text(stamp.read_text().replace("<status>Active</status>", "<status>Draft</status>"))
    bad = run_cli("audit", "--metadata", out)
    assert bad.exit_code == 1
    assert "FAIL" in bad.stdout and "flow.stamping" in bad.stdout and "not active" in bad.stdout


def test_audit_needs_exactly_one_source(run_cli):
    result = run_cli("audit")
    assert result.exit_code == 2 and "--org" in result.stderr
