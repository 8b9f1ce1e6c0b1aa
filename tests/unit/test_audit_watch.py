"""The `--watch` refresh loop (slakit.audit.watch): timing only, driven with an injected sleep."""

from __future__ import annotations

import pytest

from slakit.audit.watch import watch
from slakit.errors import OrgError


def test_bounded_refreshes_read_each_time_and_sleep_between():
    reads, shown, slept = iter([1, 2, 3]), [], []
    result = watch(lambda: next(reads), shown.append, every=60, sleep=slept.append, max_refreshes=3)
    assert shown == [1, 2, 3] and slept == [60, 60]
    assert (result.refreshes, result.errors, result.interrupted) == (3, 0, False)


def test_ctrl_c_while_waiting_ends_cleanly():
    shown = []

    def sleep(seconds):
        if shown == ["a", "b"]:
            raise KeyboardInterrupt

    views = iter("abc")
    result = watch(lambda: next(views), shown.append, every=10, sleep=sleep)
    assert shown == ["a", "b"] and result.interrupted and result.refreshes == 2


def test_ctrl_c_while_reading_ends_cleanly():
    calls = []

    def produce():
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return "view"

    result = watch(produce, lambda v: None, every=10, sleep=lambda s: None)
    assert result.interrupted and result.refreshes == 1


def test_a_failed_refresh_is_reported_and_the_loop_goes_on():
    answers = iter(["v1", OrgError("query failed: SERVER_ERROR"), "v3"])

    def produce():
        a = next(answers)
        if isinstance(a, Exception):
            raise a
        return a

    shown, errors = [], []
    result = watch(produce, shown.append, every=5, sleep=lambda s: None, max_refreshes=3, on_error=errors.append)
    assert shown == ["v1", "v3"] and [e.message for e in errors] == ["query failed: SERVER_ERROR"]
    assert (result.refreshes, result.errors) == (2, 1)


def test_the_first_read_must_succeed():
    def produce():
        raise OrgError("no org named 'nowhere'")

    with pytest.raises(OrgError):
        watch(produce, lambda v: None, every=5, sleep=lambda s: None)


def test_every_must_be_positive():
    with pytest.raises(ValueError):
        watch(lambda: 1, lambda v: None, every=0)
