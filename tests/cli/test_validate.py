"""`slakit validate`: the acceptance file passes; each file of the invalid corpus yields exactly its
expected lines (tests/data/invalid/NAME.expected, `{file}` standing for the path) and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "data"
INVALID = sorted((DATA / "invalid").glob("*.yml"))


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_file_yields_its_expected_message(run_cli, path):
    expected = path.with_suffix(".expected").read_text().replace("{file}", str(path)).splitlines()
    result = run_cli("validate", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == expected
    assert "Traceback" not in result.stderr


def test_corpus_is_not_empty():
    assert len(INVALID) >= 15


def test_acceptance_style_file_is_valid_with_lint_warnings(run_cli):
    result = run_cli("validate", DATA / "acceptance.yml")
    assert result.exit_code == 0, result.stderr
    # the third warning: no `sender` (issue 11 item 11)
    assert "valid (3 tiers, 8 milestones, 3 warnings)" in result.stdout
    assert "no sender: email alerts go out from the current user" in result.stderr
    assert "75% of 30m fires 7.5 minutes before the target" in result.stderr
    assert "fires 8 minutes before" in result.stderr


def test_strict_turns_warnings_into_failure(run_cli):
    result = run_cli("validate", DATA / "acceptance.yml", "--strict")
    assert result.exit_code == 1


def test_json_output(run_cli):
    result = run_cli("validate", DATA / "invalid" / "bad_duration.yml", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["valid"] is False
    (err,) = doc["errors"]
    assert (err["line"], err["col"], err["field"]) == (5, 21, "tiers[0].milestones[0].time_limit")


def test_missing_file_is_one_line(run_cli, tmp_path):
    result = run_cli("validate", tmp_path / "nope.yml")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("no such file:")


def test_debug_is_accepted(run_cli):
    result = run_cli("--debug", "validate", DATA / "acceptance.yml")
    assert result.exit_code == 0
