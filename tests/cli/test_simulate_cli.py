"""`slakit simulate` through the real entry point: timeline text, --json documents, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

DATA = Path(__file__).parent.parent / "data"
TIERS = DATA / "simulate_tiers.yml"
ACCEPTANCE = DATA / "acceptance.yml"
Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_timeline_shows_local_and_utc_times_and_budget_per_day(run_cli):
    result = run_cli("simulate", TIERS, "--tier", "Gold", "--opened", "2026-02-06T16:30-05:00")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    # First Response (4h): due Monday 12:30 EST = 17:30Z; 30 minutes Friday, 3h30 Monday.
    assert "Mon 2026-02-09 12:30 EST" in out and "2026-02-09 17:30Z" in out
    assert "Fri 02-06 30m, Mon 02-09 3h30" in out
    assert "warning 75% (8m before target)" in out  # Agent Assignment 30m
    assert "conventions:" in out and "at_close" in out and "business time" in out
    assert "Tokyo" not in out  # only the named tier


def test_json_for_one_tier_is_one_document(run_cli):
    result = run_cli("simulate", TIERS, "--tier", "Gold", "--opened", "2026-02-06T16:30-05:00",
                     "--stop", "2026-02-09T11:00Z", "--resume", "2026-02-10T10:00Z", "--json")
    assert result.exit_code == 0, result.stderr
    d = json.loads(result.stdout)
    assert d["tier"] == "Gold" and d["opened"] == "2026-02-06T21:30:00Z"
    fr = d["milestones"][0]
    # 30 min Friday, Monday stopped, 210 from Tue 09:00 EST -> 12:30 EST = 17:30Z.
    assert fr["name"] == "First Response" and fr["target"] == "2026-02-10T17:30:00Z"
    assert d["conventions"]["boundary"] == "at_close"


def test_json_without_tier_lists_the_timelines_for_the_acceptance_file(run_cli):
    result = run_cli("simulate", ACCEPTANCE, "--opened", "2026-02-06T16:30-05:00", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["ok"] is True  # issue 15: every success document carries "ok": true, so the list is "timelines"
    docs = doc["timelines"]
    assert [d["tier"] for d in docs] == ["Platinum", "Gold", "Standard"]
    for d in docs:
        for m in d["milestones"]:
            assert Z.match(m["start"]) and Z.match(m["target"])
            assert all(Z.match(w["at"]) and w["time_length_minutes"] < 0 for w in m["warnings"])
    platinum = {m["name"]: m for m in docs[0]["milestones"]}
    # Support 24x7: 2h of elapsed time from 21:30Z.
    assert platinum["First Response"]["target"] == "2026-02-06T23:30:00Z"
    standard = {m["name"]: m for m in docs[2]["milestones"]}
    # EMEA 08:00-18:00 London (GMT in February): opened 21:30 GMT Friday (closed) -> 1bd = 600
    # minutes all of Monday 02-09 -> due at the 18:00 close.
    assert standard["First Response"]["time_limit_minutes"] == 600
    assert standard["First Response"]["target"] == "2026-02-09T18:00:00Z"


def test_acceptance_file_text_timeline_for_every_tier(run_cli):
    result = run_cli("simulate", ACCEPTANCE, "--opened", "2026-02-06T21:30Z")
    assert result.exit_code == 0, result.stderr
    for tier in ("Platinum", "Gold", "Standard"):
        assert tier in result.stdout


def test_opened_without_offset_says_which_zone_to_add(run_cli):
    result = run_cli("simulate", TIERS, "--tier", "Gold", "--opened", "2026-02-06T16:30")
    assert result.exit_code == 2
    assert "no UTC offset" in result.stderr and "America/New_York" in result.stderr
    assert "2026-02-06T16:30-05:00" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_bad_options_are_usage_errors(run_cli):
    result = run_cli("simulate", TIERS, "--opened", "2026-02-06T16:30Z", "--stop", "2026-02-09T11:00Z")
    assert result.exit_code == 2 and "--resume" in result.stderr
    result = run_cli("simulate", TIERS, "--opened", "2026-02-06T16:30Z", "--boundary", "sometime")
    assert result.exit_code == 2 and "at_close|next_open" in result.stderr
    result = run_cli("simulate", TIERS, "--opened", "2026-02-06T16:30Z", "--tier", "Silver")
    assert result.exit_code == 2 and "Gold, Tokyo, Anytime" in result.stderr


def test_existing_hours_without_hours_fail_clearly(run_cli):
    result = run_cli("simulate", DATA / "simulate_existing.yml", "--opened", "2026-02-06T16:30Z")
    assert result.exit_code == 1
    assert "'Default'" in result.stderr and "simulate_existing.yml:" in result.stderr
    assert "Traceback" not in result.stderr


def test_next_open_setting_is_stated_in_output(run_cli):
    result = run_cli("simulate", TIERS, "--tier", "Gold", "--opened", "2026-02-06T16:30-05:00",
                     "--boundary", "next_open", "--json")
    d = json.loads(result.stdout)
    # Agent Assignment (30m) ends exactly at Friday's close: next_open -> Monday 09:00 EST = 14:00Z.
    assert d["milestones"][1]["target"] == "2026-02-09T14:00:00Z"
    assert d["conventions"]["boundary"] == "next_open"


def test_criteria_at_moves_the_applies_when_milestone(run_cli):
    result = run_cli("simulate", ACCEPTANCE, "--tier", "Gold", "--opened", "2026-02-09T10:00-05:00",
                     "--criteria-at", "2026-02-10T14:00-05:00", "--json")
    assert result.exit_code == 0, result.stderr
    ms = {m["name"]: m for m in json.loads(result.stdout)["milestones"]}
    assert ms["L2 Dwell"]["start"] == "2026-02-10T19:00:00Z" and ms["L2 Dwell"]["target"] == "2026-02-11T17:00:00Z"
    text = run_cli("simulate", ACCEPTANCE, "--tier", "Gold", "--opened", "2026-02-09T10:00-05:00").stdout
    assert "start (criteria time assumed = opening)" in text


def test_criteria_at_before_the_opening_is_a_usage_error(run_cli):
    result = run_cli("simulate", ACCEPTANCE, "--tier", "Gold", "--opened", "2026-02-09T10:00-05:00",
                     "--criteria-at", "2026-02-09T14:00Z")  # 09:00 New York, an hour before the opening
    assert result.exit_code == 2 and result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--criteria-at" in lines[0], result.stderr
    assert "2026-02-09T14:00:00+00:00" in lines[0] and "2026-02-09T10:00:00-05:00" in lines[0]
    same = run_cli("simulate", ACCEPTANCE, "--tier", "Gold", "--opened", "2026-02-09T10:00-05:00",
                   "--criteria-at", "2026-02-09T15:00Z")  # the opening itself is fine
    assert same.exit_code == 0, same.stderr
