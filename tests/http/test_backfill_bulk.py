"""The Bulk API 2.0 path of `run_backfill` and `undo`, against the fake org's ingest jobs."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from slakit.backfill import run_backfill, undo
from slakit.backfill.options import BackfillOptions
from slakit.backfill.apply import choose_mode
from slakit.config import load_project
from tests.fakes.bulk import TIERS_YML, FakeBulk, seed_accounts, seed_processes
from tests.http.test_backfill import options

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "tiers.yml"
    path.write_text(TIERS_YML)
    return load_project(path)


@pytest.fixture
def bulk(fake_org):
    return FakeBulk(fake_org)


def run(project, sf, tmp_path, **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("sleep", lambda s: None)
    opts, kw = options(project, journal_dir=tmp_path / "journal", **kw)
    return run_backfill(project, sf, opts, **kw)


def events(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def bulk_calls(org) -> list[tuple[str, str]]:
    return [(c.method, c.path.split("/jobs/ingest")[1]) for c in org.calls if c.kind == "bulk"]


def test_auto_mode_threshold():
    assert choose_mode("auto", 2000) == "collections"
    assert choose_mode("auto", 2001) == "bulk"
    assert choose_mode("never", 10**6) == "collections"
    assert choose_mode("always", 1) == "bulk"
    assert choose_mode("always", 0) == "none"


def test_bulk_job_lifecycle_with_failed_rows_and_lock_retry(fake_org, sf, bulk, project, tmp_path):
    ids = seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 3, "Gold": 2, None: 1})
    bad = accts["Gold"][1]
    fake_org.validators["Entitlement"].append(
        lambda org, rec, op: [{"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "On hold",
                               "fields": ["AccountId"]}] if rec.get("AccountId") == bad else [])
    bulk.polls_before_complete = 2
    bulk.lock_rows = 2  # the first two rows fail UNABLE_TO_LOCK_ROW and go into a second job
    slept: list[float] = []

    report = run(project, sf, tmp_path, bulk="always", sleep=slept.append)

    assert report.mode == "bulk"
    by = {t.name: t for t in report.tiers}
    assert (by["Platinum"].created, by["Gold"].created, by["Gold"].failed, by["Standard"].created) == (3, 1, 1, 1)
    assert len(fake_org.records["Entitlement"]) == 5
    gold = [r for r in fake_org.records["Entitlement"].values() if r["AccountId"] == accts["Gold"][0]][0]
    assert gold["SlaProcessId"] == ids["Gold"] and gold["BusinessHoursId"] == ids["hours"]
    assert gold["EndDate"] == "2027-03-01" and gold["Name"] == "Gold Care"
    # two jobs: create, upload, close, poll x3 (InProgress twice), results; then the lock retry job
    calls = bulk_calls(fake_org)
    assert [m for m, _ in calls].count("POST") == 2
    assert sum(1 for m, p in calls if m == "PUT" and p.endswith("/batches")) == 2
    assert sum(1 for m, p in calls if m == "GET" and p.endswith("successfulResults")) == 2
    # job 1 answers InProgress twice (waits 1 s, 1.5 s), the lock retry backs off 1 s, job 2 likewise
    assert slept == [1.0, 1.5, 1.0, 1.0, 1.5]
    journal = events(report.journal)
    jobs = [e["job"] for e in journal if e["event"] == "bulk_job"]
    done = [e["job"] for e in journal if e["event"] == "bulk_done"]
    assert len(jobs) == 2 and jobs == done
    created = [i for e in journal if e["event"] == "created" for i in e["ids"]]
    assert sorted(created) == sorted(fake_org.records["Entitlement"])
    with open(report.errors_csv, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["ACCOUNTID"], r["ERROR"]) for r in rows] == [(bad, "FIELD_CUSTOM_VALIDATION_EXCEPTION:On hold [AccountId]")]


def test_bulk_undo_uses_a_delete_job_and_rerun_is_idempotent(fake_org, sf, bulk, project, tmp_path):
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 4})
    report = run(project, sf, tmp_path, bulk="always")
    assert report.totals()["created"] == 4
    again = run(project, sf, tmp_path, bulk="always")
    assert again.totals()["planned"] == 0 and again.mode == "none"
    posts_before = len([c for c in bulk_calls(fake_org) if c[0] == "POST"])
    result = undo(BackfillOptions(undo=Path(report.journal), bulk="always"), sf, sleep=lambda s: None)
    assert result.ok and result.deleted == 4 and fake_org.records["Entitlement"] == {}
    assert len([c for c in bulk_calls(fake_org) if c[0] == "POST"]) == posts_before + 1
    assert bulk.jobs[list(bulk.jobs)[-1]]["operation"] == "delete"


def test_run_interrupted_while_a_job_runs_is_undone_from_salesforce_results(fake_org, sf, bulk, project, tmp_path):
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 3})
    armed = {"done": False}

    def limit_after_processing(org, rec, op):  # the job runs server-side, then the client is cut off
        if not armed["done"]:
            armed["done"] = True
            org.fail_next(1, "REQUEST_LIMIT_EXCEEDED", kinds=("bulk",))
    fake_org.on_write("Entitlement", limit_after_processing)

    report = run(project, sf, tmp_path, bulk="always")

    assert report.stopped and "limit" in report.stopped
    journal = events(report.journal)
    assert [e["event"] for e in journal] == ["start", "bulk_job", "end"]
    assert len(fake_org.records["Entitlement"]) == 3  # saved by Salesforce, never journaled as created
    result = undo(BackfillOptions(undo=Path(report.journal)), sf, sleep=lambda s: None)
    assert result.ok and result.deleted == 3 and fake_org.records["Entitlement"] == {}


def test_failed_job_stops_with_its_message_and_rerun_finishes(fake_org, sf, bulk, project, tmp_path):
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 4})
    bulk.fail_job = "InternalServerError : retry later"
    first = run(project, sf, tmp_path, bulk="always")
    assert "ended Failed" in first.stopped and "retry later" in first.stopped
    assert first.tiers[0].created == 2  # half the rows were processed before the job failed
    second = run(project, sf, tmp_path, bulk="always")
    assert second.ok and second.tiers[0].skipped == 2 and second.tiers[0].created == 2
    assert len(fake_org.records["Entitlement"]) == 4
