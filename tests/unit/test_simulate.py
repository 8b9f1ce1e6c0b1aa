"""`slakit.simulate` on tests/data/simulate_tiers.yml (the acceptance file's US hours and Gold tier,
plus a milestone-level 24/7 override, a Tokyo tier and a tier without hours). Expected instants are
reasoned by hand in the comments (dates: 2026-02-06 is a Friday; US DST 2026 starts 03-08 and ends
11-01; Thanksgiving 2026 is 11-26; 12-24 is a Thursday, 12-25 a Friday)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from slakit import clock, simulate as sim
from slakit.config import load_project
from slakit.errors import SlakitError, UsageError

DATA = Path(__file__).parent.parent / "data"
TIERS = DATA / "simulate_tiers.yml"
Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture(scope="module")
def project():
    return load_project(TIERS)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def doc(project, tier: str, opened: str, **kw) -> dict:
    [tl] = sim.simulate(project, at(opened), tier=tier, **kw)
    return sim.to_json(tl)


def by_name(d: dict) -> dict[str, dict]:
    return {m["name"]: m for m in d["milestones"]}


def test_gold_friday_1630_example(project):
    d = doc(project, "Gold", "2026-02-06T16:30-05:00")
    assert d["tier"] == "Gold" and d["opened"] == "2026-02-06T21:30:00Z"
    ms = by_name(d)
    fr = ms["First Response"]
    # 4h: 30 min Friday 16:30-17:00 EST, the rest (210) from Monday 09:00 EST -> 12:30 EST = 17:30Z.
    assert fr == {
        "name": "First Response", "business_hours": "US Business Hours", "time_limit_minutes": 240,
        "start": "2026-02-06T21:30:00Z", "target": "2026-02-09T17:30:00Z",
        "warnings": [
            # 50%: 120 before the target = 120 used = Fri 30 + Mon 90 -> 10:30 EST.
            {"percent": 50, "at": "2026-02-09T15:30:00Z", "time_length_minutes": -120},
            # 75%: 60 before = 180 used -> Mon 11:30 EST.
            {"percent": 75, "at": "2026-02-09T16:30:00Z", "time_length_minutes": -60},
            # 90%: 24 before = 216 used = Fri 30 + Mon 186 -> 12:06 EST.
            {"percent": 90, "at": "2026-02-09T17:06:00Z", "time_length_minutes": -24},
        ],
    }
    # 30m from 16:30 runs out exactly at the 17:00 close: at_close keeps Friday 17:00 EST (22:00Z).
    # 75% of 30m = 7.5 minutes before, rounded up to 8: Friday 16:52 EST.
    aa = ms["Agent Assignment"]
    assert aa["target"] == "2026-02-06T22:00:00Z"
    assert aa["warnings"] == [{"percent": 75, "at": "2026-02-06T21:52:00Z", "time_length_minutes": -8}]
    # 24h = 1440: Fri 30, Mon 480, Tue 480, Wed 450 -> Wed 02-11 16:30 EST = 21:30Z.
    assert ms["Resolution"]["target"] == "2026-02-11T21:30:00Z"


def test_milestone_level_24x7_override(project):
    ms = by_name(doc(project, "Gold", "2026-02-06T16:30-05:00"))["Escalation Watch"]
    # The milestone's own hours (Support 24x7) win over the process hours: elapsed time, so
    # 21:30Z + 2h = 23:30Z Friday even though US hours close at 22:00Z; 50% = 60 before = 22:30Z.
    assert ms["business_hours"] == "Support 24x7"
    assert ms["target"] == "2026-02-06T23:30:00Z"
    assert ms["warnings"][0]["at"] == "2026-02-06T22:30:00Z"


def test_stopped_then_resumed(project):
    stops = [(at("2026-02-09T11:00Z"), at("2026-02-10T10:00Z"))]  # Mon 06:00 EST -> Tue 05:00 EST
    ms = by_name(doc(project, "Gold", "2026-02-06T16:30-05:00", stops=stops))
    # First Response: 30 used Friday; stopped all of Monday's hours; 210 from Tue 09:00 EST ->
    # 12:30 EST Tue = 17:30Z.
    assert ms["First Response"]["target"] == "2026-02-10T17:30:00Z"
    # Agent Assignment was due Friday 17:00, before the stop: unchanged. So is the 24/7 one (23:30Z Fri).
    assert ms["Agent Assignment"]["target"] == "2026-02-06T22:00:00Z"
    assert ms["Escalation Watch"]["target"] == "2026-02-06T23:30:00Z"
    # Resolution: Fri 30, Tue 480, Wed 480, Thu 02-12 09:00 + 450 = 16:30 EST = 21:30Z.
    assert ms["Resolution"]["target"] == "2026-02-12T21:30:00Z"


def test_budget_used_per_day(project):
    [tl] = sim.simulate(project, at("2026-02-06T16:30-05:00"), tier="Gold")
    resolution = {m.name: m for m in tl.milestones}["Resolution"]
    assert resolution.times.used_by_day == (
        (dt.date(2026, 2, 6), 30), (dt.date(2026, 2, 9), 480), (dt.date(2026, 2, 10), 480),
        (dt.date(2026, 2, 11), 450))
    assert resolution.time_zone == "America/New_York"


def test_dst_weekends_both_directions(project):
    # Fri 03-06 15:00 EST (20:00Z): 120 Friday, Mon 03-09 opens 09:00 EDT (13:00Z): + 120 = 15:00Z.
    assert by_name(doc(project, "Gold", "2026-03-06T15:00-05:00"))["First Response"]["target"] == \
        "2026-03-09T15:00:00Z"
    # Fri 10-30 15:00 EDT (19:00Z): 120 Friday, Mon 11-02 opens 09:00 EST (14:00Z): + 120 = 16:00Z.
    assert by_name(doc(project, "Gold", "2026-10-30T15:00-04:00"))["First Response"]["target"] == \
        "2026-11-02T16:00:00Z"


def test_thanksgiving_and_christmas_eve(project):
    # Wed 11-25 16:00 EST: 60 Wed, Thanksgiving Thu 11-26, Fri 09:00 + 180 = 12:00 EST = 17:00Z.
    assert by_name(doc(project, "Gold", "2026-11-25T16:00-05:00"))["First Response"]["target"] == \
        "2026-11-27T17:00:00Z"
    # Thu 12-24 12:00 EST: 60 until the 13:00 holiday afternoon, Christmas Fri, weekend, Mon 12-28
    # 09:00 + 180 = 12:00 EST = 17:00Z. Agent Assignment (30m): 12:30 EST = 17:30Z.
    ms = by_name(doc(project, "Gold", "2026-12-24T12:00-05:00"))
    assert ms["First Response"]["target"] == "2026-12-28T17:00:00Z"
    assert ms["Agent Assignment"]["target"] == "2026-12-24T17:30:00Z"


def test_tokyo_business_day_from_utc_input_and_criteria_start(project):
    d = doc(project, "Tokyo", "2026-02-09T23:30Z", criteria_at=at("2026-02-10T05:00Z"))
    ms = by_name(d)
    # 23:30Z Mon = 08:30 JST Tue (closed); 1bd = 540 min from 09:00 JST -> 18:00 JST = 09:00Z.
    # Start stays the real opening; 50% = 270 used -> 13:30 JST = 04:30Z.
    fr = ms["First Response"]
    assert fr["time_limit_minutes"] == 540
    assert (fr["start"], fr["target"]) == ("2026-02-09T23:30:00Z", "2026-02-10T09:00:00Z")
    assert fr["warnings"][0]["at"] == "2026-02-10T04:30:00Z"
    # start: criteria -> starts at the criteria time 05:00Z = 14:00 JST, + 120 = 16:00 JST = 07:00Z.
    assert (ms["Follow Up"]["start"], ms["Follow Up"]["target"]) == ("2026-02-10T05:00:00Z", "2026-02-10T07:00:00Z")
    # Without a criteria time it is assumed true at the opening: 09:00 + 120 = 11:00 JST = 02:00Z.
    [tl] = sim.simulate(project, at("2026-02-09T23:30Z"), tier="Tokyo")
    follow = tl.milestones[1]
    assert follow.assumed_criteria and follow.conditional
    assert sim.utc_z(follow.times.target) == "2026-02-10T02:00:00Z"


def test_tier_without_hours_runs_24x7(project):
    d = doc(project, "Anytime", "2026-02-07T10:00+01:00")
    # Saturday 09:00Z + 90 elapsed minutes = 10:30Z; no hours name.
    assert d["milestones"] == [{"name": "First Response", "business_hours": None, "time_limit_minutes": 90,
                                "start": "2026-02-07T09:00:00Z", "target": "2026-02-07T10:30:00Z",
                                "warnings": []}]


def test_every_tier_and_json_shape(project):
    docs = [sim.to_json(tl) for tl in sim.simulate(project, at("2026-02-06T16:30-05:00"))]
    assert [d["tier"] for d in docs] == ["Gold", "Tokyo", "Anytime"]
    for d in docs:
        assert set(d) == {"tier", "opened", "milestones", "conventions"}
        for m in d["milestones"]:
            assert set(m) == {"name", "business_hours", "time_limit_minutes", "start", "target", "warnings"}
            assert Z.match(m["start"]) and Z.match(m["target"])
            for w in m["warnings"]:
                assert set(w) == {"percent", "at", "time_length_minutes"} and Z.match(w["at"])
    assert docs[0]["conventions"]["boundary"] == "at_close"
    assert docs[0]["conventions"]["warning_time"] == "business"


def test_conventions_are_settings(project):
    settings = clock.Settings(boundary=clock.Boundary.NEXT_OPEN, warning_time=clock.WarningTime.WALL)
    d = doc(project, "Gold", "2026-02-06T16:30-05:00", settings=settings)
    aa = by_name(d)["Agent Assignment"]
    # next_open: the 30m budget ending at Friday's close is due Monday 09:00 EST = 14:00Z; the wall
    # warning is 8 elapsed minutes before that, Monday 08:52 EST = 13:52Z.
    assert aa["target"] == "2026-02-09T14:00:00Z"
    assert aa["warnings"][0]["at"] == "2026-02-09T13:52:00Z"
    assert d["conventions"]["boundary"] == "next_open" and d["conventions"]["warning_time"] == "wall"


def test_existing_hours_without_hours_are_refused():
    project = load_project(DATA / "simulate_existing.yml")
    with pytest.raises(SlakitError) as err:
        sim.simulate(project, at("2026-02-06T16:30Z"))
    assert "'Default'" in str(err.value) and "existing: true" in str(err.value)
    assert err.value.problem.file == project.source and err.value.exit_code == 1


def test_business_day_and_describe_limit(project):
    us, tokyo = project.business_hours["US Business Hours"], project.business_hours["Tokyo Business Hours"]
    assert sim.business_day_minutes(us) == 480 and sim.business_day_minutes(tokyo) == 540
    fr = project.tier("Gold").milestones[0]
    two_days = dataclasses.replace(fr, time_limit_text="2d", time_limit_minutes=2880)
    # 2d = 48h = 2,880 business minutes; on 09:00-17:00 (8h) days that is 6 business days.
    assert sim.describe_limit(two_days, us) == "2d = 2,880 business minutes = 6 business days of 8h"
    assert sim.describe_limit(two_days, None) == "2d = 2,880 business minutes = 2 days of 24h (24/7)"
    existing = load_project(DATA / "simulate_existing.yml").business_hours["Default"]
    with pytest.raises(SlakitError, match="Default"):
        sim.business_day_minutes(existing)


def test_parse_instant_names_the_zone_to_add(project):
    zones = sim.zones_for(project, "Gold")
    with pytest.raises(UsageError) as err:
        sim.parse_instant("2026-02-06T16:30", "--opened", zones)
    text = str(err.value)
    assert "no UTC offset" in text and "America/New_York" in text and "2026-02-06T16:30-05:00" in text
    assert err.value.exit_code == 2
    # In July New York is on EDT: the suggested offset follows the date.
    with pytest.raises(UsageError, match="2026-07-06T16:30-04:00"):
        sim.parse_instant("2026-07-06T16:30", "--opened", zones)
    with pytest.raises(UsageError, match="not an ISO-8601"):
        sim.parse_instant("Friday", "--opened", zones)
    assert sim.parse_instant("2026-02-09T11:00Z", "--stop") == dt.datetime(2026, 2, 9, 11, tzinfo=dt.timezone.utc)


def test_run_checks_stops_and_tier_names():
    with pytest.raises(UsageError, match="--resume"):
        sim.run(TIERS, opened="2026-02-06T16:30Z", stops=["2026-02-09T11:00Z"])
    with pytest.raises(UsageError, match="not after"):
        sim.run(TIERS, opened="2026-02-06T16:30Z", stops=["2026-02-09T11:00Z"], resumes=["2026-02-09T10:00Z"])
    with pytest.raises(UsageError) as err:
        sim.run(TIERS, opened="2026-02-06T16:30Z", tier="Silver")
    assert "Gold, Tokyo, Anytime" in str(err.value)


def test_applies_when_milestone_starts_at_the_criteria_time():
    """L2 Dwell (applies_when, no `start`) starts when L2_Assigned__c becomes true, as the rendered
    useCriteriaStartTime true makes the org do (issue 11 item 7)."""
    acceptance = load_project(Path(__file__).resolve().parents[1] / "data" / "acceptance.yml")
    # Gold opened Mon 10:00 EST; escalated Tue 14:00 EST (19:00Z): 3h Tuesday, Wed 09:00 + 3h = 12:00 EST.
    ms = by_name(doc(acceptance, "Gold", "2026-02-09T10:00-05:00", criteria_at=at("2026-02-10T14:00-05:00")))
    assert (ms["L2 Dwell"]["start"], ms["L2 Dwell"]["target"]) == ("2026-02-10T19:00:00Z", "2026-02-11T17:00:00Z")
    # First Response has no criteria: still from the opening, 10:00 + 4h = 14:00 EST = 19:00Z Monday
    assert ms["First Response"]["start"] == "2026-02-09T15:00:00Z"
    assert ms["First Response"]["target"] == "2026-02-09T19:00:00Z"
