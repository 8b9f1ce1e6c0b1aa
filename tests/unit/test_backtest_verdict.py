"""Pure parts of the backtest verdicts: criteria on replayed values, timelines, exit and actions."""

from __future__ import annotations

import datetime as dt

import pytest

from slakit.backtest.verdict import CaseFacts, first_holding, holds, replay
from slakit.config.project import Completion, Criterion, EmailAction, Milestone, TaskAction

UTC = dt.timezone.utc


def t(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hh, mm, tzinfo=UTC)


@pytest.mark.parametrize("op, expected, value, result", [
    ("equals", "true", True, True), ("equals", "true", None, False), ("equals", "TRUE", "true", True),
    ("notEqual", "true", False, True), ("equals", "2", 2.0, True), ("equals", "null", None, True),
    ("greaterThan", "10", "9", False), ("greaterThan", "10", "11", True), ("lessThan", "5", None, False),
    ("contains", "vip", "Big VIP account", True), ("notContain", "vip", "Big VIP", False),
    ("startsWith", "tier", "Tier 2", True), ("includes", "EMEA,APAC", "US;APAC", True),
    ("excludes", "EMEA", "US;APAC", True),
])
def test_criteria_compare_like_salesforce_filters(op, expected, value, result):
    assert holds(Criterion("Case.F__c", op, expected), value) is result


def _facts(**kw) -> CaseFacts:
    base = {"OwnerId": [(t(2, 9), "00G000000000001AAA")], "IsClosed": [(t(2, 9), False)]}
    return CaseFacts("500000000000001AAA", "1", t(2, 9), {**base, **kw.pop("timelines", {})}, **kw)


def _ms(**kw) -> Milestone:
    defaults = dict(name="First Response", api_name="First_Response", time_limit_minutes=60, time_limit_text="1h",
                    business_hours=None, recurrence="none", criteria=(), criteria_formula=None, start="process",
                    completes_when=Completion("first_response"), warnings=(50.0,),
                    on_warning=(EmailAction(recipients=("owner",)),),
                    on_violation=(EmailAction(recipients=("owner",)), TaskAction(subject="late")),
                    on_success=())
    return Milestone(**{**defaults, **kw})


def test_first_holding_walks_the_change_points():
    f = _facts(timelines={"A__c": [(t(2, 9), "x"), (t(2, 10), "y"), (t(2, 12), "x")]})
    assert first_holding(f, [("A__c", lambda v: v == "y")], t(2, 9)) == t(2, 10)
    assert first_holding(f, [("A__c", lambda v: v == "x")], t(2, 11)) == t(2, 12)
    assert first_holding(f, [("A__c", lambda v: v == "z")], t(2, 9)) is None


def test_24x7_response_late_fires_warning_violation_email_and_task():
    v = replay(_facts(responses=[t(2, 10, 30)]), _ms(), None, t(9, 0))
    assert (v.outcome, v.minutes, v.target, v.warnings_fired, v.violation_fired) == ("missed", 90, t(2, 10), 1, True)


def test_a_close_before_the_target_exits_without_firing():
    f = _facts(timelines={"IsClosed": [(t(2, 9), False), (t(2, 9, 20), True)]})
    v = replay(f, _ms(), None, t(9, 0))
    assert (v.outcome, v.warnings_fired, v.violation_fired) == ("exited", 0, False)  # 50% warning at 09:30


def test_unseen_field_history_makes_the_verdict_unknown():
    ms = _ms(completes_when=Completion("fields", (Criterion("Case.Done__c", "equals", "true"),)))
    v = replay(_facts(unseen=frozenset({"Done__c"})), ms, None, t(9, 0))
    assert v.outcome == "unknown" and "Done__c" in v.reason
    assert replay(_facts(), _ms(criteria_formula="ISPICKVAL(Priority, 'High')"), None, t(9, 0)).outcome == "unknown"


def test_a_pause_moves_the_target_and_is_not_counted():
    v = replay(_facts(responses=[t(3, 9, 30)], stops=[(t(2, 9, 30), t(3, 9))]), _ms(), None, t(9, 0))
    # 30 minutes before the stop, 30 after the resume: due 09:30 the next day, answered then: 60 minutes
    assert (v.outcome, v.target, v.minutes) == ("met", t(3, 9, 30), 60)


@pytest.mark.parametrize("recurrence, occurrences", [("none", 1), ("independent", 2), ("sequential", 2)])
def test_only_recurring_milestones_start_again_when_their_criteria_hold_again(recurrence, occurrences):
    from slakit.backtest.verdict import replay_all

    crit = (Criterion("Case.L2__c", "equals", "true"),)
    ms = _ms(criteria=crit, recurrence=recurrence,
             completes_when=Completion("fields", (Criterion("Case.L2__c", "equals", "false"),)))
    f = _facts(timelines={"L2__c": [(t(2, 9), False), (t(2, 10), True), (t(2, 10, 30), False), (t(2, 12), True)]})
    found = replay_all(f, ms, None, t(9, 0))
    assert [v.start for v in found] == [t(2, 10), t(2, 12)][:occurrences]
    assert found[0].outcome == "met" and found[0].minutes == 30
