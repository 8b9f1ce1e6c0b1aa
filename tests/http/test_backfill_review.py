"""Backfill behaviours a real org needs beyond the happy path: timeouts on every call, the start
date in the org user's time zone, renamed process versions, per-phase progress counts.

Through the real simple-salesforce client; HTTP answered by the stateful fake org
(tests/fakes/bulk.py scenario: Platinum > Gold > Standard, Gold in two versions).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from slakit.backfill import run_backfill, undo
from slakit.backfill.options import BackfillOptions
from slakit.backfill.retry import TIMEOUT
from slakit.config import load_project
from tests.fakes.bulk import TIERS_YML, FakeBulk, seed_accounts, seed_processes


def opts(project, journal_dir, **kw) -> BackfillOptions:
    return BackfillOptions(tiers=Path(project.source), journal_dir=journal_dir, **kw)


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "tiers.yml"
    path.write_text(TIERS_YML)
    return load_project(path)


def user_zone(org, zone: str | None) -> None:
    """The OAuth userinfo answer of a real org carries the user's time zone as `zoneinfo`."""
    @org.route("GET", r"/services/oauth2/userinfo/?$", "auth")
    def userinfo(org, request, match):
        body = {"user_id": org.user_id, "organization_id": org.org_id, "preferred_username": "ci@example.com.uat"}
        if zone:
            body["zoneinfo"] = zone
        return 200, body


def test_every_call_of_a_run_and_its_undo_has_a_timeout(rsps, fake_org, sf, project, tmp_path):
    # requests waits for ever without a timeout: a stalled connection would hang the run instead
    # of being retried. Every call - queries, collections, bulk, undo - must carry one.
    FakeBulk(fake_org)
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 3, "Gold": 2})
    fake_org.insert("Case", Subject="a", Status="New", AccountId=fake_org.find("Account", Name="Gold 0")[0]["Id"])
    before = len(rsps.calls)
    report = run_backfill(project, sf, opts(project, tmp_path / "j", cases=True, bulk="always"),
                          today=dt.date(2026, 3, 2), sleep=lambda s: None)
    assert report.ok and report.totals()["created"] == 5 and report.totals()["cases_stamped"] == 1
    undone = undo(BackfillOptions(undo=Path(report.journal)), sf, sleep=lambda s: None)
    assert undone.ok and undone.deleted == 5
    calls = rsps.calls[before:]
    kinds = {c.request.method + " " + c.request.url.split("?")[0].split("/v62.0/")[-1].split("/")[0] for c in calls}
    assert {"POST jobs", "PATCH composite", "DELETE composite", "GET query"} <= kinds
    assert [c.request.url for c in calls if c.request.req_kwargs.get("timeout") != TIMEOUT] == []
    # and the client is left as it was: later calls of other code get no hidden timeout
    sf.query("SELECT Id FROM Account")
    assert rsps.calls[-1].request.req_kwargs.get("timeout") is None


@pytest.mark.parametrize("utc, zone, start, end", [
    # 03:00 UTC on Monday 2 March is still Sunday 1 March in Los Angeles (PST, UTC-8)
    (dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.timezone.utc), "America/Los_Angeles", "2026-03-01", "2027-02-28"),
    # 20:00 UTC on 2 March is already 3 March in Tokyo (UTC+9)
    (dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.timezone.utc), "Asia/Tokyo", "2026-03-03", "2027-03-02"),
    # a userinfo without zoneinfo: the clock's own date
    (dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.timezone.utc), None, "2026-03-02", "2027-03-01"),
])
def test_start_date_is_today_for_the_org_user_not_the_client(fake_org, sf, project, tmp_path, utc, zone, start, end):
    user_zone(fake_org, zone)
    seed_processes(fake_org)
    acct = seed_accounts(fake_org, {"Platinum": 1})["Platinum"][0]
    report = run_backfill(project, sf, opts(project, tmp_path / "j", tier=("Platinum",)), now=lambda: utc,
                          sleep=lambda s: None)
    assert report.ok and report.start_date == start
    ent = fake_org.find("Entitlement", AccountId=acct)[0]
    assert (ent["StartDate"], ent["EndDate"]) == (start, end)  # 12 months, last day inclusive


def test_explicit_start_wins_over_the_org_date(fake_org, sf, project, tmp_path):
    user_zone(fake_org, "Asia/Tokyo")
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 1})
    report = run_backfill(project, sf, opts(project, tmp_path / "j", tier=("Platinum",), start="2026-04-01",
                                                   dry_run=True))
    assert report.start_date == "2026-04-01"


def test_an_entitlement_on_a_renamed_version_still_counts(fake_org, sf, project, tmp_path):
    ids = seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Gold": 3})
    # an admin renamed an old version of Gold in Setup: same VersionMaster, another Name
    renamed = fake_org.insert("SlaProcess", Name="Gold (2025 terms)", IsActive=False, IsVersionDefault=False,
                              VersionNumber=0, VersionMaster=ids["Gold_v1"])
    fake_org.insert("Entitlement", Name="Legacy", AccountId=accts["Gold"][0], SlaProcessId=renamed,
                    StartDate="2025-03-01", EndDate="2026-12-31")
    fake_org.insert("Entitlement", Name="Legacy v1", AccountId=accts["Gold"][1], SlaProcessId=ids["Gold_v1"],
                    StartDate="2025-03-01")

    report = run_backfill(project, sf, opts(project, tmp_path / "j", tier=("Gold",)), today=dt.date(2026, 3, 2),
                          sleep=lambda s: None)

    gold = report.tiers[0]
    assert (gold.matched, gold.skipped, gold.planned, gold.created) == (3, 2, 1, 1)
    assert gold.process_id == ids["Gold"]  # new entitlements still go to the active default
    assert [e["SlaProcessId"] for e in fake_org.find("Entitlement", AccountId=accts["Gold"][2])] == [ids["Gold"]]
    assert len(fake_org.find("Entitlement", AccountId=accts["Gold"][0])) == 1  # no duplicate


def test_progress_counts_belong_to_their_phase(fake_org, sf, project, tmp_path):
    seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 3})
    for a in accts["Platinum"][:2]:
        fake_org.insert("Case", Subject="open", Status="New", AccountId=a)
    events = []
    report = run_backfill(project, sf, opts(project, tmp_path / "j", cases=True), today=dt.date(2026, 3, 2),
                          progress=events.append, sleep=lambda s: None)
    assert report.ok
    last = {e.phase: e for e in events}
    assert (last["entitlements"].done, last["entitlements"].total, last["entitlements"].created) == (3, 3, 3)
    assert (last["cases"].done, last["cases"].total, last["cases"].created) == (2, 2, 2)  # stamped, not created
    undo_events = []
    undone = undo(BackfillOptions(undo=Path(report.journal)), sf, progress=undo_events.append)
    assert undone.ok and undone.deleted == 3 and undone.cases_cleared == 2
    assert (undo_events[-1].done, undo_events[-1].total, undo_events[-1].created) == (5, 5, 5)


def test_a_rerun_waits_for_a_bulk_job_the_stopped_run_left_running(fake_org, sf, project, tmp_path):
    # The daily limit runs out while slakit polls a Bulk job: the run stops, the job keeps going
    # in Salesforce. A re-run before it finishes would not see its rows yet and create them twice.
    bulk = FakeBulk(fake_org)
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 4})
    jdir = tmp_path / "j"
    bulk.polls_before_complete = 100
    state = {"polls": 0}

    @fake_org.route("GET", r"/services/data/v[\d.]+/jobs/ingest/(?P<job>\w+)/?$", "bulk")
    def info(org, request, match):  # the third poll hits the limit
        state["polls"] += 1
        if state["polls"] == 3:
            return 403, [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}]
        return bulk._info(org, request, match)
    fake_org.routes.insert(0, fake_org.routes.pop())  # ahead of FakeBulk's own handler

    first = run_backfill(project, sf, opts(project, jdir, bulk="always"), today=dt.date(2026, 3, 2),
                         sleep=lambda s: None)
    assert "daily API request limit" in (first.stopped or "")
    writes_before = fake_org.count("bulk")

    from slakit.errors import OrgError
    with pytest.raises(OrgError, match="still running") as refused:
        run_backfill(project, sf, opts(project, jdir, bulk="always"), today=dt.date(2026, 3, 2), sleep=lambda s: None)
    assert first.run_id in str(refused.value) or first.journal in str(refused.value)
    assert fake_org.count("bulk") == writes_before + 1  # one GET of the job's state, no new job
    dry = run_backfill(project, sf, opts(project, jdir, dry_run=True), today=dt.date(2026, 3, 2))
    assert any("still running" in w for w in dry.warnings)

    bulk.polls_before_complete = 0  # Salesforce finishes the job
    second = run_backfill(project, sf, opts(project, jdir, bulk="always"), today=dt.date(2026, 3, 2),
                          sleep=lambda s: None)
    assert second.ok and second.totals()["skipped"] == 4 and second.totals()["created"] == 0
    assert len(fake_org.records["Entitlement"]) == 4
    undone = undo(BackfillOptions(undo=Path(first.journal)), sf, sleep=lambda s: None)  # the stopped run's job rows are its own
    assert undone.deleted == 4 and fake_org.records["Entitlement"] == {}
