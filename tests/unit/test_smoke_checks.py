"""Verdicts from observed rows: targets against the clock, stamping, milestone counts, completions,
violations. Expected instants are worked out by hand (24/7 hours: start + limit)."""

from __future__ import annotations

import datetime as dt

from slakit.smoke import checks as C
from slakit.smoke.scenarios import MilestonePlan, Step

UTC = dt.timezone.utc
START = dt.datetime(2026, 3, 2, 15, 0, 20, tzinfo=UTC)
MP = MilestonePlan("First Response", "First Response Smoke", 20, True, None, "first_response")


def row(target=None, done=None, violated=False, hours="01m5g0000000001AAA", name="First Response Smoke"):
    return {"MilestoneType": {"Name": name}, "TargetDate": target, "CompletionDate": done, "IsViolated": violated,
            "BusinessHoursId": hours}


def test_prediction_is_start_plus_limit_on_24x7_hours_floored_to_the_minute():
    # the clock ignores precision below a minute: 15:00:20 counts from 15:00
    assert C.predict_target(START, 20) == dt.datetime(2026, 3, 2, 15, 20, tzinfo=UTC)
    assert C.predict_target(dt.datetime(2026, 3, 7, 23, 50, tzinfo=UTC), 20) == dt.datetime(2026, 3, 8, 0, 10, tzinfo=UTC)


def test_target_within_sixty_seconds_passes():
    c = C.check_target("Gold", MP, {"complete": row("2026-03-02T15:20:45.000+0000")}, {"complete": START})
    assert c.status == "pass" and "+45s" in c.observed


def test_target_mismatch_reports_both_values():
    c = C.check_target("Gold", MP, {"complete": row("2026-03-02T23:00:00.000+0000"),
                                    "alone": row("2026-03-02T15:20:00.000+0000")},
                       {"complete": START, "alone": START})
    assert c.status == "fail"
    assert "2026-03-02 15:20:00Z" in c.expected
    assert "2026-03-02 23:00:00Z" in c.observed and "+27600s" in c.observed
    assert "complete" in c.message and "alone" not in c.message


def test_missing_milestone_fails_the_target_check():
    c = C.check_target("Gold", MP, {"complete": None}, {"complete": START})
    assert c.status == "fail" and "no CaseMilestone" in c.observed


def test_stamping_compares_15_char_ids():
    ent = "5505g0000000001AAA"
    ok = C.check_stamped("Gold", {"complete": {"EntitlementId": ent[:15]}, "alone": {"EntitlementId": ent}}, ent)
    bad = C.check_stamped("Gold", {"complete": {"EntitlementId": None}, "alone": {"EntitlementId": ent}}, ent)
    assert ok.status == "pass"
    assert bad.status == "fail" and "complete case: blank" in bad.observed


def test_created_flags_missing_and_duplicated_types():
    rows = {"complete": [row(name="A"), row(name="A")], "alone": [row(name="A"), row(name="B")]}
    c = C.check_created("Gold", ["A", "B"], [], rows)
    assert c.status == "fail"
    assert "complete case: missing B; duplicated A" in c.message
    assert "alone" not in c.message
    ok = C.check_created("Gold", ["A"], ["X"], {"complete": [row(name="A"), row(name="X")]})
    assert ok.status == "pass"  # unknown types may or may not appear


def test_business_hours_must_be_the_smoke_24x7_record():
    good = C.check_hours("Gold", MP, {"complete": row()}, "01m5g0000000001AAA")
    wrong = C.check_hours("Gold", MP, {"complete": row(hours="01m5g0000000009AAA")}, "01m5g0000000001AAA")
    missing = C.check_hours("Gold", MP, {"complete": row()}, None)
    assert (good.status, wrong.status, missing.status) == ("pass", "fail", "fail")


def test_completion_needs_a_date_and_no_violation_and_was_open_before():
    step = Step("first_response", ("First Response Smoke",))
    done = row("2026-03-02T15:20:00.000+0000", "2026-03-02T15:03:00.000+0000")
    assert C.check_completed("Gold", MP, step, done, before=row()).status == "pass"
    open_ = C.check_completed("Gold", MP, step, row(), before=row())
    assert open_.status == "fail" and "CompletionDate none" in open_.observed
    late = C.check_completed("Gold", MP, step, {**done, "IsViolated": True}, before=row())
    assert late.status == "fail"
    early = C.check_completed("Gold", MP, step, done, before=done)
    assert early.status == "fail" and "already complete" in early.message


def test_violation_must_follow_the_clock():
    at = dt.datetime(2026, 3, 2, 15, 22, tzinfo=UTC)
    before, after = row(violated=False), row("2026-03-02T15:20:00.000+0000", violated=True)
    assert C.check_violated("Gold", MP, before, after, at).status == "pass"
    still = C.check_violated("Gold", MP, before, row("2026-03-02T15:20:00.000+0000"), at)
    assert still.status == "fail" and "still not violated" in still.message
    early = C.check_violated("Gold", MP, row(violated=True), after, at)
    assert early.status == "fail"
