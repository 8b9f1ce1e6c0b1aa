"""Pure parts of the backfill: dates, tier precedence SOQL, version choice, retry policy,
journal reading, Bulk error text. Expected values come from the documented rules."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from slakit.backfill.bulk import split_error
from slakit.backfill.journal import ErrorCsv, Journal, read_journal
from slakit.backfill.plan import add_term, end_date
from slakit.config.select import tier_where
from slakit.org.processes import of_row, pick_version
from slakit.backfill.retry import RetryPolicy, Stop, call_kind


@pytest.mark.parametrize("start, amount, unit, expected", [
    (dt.date(2026, 3, 2), 12, "months", dt.date(2027, 3, 1)),   # inclusive last day
    (dt.date(2026, 1, 31), 1, "months", dt.date(2026, 2, 27)),  # Feb 28 clamp, minus a day
    (dt.date(2024, 2, 29), 1, "years", dt.date(2025, 2, 27)),   # no Feb 29 in 2025: clamp to 28
    (dt.date(2026, 3, 2), 30, "days", dt.date(2026, 3, 31)),
])
def test_end_date(start, amount, unit, expected):
    assert end_date(start, amount, unit) == expected


def test_open_ended_and_add_term():
    assert end_date(dt.date(2026, 3, 2), None, None) is None
    assert add_term(dt.date(2026, 11, 30), 3, "months") == dt.date(2027, 2, 28)


def test_first_matching_tier_wins_in_the_where_clause():
    clauses = ["A = 1", None, "B = 2 OR C = 3", "D = 4"]
    assert tier_where(clauses, 0) == "(A = 1)"
    assert tier_where(clauses, 1) is None
    assert tier_where(clauses, 2) == "(B = 2 OR C = 3) AND (NOT (A = 1))"
    assert tier_where(clauses, 3) == "(D = 4) AND (NOT (A = 1)) AND (NOT (B = 2 OR C = 3))"


def test_pick_version_prefers_the_active_default():
    rows = [of_row(r) for r in ({"Id": "1", "Name": "Gold", "IsActive": True, "IsVersionDefault": False, "VersionNumber": 3},
                                {"Id": "2", "Name": "Gold", "IsActive": True, "IsVersionDefault": True, "VersionNumber": 2},
                                {"Id": "3", "Name": "Gold", "IsActive": False, "IsVersionDefault": False, "VersionNumber": 4})]
    assert pick_version(rows).id == "2"
    assert pick_version([r for r in rows if r.id != "2"]).id == "1"  # newest active
    assert pick_version([rows[2]]) is None


def test_retry_policy_backs_off_and_gives_up_with_stop():
    slept: list[float] = []
    policy = RetryPolicy(attempts=4, sleep=slept.append)
    assert [policy.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    import requests

    def always_times_out():
        raise requests.exceptions.ConnectTimeout("slow")
    with pytest.raises(Stop, match="after 4 attempts"):
        policy.call(always_times_out)
    assert slept == [1, 2, 4]

    def bug():
        raise ValueError("not retryable")
    with pytest.raises(ValueError):
        policy.call(bug)


def test_call_kinds():
    base = "https://x.my.salesforce.com/services/data/v62.0/"
    assert call_kind("GET", base + "query/?q=SELECT") == "query"
    assert call_kind("POST", base + "composite/sobjects") == "collection_create"
    assert call_kind("DELETE", base + "composite/sobjects?ids=1") == "collection_delete"
    assert call_kind("PUT", base + "jobs/ingest/750/batches") == "bulk"
    assert call_kind("GET", base + "sobjects/Entitlement/describe") == "describe"


def test_journal_lines_survive_a_torn_last_write(tmp_path):
    path = tmp_path / "run.jsonl"
    with Journal(path) as j:
        j.write("start", org={"Id": "00D"})
        j.write("created", ids=["550A", "550B"])
    with open(path, "a") as fh:
        fh.write('{"event": "created", "ids": ["550')  # the crash
    assert [e["event"] for e in read_journal(path)] == ["start", "created"]
    assert json.loads(path.read_text().splitlines()[1])["ids"] == ["550A", "550B"]


def test_error_csv_is_only_written_when_something_failed(tmp_path):
    csvf = ErrorCsv(tmp_path / "e.csv", ("Name", "AccountId"))
    assert csvf.written is None and not (tmp_path / "e.csv").exists()
    csvf.add({"Name": 'Gold "Care"', "AccountId": "001"}, "DUPLICATE_VALUE", "duplicate value found")
    csvf.close()
    assert (tmp_path / "e.csv").read_text().splitlines() == [
        '"NAME","ACCOUNTID","ERROR"', '"Gold ""Care""","001","DUPLICATE_VALUE:duplicate value found"']


@pytest.mark.parametrize("text, expected", [
    ("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --",
     ("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name] [Name]")),
    ("UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--",
     ("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record")),
    ("something else", (None, "something else")),
])
def test_bulk_error_text(text, expected):
    assert split_error(text) == expected
