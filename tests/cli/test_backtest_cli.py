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


def test_hours_neither_in_the_file_nor_in_the_org_name_the_tiers_file_line(uat, run_cli):
    """An `existing: true` hours entry the org does not have is a tiers.yml problem: file, line,
    milestone and the fix, exit 1, one line."""
    path = Path("backtest-tiers.yml")
    text = path.read_text()
    defined = text[text.index("  - name: US Business Hours\n"):text.index("defaults:")]
    text = text.replace(defined, "  - {name: Old Hours, existing: true}\n")
    text = text.replace("business_hours: US Business Hours", "business_hours: Old Hours")
    path.write_text(text.replace("time_limit: 3bd", "time_limit: 24h").replace("time_limit: 1bd", "time_limit: 8h"))
    result = run_cli("backtest", "backtest-tiers.yml", "--org", "uat", *PERIOD)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    line = next(i + 1 for i, text in enumerate(path.read_text().splitlines()) if "name: First Response" in text)
    assert lines == [f"backtest-tiers.yml:{line}: Gold / First Response: business hours 'Old Hours' are neither "
                     "defined in the file nor in the org (add time_zone and hours to that entry, or create the "
                     "hours in the org)"]
    from slakit.audit.hours import HoursBook
    from slakit.backtest.run import calendars
    from slakit.config import load_project
    from slakit.errors import ConfigError

    project = load_project(path)
    with pytest.raises(ConfigError):  # a tiers.yml problem, as the cci task sees it too
        calendars(project, project.tiers[0], HoursBook(calendars={}, names={}))
