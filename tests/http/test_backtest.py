"""`run_backtest` through simple-salesforce against the fake org's case histories.

The cases are built by tests/fakes/backtest_org.py `scenario()`; the verdicts below are worked out
by hand from the tiers in tests/data/backtest-tiers.yml (09:00-17:00 New York, EST = UTC-5, a
holiday on Mon 2026-02-16; a budget that ends exactly at closing is due at the close). The period
is 2026-02-01T00:00Z to the fake's now, Mon 2026-03-02 15:00Z (10:00 in New York).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from slakit.backtest import run_backtest
from slakit.config import load_project
from tests.fakes.backtest_org import FakeBulkQuery, scenario

DATA = Path(__file__).resolve().parent.parent / "data"
SINCE = dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)
NY = dt.timezone(dt.timedelta(hours=-5))


def ny(day: int, hh: int, mm: int = 0, month: int = 2) -> dt.datetime:
    return dt.datetime(2026, month, day, hh, mm, tzinfo=NY)


@pytest.fixture
def cases(fake_org):
    return scenario(fake_org)


def _run(fake_org, sf, cases, **kw):
    label = {v: k for k, v in cases.items()}
    verdicts: dict[tuple[str, str], object] = {}

    def seen(source, tier, case, v):
        verdicts[(label[case["Id"]], v.milestone)] = v

    project = load_project(DATA / "backtest-tiers.yml")
    result = run_backtest(project, sf, since=SINCE, until=fake_org.now(), on_verdict=seen, **kw)
    return result, verdicts


def _short(v):
    return (v.outcome, v.minutes, v.warnings_fired, v.violation_fired)


def test_per_case_verdicts(fake_org, sf, cases):
    result, v = _run(fake_org, sf, cases)
    # A opened Fri 16:30 NY. First Response 4h: 30 min Friday, Monday 09:00 + 3h30 -> Mon 12:30.
    # Email Mon 11:00: met in 30 + 120 = 150 min; the 50% warning (120 min used = Mon 10:30) fired,
    # 75% (Mon 11:30) did not.
    assert v["A", "First Response"].target == ny(9, 12, 30)
    assert _short(v["A", "First Response"]) == ("met", 150, 1, False)
    # Agent Assignment 30m: the budget ends exactly at Friday's close -> due Fri 17:00. Assigned Mon
    # 09:20: missed, 30 + 20 = 50 min; 75% warning (8 min before, Fri 16:52) and violation fired.
    assert v["A", "Agent Assignment"].target == ny(6, 17)
    assert _short(v["A", "Agent Assignment"]) == ("missed", 50, 1, True)
    # Resolution 3bd = 1,440 min: Fri 30 + Mon 480 + Tue 480 + Wed 450 -> Wed 16:30; closed Tue
    # 10:00 = 30 + 480 + 60 = 570 min.
    assert v["A", "Resolution"].target == ny(11, 16, 30)
    assert _short(v["A", "Resolution"]) == ("met", 570, 0, False)
    # B opened Fri 02-13 16:00; Monday is the holiday: 60 min Friday + Tue 09:00-12:00 -> Tue 12:00.
    # Email Tue 11:10: met in 60 + 130 = 190 (without the holiday it was due Mon 12:00: missed).
    # Warnings 50% (Tue 10:00) and 75% (Tue 11:00) fired.
    assert v["B", "First Response"].target == ny(17, 12)
    assert _short(v["B", "First Response"]) == ("met", 190, 2, False)
    assert _short(v["B", "Agent Assignment"]) == ("met", 0, 0, False)  # created owned by an agent
    # Resolution: Fri 60 + Tue 480 + Wed 480 + Thu 420 -> Thu 16:00; closed Wed 15:00 = 900 min.
    assert _short(v["B", "Resolution"]) == ("met", 900, 1, False)
    # C opened Mon 02-23 09:00, stopped 10:00 to Tue 10:00: 60 min Monday, then Tue 10:00 + 3h -> Tue
    # 13:00 (without the pause: Mon 13:00). Email Tue 12:30: 210 business minutes outside the pause.
    assert v["C", "First Response"].target == ny(24, 13)
    assert _short(v["C", "First Response"]) == ("met", 210, 2, False)
    assert _short(v["C", "Agent Assignment"]) == ("missed", None, 1, True)  # queue-owned throughout
    # Resolution, still open: Mon 60 + Tue 420 + Wed 480 + Thu 480 -> Thu 02-26 17:00, long passed.
    assert v["C", "Resolution"].target == ny(26, 17)
    assert _short(v["C", "Resolution"]) == ("missed", None, 3, True)
    # D: only the public agent comment at 09:30 counts (not the incoming email, the customer's or the
    # private comment). Closed 10:00, reopened 11:00, closed Thu 15:00: Resolution completes at the
    # first close, 60 min (its ClosedDate alone would say 840).
    assert _short(v["D", "First Response"]) == ("met", 30, 0, False)
    assert _short(v["D", "Resolution"]) == ("met", 60, 0, False)
    # E: L2 Dwell starts when L2_Assigned__c turns true (Mon 11:00), 6h -> due at Monday's close
    # 17:00; false at 16:00: met in 300 min (from the opening it was due 15:00: missed). Warnings
    # 50% (14:00) and 75% (15:30) fired, 90% (16:24) did not.
    assert v["E", "L2 Dwell"].start == ny(23, 11) and v["E", "L2 Dwell"].target == ny(23, 17)
    assert _short(v["E", "L2 Dwell"]) == ("met", 300, 2, False)
    # E never got a response; due Mon 13:00, closed Tue 10:00: missed, every warning and the violation.
    assert _short(v["E", "First Response"]) == ("missed", None, 3, True)
    assert ("A", "L2 Dwell") not in v  # criteria never held: the milestone does not apply
    # G opened 09:40 on the last morning: nothing is due before 10:00.
    assert [v["G", m].outcome for m in ("First Response", "Agent Assignment", "Resolution")] == ["open"] * 3
    # H closed at 10:00 before its 13:00 First Response target: the process exited, nothing judged.
    assert _short(v["H", "First Response"]) == ("exited", None, 0, False)
    # Standard 1bd = 480 min: Thu 10:00 -> Fri 10:00; email Fri 09:30 = 450 min; all 3 warnings fired.
    assert _short(v["S", "First Response"]) == ("met", 450, 3, False)
    assert not any(k[0] in ("N", "J") for k in v)  # no tier / before the period
    assert result.cases_read == 8 and result.unseen == []


def test_groups_actions_and_recorded_side_by_side(fake_org, sf, cases):
    result, _ = _run(fake_org, sf, cases)
    doc = result.as_dict()["proposals"][0]
    groups = {(g["tier"], g["milestone"]): g for g in doc["groups"]}
    fr = groups["Gold", "First Response"]
    # met A 150, B 190, C 210, D 30; missed E; open G; exited H. Sorted 30 150 190 210: median = 2nd
    # (nearest rank) = 150, p90 = 4th = 210; % met = 4 / 5.
    assert {k: fr[k] for k in ("cases", "met", "missed", "open", "exited", "pct_met", "median_minutes",
                               "p90_minutes")} == {"cases": 7, "met": 4, "missed": 1, "open": 1, "exited": 1,
                                                    "pct_met": 80.0, "median_minutes": 150, "p90_minutes": 210}
    # warnings fired: A 1 + B 2 + C 2 + E 3 = 8 emails; one violation (E): one email, one field update
    assert fr["actions"] == {"warning_emails": 8, "warning_tasks": 0, "warning_updates": 0,
                             "violation_emails": 1, "violation_tasks": 0, "violation_updates": 1}
    # the org recorded A's First Response (met, 150 business minutes) and C's Agent Assignment (violated)
    assert fr["recorded"]["count"] == 1 and fr["recorded"]["met"] == 1 and fr["recorded"]["median_minutes"] == 150
    aa = groups["Gold", "Agent Assignment"]
    assert (aa["met"], aa["missed"], aa["open"], aa["median_minutes"], aa["p90_minutes"]) == (4, 2, 1, 0, 50)
    assert (aa["recorded"]["violated"], aa["recorded"]["pct_met"]) == (1, 0.0)
    res = groups["Gold", "Resolution"]  # 60 60 540 570 900: median 540, p90 900
    assert (res["met"], res["missed"], res["median_minutes"], res["p90_minutes"]) == (5, 1, 540, 900)
    week = {(w["tier"], w["milestone"], w["week"]): w for w in doc["weekly"]}
    assert (week["Gold", "First Response", "2026-02-23"]["met"],
            week["Gold", "First Response", "2026-02-23"]["missed"]) == (2, 1)  # C, D met; E missed
    assert doc["cases"] == {"Gold": 7, "Standard": 1}


def _queries(sf) -> list[str]:
    seen: list[str] = []
    sf.session.hooks.setdefault("response", []).append(
        lambda r, *a, **k: seen.append((parse_qs(urlparse(r.request.url).query).get("q") or [""])[0]))
    return seen


def test_histories_are_read_per_page_not_per_case(fake_org, sf, cases):
    fake_org.page_size = 3  # Gold's 7 cases come in 3 pages
    queries = _queries(sf)
    _run(fake_org, sf, cases)
    count = {obj: sum(f"FROM {obj} WHERE" in q and "IN (" in q for q in queries)
             for obj in ("EmailMessage", "CaseComment", "CaseHistory", "CaseMilestone")}
    # 3 Gold pages + 1 Standard page; CaseHistory also probed once per field (Owner, L2_Assigned__c,
    # Status, IsStopped), whatever the number of cases
    assert count == {"EmailMessage": 4, "CaseComment": 4, "CaseHistory": 4 + 4, "CaseMilestone": 4}


def test_bulk_query_gives_the_same_verdicts(fake_org, sf, cases):
    _, rest = _run(fake_org, sf, cases)
    FakeBulkQuery(fake_org)
    before = fake_org.count("bulk")
    result, bulk = _run(fake_org, sf, cases, bulk="always", sleep=lambda s: None)
    assert {k: _short(v) for k, v in bulk.items()} == {k: _short(v) for k, v in rest.items()}
    assert set(result.modes.values()) == {"bulk"}
    # per tier: create, 2 polls (InProgress, JobComplete), one results set
    assert fake_org.count("bulk") - before == 2 * 4


def test_auto_switches_to_bulk_above_the_threshold(fake_org, sf, cases):
    FakeBulkQuery(fake_org)
    result, _ = _run(fake_org, sf, cases, bulk_threshold=5, sleep=lambda s: None)
    assert result.modes == {f"{DATA / 'backtest-tiers.yml'} / Gold": "bulk",
                            f"{DATA / 'backtest-tiers.yml'} / Standard": "rest"}


def test_compare_and_events_that_cannot_be_seen(fake_org, sf, cases):
    fake_org.insert("Case", {"AccountId": fake_org.get_record(cases["A"])["AccountId"], "Priority": "High",
                             "CreatedDate": "2026-02-20T15:00:00.000+0000", "OwnerId": cases["queue"],
                             "Status": "New"})
    project = load_project(DATA / "backtest-tiers.yml")
    other = load_project(DATA / "backtest-other.yml")
    result = run_backtest(project, sf, since=SINCE, until=fake_org.now(), compare=other)
    assert [p.source for p in result.proposals] == [project.source, other.source]
    groups = {(g["tier"], g["milestone"]): g for g in result.proposals[1].as_dict()["groups"]}
    fr = groups["Gold", "First Response"]
    # 2h: A due Mon 10:30 (email 11:00), B Tue 10:00 (11:10), C Tue 11:00 (12:30), E Mon 11:00 (none):
    # missed; D met (30 min); H exited (closed 10:00 before its 11:00 target); G and the new case
    # (Fri 02-20 10:00, no response, due 12:00) -> G open, the new one missed.
    assert (fr["met"], fr["missed"], fr["open"], fr["exited"]) == (1, 5, 1, 1)
    # Priority has no CaseHistory row: where it might apply, the verdict is unknown
    review = groups["Gold", "High Priority Review"]
    assert review["unknown"] == 8 and review["met"] == review["missed"] == 0
    assert any("Case.Priority" in u and "not tracked" in u for u in result.unseen)
    assert result.proposals[1].as_dict()["unknown"][0]["what"].startswith("Gold / High Priority Review: no history")


def test_tier_from_entitlement(fake_org, sf, cases):
    proc = fake_org.insert("SlaProcess", {"Name": "Gold", "IsActive": True, "IsVersionDefault": True,
                                          "VersionNumber": 1, "SObjectType": "Case"})
    ent = fake_org.insert("Entitlement", {"Name": "Gold Support", "AccountId": fake_org.get_record(cases["S"])[
        "AccountId"], "SlaProcessId": proc, "StartDate": "2026-01-01"})
    fake_org.records["Case"][cases["S"]]["EntitlementId"] = ent  # a Standard account's case that had Gold
    _, v = _run(fake_org, sf, cases, tier_from="entitlement")
    assert {k[0] for k in v} == {"S"}
    # Gold's 4h from Thu 10:00: Thu 14:00; email Fri 09:30 -> missed after 450 business minutes
    assert _short(v["S", "First Response"]) == ("missed", 450, 3, True)


def test_bad_options_fail_before_reading(fake_org, sf, cases):
    from slakit.errors import UsageError

    project = load_project(DATA / "backtest-tiers.yml")
    with pytest.raises(UsageError, match="tier-from"):
        run_backtest(project, sf, since=SINCE, until=fake_org.now(), tier_from="owner")
    with pytest.raises(UsageError, match="empty"):
        run_backtest(project, sf, since=fake_org.now(), until=SINCE)
    assert fake_org.count("query") == 0


def test_without_entitlement_management_the_replay_still_runs(rsps):
    from slakit.errors import OrgError
    from tests.fakes import FakeOrg

    org = FakeOrg(entitlements=False).install(rsps)
    cases = scenario(org)
    sf = org.client()
    queries = _queries(sf)
    result, v = _run(org, sf, cases)
    assert _short(v["A", "First Response"]) == ("met", 150, 1, False)
    assert all(g.recorded.count == 0 for g in result.proposals[0].groups.values())
    assert not any("FROM CaseMilestone" in q for q in queries)  # nothing recorded to read
    with pytest.raises(OrgError, match="Entitlement Management is not enabled"):
        _run(org, sf, cases, tier_from="entitlement")


def test_an_owner_change_stamped_at_creation_is_the_initial_owner(fake_org, sf, cases):
    from tests.fakes.backtest_org import BacktestOrg

    bt = BacktestOrg.on(fake_org, cases)
    account = fake_org.get_record(cases["A"])["AccountId"]
    # created Mon 02-23 09:00 NY by an agent, an assignment rule moves it to the queue in the same
    # save (history stamped at the creation), an agent takes it at 09:20: Agent Assignment met in 20
    cases["R"] = bt.case(account, "2026-02-23T14:00:00.000+0000", owner=bt.agent)
    bt.change(cases["R"], "Owner", bt.agent, bt.queue, "2026-02-23T14:00:00.000+0000")
    bt.change(cases["R"], "Owner", bt.queue, bt.agent, "2026-02-23T14:20:00.000+0000")
    _, v = _run(fake_org, sf, cases)
    assert _short(v["R", "Agent Assignment"]) == ("met", 20, 0, False)


def test_a_failed_bulk_query_job_is_one_org_error(fake_org, sf, cases):
    from slakit.errors import OrgError

    bulk = FakeBulkQuery(fake_org)
    bulk.fail_next_job = True
    with pytest.raises(OrgError, match="ended Failed: Query timed out") as err:
        _run(fake_org, sf, cases, bulk="always", sleep=lambda s: None)
    assert "--bulk never" in (err.value.problem.hint or "")


def test_5xx_on_reads_is_retried_and_the_daily_limit_is_one_error(fake_org, sf, cases):
    from slakit.errors import OrgError

    _, plain = _run(fake_org, sf, cases)
    fake_org.fail_next(2, "SERVER_ERROR", kinds=("query",))
    _, retried = _run(fake_org, sf, cases, sleep=lambda s: None)
    assert {k: _short(v) for k, v in retried.items()} == {k: _short(v) for k, v in plain.items()}
    fake_org.fail_next(1, "REQUEST_LIMIT_EXCEEDED", kinds=("query",))
    with pytest.raises(OrgError, match="daily API request limit"):
        _run(fake_org, sf, cases, sleep=lambda s: None)


def test_an_independent_milestone_recurs_each_time_its_criteria_hold_again(fake_org, sf, cases):
    from tests.fakes.backtest_org import BacktestOrg

    bt = BacktestOrg.on(fake_org, cases)
    account = fake_org.get_record(cases["A"])["AccountId"]
    cases["L"] = bt.case(account, "2026-02-23T14:00:00.000+0000", L2_Assigned__c=False)  # Mon 09:00 NY
    for old, new, at in ((False, True, "15:00"), (True, False, "16:00"), (False, True, "18:00")):
        bt.change(cases["L"], "L2_Assigned__c", old, new, f"2026-02-23T{at}:00.000+0000")
    bt.change(cases["L"], "L2_Assigned__c", True, False, "2026-02-24T17:00:00.000+0000")
    seen = []
    project = load_project(DATA / "backtest-tiers.yml")
    run_backtest(project, sf, since=SINCE, until=fake_org.now(),
                 on_verdict=lambda f, t, case, v: seen.append(v) if case["Id"] == cases["L"]
                 and v.milestone == "L2 Dwell" else None)
    # 1st: L2 10:00-11:00 NY, met in 60. 2nd: L2 again at 13:00, 6h = Mon 13-17 (240) + Tue 09-11
    # (120) -> Tue 11:00; back at Tue 12:00: missed after 240 + 180 = 420 minutes, all three warnings
    # (Mon 16:00, Tue 09:30, Tue 10:24) and the violation (its action is a task) fired.
    assert [(v.start, v.target, v.outcome, v.minutes, v.warnings_fired, v.violation_fired) for v in seen] == [
        (ny(23, 10), ny(23, 16), "met", 60, 0, False),
        (ny(23, 13), ny(24, 11), "missed", 420, 3, True)]
