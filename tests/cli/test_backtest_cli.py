"""`slakit backtest` through the real entry point against the fake org's case histories
(tests/fakes/backtest_org.py `scenario()`; the verdicts are worked out in tests/http/test_backtest.py)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from tests.fakes import INSTANCE_URL, SESSION_ID
from tests.fakes.backtest_org import scenario

DATA = Path(__file__).parent.parent / "data"
PERIOD = ("--since", "2026-02-01", "--until", "2026-03-02T15:00Z")


@pytest.fixture
def uat(fake_org, cci_home, monkeypatch, tmp_path):
    monkeypatch.setenv("CUMULUSCI_ORG_uat", json.dumps({"instance_url": INSTANCE_URL, "access_token": SESSION_ID,
                                                         "org_id": fake_org.org_id}))
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("backtest-tiers.yml", "backtest-other.yml"):
        shutil.copy(DATA / name, work / name)
    from slakit.cli.common import console

    monkeypatch.setattr(console, "width", 200)
    return scenario(fake_org)


def test_json_html_and_verdicts_csv(uat, run_cli, tmp_path):
    page, rows = tmp_path / "out" / "backtest.html", tmp_path / "out" / "verdicts.csv"
    result = run_cli("backtest", "backtest-tiers.yml", "--org", "uat", *PERIOD, "--compare", "backtest-other.yml",
                     "--html", page, "--verdicts", rows, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    first, second = doc["proposals"]
    fr = next(g for g in first["groups"] if (g["tier"], g["milestone"]) == ("Gold", "First Response"))
    assert (fr["met"], fr["missed"], fr["pct_met"], fr["median_minutes"], fr["p90_minutes"]) == (4, 1, 80.0, 150, 210)
    assert second["tiers_file"] == "backtest-other.yml" and doc["cases_read"] == 15  # 8 + the other file's 7
    assert doc["api_calls"]["query"] > 0 and doc["html"] == str(page)
    assert SESSION_ID not in result.stdout + result.stderr
    with rows.open() as fh:
        table = list(csv.DictReader(fh))
    a = [r for r in table if r["case_id"] == uat["A"] and r["tiers_file"] == "backtest-tiers.yml"]
    assert [(r["milestone"], r["outcome"], r["business_minutes"]) for r in a] == [
        ("First Response", "met", "150"), ("Agent Assignment", "missed", "50"), ("Resolution", "met", "570")]
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "Proposals side by side" in text
    assert 'id="trend0"' in text and 'id="trend1"' in text and "Plotly.newPlot" in text


def test_table_names_what_it_cannot_see(uat, run_cli):
    result = run_cli("backtest", "backtest-tiers.yml", "--org", "uat", *PERIOD, "--compare", "backtest-other.yml")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "backtest: backtest-tiers.yml" in out and "backtest: backtest-other.yml" in out
    assert "cannot see: changes of Case.Priority" in out
    assert "│ Gold     │ First Response   │     7 │   4 │      1 │" in out
