"""The words `slakit import` picks: durations in bd/h/m on a tier's hours, warning percentages that
map back to the org's minutes through the clock, business hours as the format writes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from slakit.clock import warning_offset_minutes
from slakit.importer.read import Hours
from slakit.importer.words import duration, hours_map, percent_for, term

NINE_TO_FIVE = {d: ("09:00", "17:00") for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}
WEEKEND = {"saturday": None, "sunday": None}


def hours(days: dict, zone: str = "America/New_York") -> Hours:
    return Hours("H", zone, {**WEEKEND, **days})


@pytest.mark.parametrize("minutes, days, expected", [
    (480, NINE_TO_FIVE, "1bd"), (1440, NINE_TO_FIVE, "3bd"), (240, NINE_TO_FIVE, "4h"), (30, NINE_TO_FIVE, "30m"),
    (90, NINE_TO_FIVE, "90m"), (1440, None, "24h"), (600, {"monday": ("08:00", "18:00")}, "1bd"),
])
def test_durations_use_business_days_where_they_divide(minutes, days, expected):
    assert duration(minutes, hours(days) if days else None) == expected


def test_no_bd_on_24_7_hours_or_days_of_different_lengths():
    every = {d: ("00:00", "00:00") for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                             "sunday")}
    assert duration(2880, Hours("24x7", "UTC", every)) == "48h"
    uneven = {**NINE_TO_FIVE, "friday": ("09:00", "13:00")}
    assert duration(480, hours(uneven)) == "8h"


@pytest.mark.parametrize("limit, offset", [(240, 120), (240, 60), (240, 24), (30, 8), (30, 10), (10, 8), (20, 5),
                                           (1440, 1), (7, 3), (600, 599)])
def test_warning_percentages_map_back_to_the_org_minutes(limit, offset):
    p = percent_for(limit, offset)
    assert p is not None
    assert warning_offset_minutes(limit, float(p.rstrip("%"))) == offset


def test_roundest_percentage_wins_and_impossible_offsets_have_none():
    assert percent_for(240, 60) == "75%"
    assert percent_for(30, 8) == "75%"  # 75% of 30m is 7.5 min, which the clock fires 8 min before
    assert percent_for(10, 8) == "20%"  # exact beats round
    assert percent_for(60, 60) is None and percent_for(60, 0) is None and percent_for(60, 90) is None


def test_business_hours_read_as_the_format_writes_them():
    assert dict(hours_map(hours(NINE_TO_FIVE))) == {"weekdays": "09:00-17:00"}
    every = {d: ("00:00", "00:00") for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                             "sunday")}
    assert dict(hours_map(Hours("x", "UTC", every))) == {"every_day": "24h"}
    mixed = {**NINE_TO_FIVE, "saturday": ("10:00", "00:00"), "friday": ("09:00", "13:00")}
    assert dict(hours_map(Hours("x", "UTC", {"sunday": None, **mixed}))) == {
        "monday": "09:00-17:00", "tuesday": "09:00-17:00", "wednesday": "09:00-17:00", "thursday": "09:00-17:00",
        "friday": "09:00-13:00", "saturday": "10:00-24:00"}


def test_template_terms():
    assert (term(365), term(730), term(30), term(10)) == ("12 months", "24 months", "1 month", "10 days")


def test_a_file_that_would_not_validate_is_never_written(tmp_path, run_cli):
    """The importer checks its output with slakit's own validator first (here: a time zone Python's
    zoneinfo does not know, which tiers.yml refuses)."""
    src = Path(__file__).resolve().parent.parent / "data" / "import" / "handbuilt"
    folder = tmp_path / "retrieved"
    shutil.copytree(src, folder)
    settings = folder / "settings" / "BusinessHours.settings"
    settings.write_text(settings.read_text(encoding="utf-8").replace("Australia/Sydney", "Australia/Atlantis"),
                        encoding="utf-8")
    out = tmp_path / "tiers.yml"
    res = run_cli("import", "--metadata", folder, "--out", out)
    assert res.exit_code == 1 and "does not validate" in res.stderr and "nothing was written" in res.stderr
    assert not out.exists() and list(tmp_path.glob(".*")) == []


SCOPED = """
api_version: "62.0"
business_hours:
  - {name: Office, time_zone: Europe/Paris, hours: {weekdays: "09:00-17:00"}}
tiers:
  - name: Gold
    business_hours: Office
    milestones:
      - {name: Resolution, time_limit: 2bd, completes_when: case_closed, warnings: [50%],
         on_warning: [{email: [owner, "team:Escalation Manager"]}], on_violation: [{set: {Status: Escalated}}]}
      - {name: First Response, time_limit: 30m, completes_when: first_response}
  - name: Silver
    milestones:
      - name: Resolution
        time_limit: 16h
        completes_when: [{field: Case.Status, operator: notEqual, value: New}, {field: Case.Priority, operator: equals, value: "3"}]
        on_success: [{task: {subject: Follow up, assign_to: "role:Support_Lead", due_in_days: 2, priority: High}}]
"""


@pytest.mark.parametrize("source", ["acceptance", "scoped"])
def test_render_import_render_gives_the_same_metadata(tmp_path, source):
    """Offline round trip: what slakit renders, imported from the rendered folder and rendered again,
    is byte for byte the same (processes, milestone types, workflow, flows, hours, templates), also
    when one milestone name completes differently per tier (flow rules scoped by process name)."""
    from slakit.config import load_project
    from slakit.importer import import_folder, write_tiers
    from slakit.render import render_project

    tiers = tmp_path / "tiers.yml"
    if source == "acceptance":
        shutil.copy(Path(__file__).resolve().parent.parent / "data" / "acceptance.yml", tiers)
    else:
        tiers.write_text(SCOPED, encoding="utf-8")
    first, second = tmp_path / "first", tmp_path / "second"
    render_project(load_project(tiers), first, fmt="mdapi")
    imported = tmp_path / "imported" / "tiers.yml"
    imported.parent.mkdir()
    write_tiers(import_folder(first), imported)
    render_project(load_project(imported), second, fmt="mdapi")
    compared = [p.relative_to(first) for p in sorted(first.rglob("*"))
                if p.is_file() and p.parts[len(first.parts)] not in ("objects", "package.xml", "slakit-manifest.json")]
    assert len(compared) > 10
    for rel in compared:
        assert (second / rel).read_bytes() == (first / rel).read_bytes(), rel


def test_entitlement_spans_read_back_as_backfill_writes_terms():
    import datetime as dt

    from slakit.backfill.plan import end_date
    from slakit.importer.terms import spans

    d = dt.date
    assert spans(d(2026, 1, 1), d(2026, 12, 31)) == ["12 months", "365 days"]
    assert spans(d(2026, 1, 31), end_date(d(2026, 1, 31), 1, "months")) == ["1 month", "28 days"]  # Feb clamped
    assert spans(d(2026, 1, 1), d(2026, 1, 10)) == ["10 days"]
    assert spans(d(2026, 1, 1), d(2026, 1, 1)) == ["1 day"]
    assert spans(d(2026, 1, 1), None) == [""] and spans(d(2026, 1, 2), d(2026, 1, 1)) == []
