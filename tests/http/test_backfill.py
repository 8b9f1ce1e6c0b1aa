"""`run_backfill` through the real simple-salesforce client, HTTP answered by the stateful fake org.

Scenario (tests/fakes/bulk.py): tiers Platinum > Gold > Standard in file order; Gold matches
`Support_Tier__c = 'Gold' OR AnnualRevenue > 1000000`, Standard also takes accounts with no tier.
The fake's clock says 2026-03-02; runs start that day.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
import requests

from slakit.backfill import run_backfill, undo
from slakit.backfill.options import BackfillOptions
from slakit.config import load_project
from slakit.errors import GuardError, OrgError
from tests.fakes.bulk import TIERS_YML, seed_accounts, seed_processes

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "tiers.yml"
    path.write_text(TIERS_YML)
    return load_project(path)


@pytest.fixture
def jdir(tmp_path):
    return tmp_path / "journal"


def run(project, sf, jdir, **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("sleep", lambda s: None)
    opts, kw = options(project, journal_dir=jdir, **kw)
    return run_backfill(project, sf, opts, **kw)


def options(project, **kw) -> tuple[BackfillOptions, dict]:
    """The BackfillOptions among `kw` (`tiers=[...]` is --tier) and the rest of run_backfill's keywords."""
    fields = {f.name for f in dataclasses.fields(BackfillOptions)}
    if "tiers" in kw:
        kw["tier"] = tuple(kw.pop("tiers"))
    opts = BackfillOptions(tiers=Path(project.source), **{k: kw.pop(k) for k in list(kw) if k in fields})
    return opts, kw


def journal_events(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def created_ids(path) -> list[str]:
    return [i for e in journal_events(path) if e["event"] == "created" for i in e["ids"]]


def entitlements_of(org, account_id):
    return [r for r in org.records["Entitlement"].values() if r["AccountId"] == account_id]


def writes(org) -> int:
    return sum(n for kind, n in org.counts().items()
               if kind.startswith(("collection_", "sobject_create", "sobject_update", "sobject_delete", "bulk")))


def test_dry_run_counts_per_tier_with_samples_and_writes_nothing(fake_org, sf, project, jdir):
    ids = seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 3, "Gold": 2, None: 2, "Standard": 1, "Bronze": 1})
    # an existing, current Gold entitlement on the OLD version still counts: that account is skipped
    fake_org.insert("Entitlement", Name="Legacy", AccountId=accts["Gold"][0], SlaProcessId=ids["Gold_v1"],
                    StartDate="2025-06-01", EndDate="2026-05-31")
    # an expired one does not
    fake_org.insert("Entitlement", Name="Old", AccountId=accts["Gold"][1], SlaProcessId=ids["Gold"],
                    StartDate="2024-01-01", EndDate="2025-01-01")
    before = len(fake_org.records["Entitlement"])

    report = run(project, sf, jdir, dry_run=True)

    by = {t.name: t for t in report.tiers}
    assert (by["Platinum"].matched, by["Platinum"].skipped, by["Platinum"].planned) == (3, 0, 3)
    assert (by["Gold"].matched, by["Gold"].skipped, by["Gold"].planned) == (2, 1, 1)
    assert (by["Standard"].matched, by["Standard"].planned) == (3, 3)  # 1 Standard + 2 with no tier
    assert [s["AccountId"] for s in by["Gold"].samples] == [accts["Gold"][1]]
    assert report.mode == "collections" and report.dry_run and report.journal is None
    assert writes(fake_org) == 0
    assert len(fake_org.records["Entitlement"]) == before
    assert not jdir.exists()


def test_apply_sets_every_field_and_rerun_creates_nothing(fake_org, sf, project, jdir):
    ids = seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 2, "Gold": 2, None: 1, "Standard": 1})
    rich_platinum = fake_org.insert("Account", Name="Rich", Support_Tier__c="Platinum", AnnualRevenue=5e6)
    rich_none = fake_org.insert("Account", Name="Rich none", Support_Tier__c=None, AnnualRevenue=5e6)

    report = run(project, sf, jdir)

    assert report.ok and report.totals()["created"] == 8
    plat = entitlements_of(fake_org, accts["Platinum"][0])
    assert len(plat) == 1
    assert plat[0]["Name"] == "Platinum Support" and plat[0]["SlaProcessId"] == ids["Platinum"]
    assert plat[0]["StartDate"] == "2026-03-02" and plat[0]["EndDate"] == "2027-03-01"  # 12 months, inclusive
    assert "BusinessHoursId" not in plat[0]  # Platinum runs 24/7: no hours to set
    gold = entitlements_of(fake_org, accts["Gold"][0])[0]
    assert gold["Name"] == "Gold Care" and gold["SlaProcessId"] == ids["Gold"]  # v2, the active default
    assert gold["BusinessHoursId"] == ids["hours"]
    std = entitlements_of(fake_org, accts[None][0])[0]
    assert std["SlaProcessId"] == ids["Standard"] and "EndDate" not in std  # no term: open-ended
    # first matching tier wins: Platinum beats Gold's revenue rule; revenue beats Standard's null rule
    assert [e["SlaProcessId"] for e in entitlements_of(fake_org, rich_platinum)] == [ids["Platinum"]]
    assert [e["SlaProcessId"] for e in entitlements_of(fake_org, rich_none)] == [ids["Gold"]]
    # journal: start, created lines holding every new Id, end complete
    events = journal_events(report.journal)
    assert events[0]["event"] == "start" and events[0]["org"]["Id"] == fake_org.org_id
    assert events[-1]["event"] == "end" and events[-1]["status"] == "complete"
    assert sorted(created_ids(report.journal)) == sorted(fake_org.records["Entitlement"])

    calls_before = fake_org.count("collection_create")
    again = run(project, sf, jdir)
    assert again.totals()["planned"] == 0 and again.totals()["created"] == 0
    assert again.totals()["skipped"] == 8
    assert fake_org.count("collection_create") == calls_before
    assert len(fake_org.records["Entitlement"]) == 8


def test_query_paging_and_batching(fake_org, sf, project, jdir):
    fake_org.page_size = 7
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 40})
    report = run(project, sf, jdir, tiers=["platinum"], batch_size=10)
    assert report.totals()["created"] == 40
    assert fake_org.count("collection_create") == 4  # 40 / 10
    more = [c for c in fake_org.calls if c.kind == "query" and not c.path.rstrip("/").endswith("/query")]
    assert len(more) == 5  # 40 rows at 7 a page: 6 pages, the first from the query itself
    assert len(fake_org.records["Entitlement"]) == 40


def test_mixed_per_record_results_are_collected_and_written_like_data_loader(fake_org, sf, project, jdir):
    seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 4})
    bad = accts["Platinum"][2]

    def no_entitlement_for_bad(org, rec, op):
        if op == "insert" and rec.get("AccountId") == bad:
            return [{"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "Account on credit hold",
                     "fields": []}]
        return []
    fake_org.validators["Entitlement"].append(no_entitlement_for_bad)

    report = run(project, sf, jdir, tiers=["Platinum"])

    plat = report.tiers[0]
    assert (plat.created, plat.failed) == (3, 1)
    assert not report.ok and report.failure_count == 1
    assert report.failures[0].code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert report.failures[0].message == "Account on credit hold"
    with open(report.errors_csv, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][-1] == "ERROR" and "ACCOUNTID" in rows[0]
    assert rows[1][rows[0].index("ACCOUNTID")] == bad
    assert rows[1][-1] == "FIELD_CUSTOM_VALIDATION_EXCEPTION:Account on credit hold"
    assert len(created_ids(report.journal)) == 3


def test_lock_errors_are_retried_with_back_off_then_succeed(fake_org, sf, project, jdir):
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 3})
    fake_org.fail_next(2, "UNABLE_TO_LOCK_ROW", per_record=True, kinds=("collection_create",))
    slept: list[float] = []
    report = run(project, sf, jdir, tiers=["Platinum"], sleep=slept.append)
    assert report.ok and report.tiers[0].created == 3
    assert fake_org.count("collection_create") == 3
    assert slept == [1.0, 2.0]  # exponential back-off
    assert len(fake_org.records["Entitlement"]) == 3


def test_lock_errors_that_never_clear_become_failures(fake_org, sf, project, jdir):
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 2})
    fake_org.fail_next(10, "UNABLE_TO_LOCK_ROW", per_record=True, kinds=("collection_create",))
    report = run(project, sf, jdir, tiers=["Platinum"])
    assert report.tiers[0].failed == 2 and report.failures[0].code == "UNABLE_TO_LOCK_ROW"
    assert fake_org.count("collection_create") == 5  # the policy's 5 attempts


def test_server_errors_are_retried(fake_org, sf, project, jdir):
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 3})
    fake_org.fail_next(2, "SERVER_ERROR", kinds=("collection_create",))
    slept: list[float] = []
    report = run(project, sf, jdir, tiers=["Platinum"], sleep=slept.append)
    assert report.ok and report.tiers[0].created == 3 and slept == [1.0, 2.0]
    assert len(fake_org.records["Entitlement"]) == 3


def test_timeout_after_salesforce_saved_part_of_a_batch_creates_no_duplicates(fake_org, sf, project, jdir):
    seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 5})
    state = {"inserted": 0, "fired": False}

    def answer_lost(org, rec, op):  # the connection drops after Salesforce saved two records
        state["inserted"] += 1
        if state["inserted"] == 2 and not state["fired"]:
            state["fired"] = True
            raise requests.exceptions.ReadTimeout("read timed out")
    fake_org.on_write("Entitlement", answer_lost)

    report = run(project, sf, jdir, tiers=["Platinum"])

    assert report.ok and report.tiers[0].created == 5
    for acct in accts["Platinum"]:
        assert len(entitlements_of(fake_org, acct)) == 1
    assert sorted(created_ids(report.journal)) == sorted(fake_org.records["Entitlement"])


def test_limit_exceeded_mid_run_stops_cleanly_and_a_rerun_resumes(fake_org, sf, project, jdir):
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 6})
    state = {"n": 0}

    def exhaust_after_first_batch(org, rec, op):
        state["n"] += 1
        if state["n"] == 2:
            org.fail_next(1, "REQUEST_LIMIT_EXCEEDED", kinds=("collection_create",))
    fake_org.on_write("Entitlement", exhaust_after_first_batch)

    first = run(project, sf, jdir, tiers=["Platinum"], batch_size=2)

    assert "daily API request limit" in first.stopped and not first.ok
    assert first.tiers[0].created == 2 and first.tiers[0].failed == 0
    events = journal_events(first.journal)
    assert events[-1]["event"] == "end" and events[-1]["status"] == "stopped"
    assert len(created_ids(first.journal)) == 2

    second = run(project, sf, jdir, tiers=["Platinum"], batch_size=2)
    assert second.ok and second.tiers[0].skipped == 2 and second.tiers[0].created == 4
    assert len(fake_org.records["Entitlement"]) == 6
    assert second.journal != first.journal

    undone = undo(BackfillOptions(undo=Path(first.journal)), sf)  # exactly the first run's two
    assert undone.deleted == 2 and len(fake_org.records["Entitlement"]) == 4
    assert set(fake_org.records["Entitlement"]) == set(created_ids(second.journal))


def test_cases_stamping(fake_org, sf, project, jdir):
    ids = seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 1, "Gold": 1, "Bronze": 1})
    plat, gold, bronze = accts["Platinum"][0], accts["Gold"][0], accts["Bronze"][0]
    existing = fake_org.insert("Entitlement", Name="Kept", AccountId=gold, SlaProcessId=ids["Gold"],
                               StartDate="2026-01-01")
    other = fake_org.insert("Entitlement", Name="Other", AccountId=plat, SlaProcessId=ids["Gold"],
                            StartDate="2026-01-01")
    open_plat = fake_org.insert("Case", Subject="a", Status="New", AccountId=plat)
    open_gold = fake_org.insert("Case", Subject="b", Status="New", AccountId=gold)
    closed_plat = fake_org.insert("Case", Subject="c", Status="Closed", AccountId=plat)
    stamped = fake_org.insert("Case", Subject="d", Status="New", AccountId=plat, EntitlementId=other)
    open_bronze = fake_org.insert("Case", Subject="e", Status="New", AccountId=bronze)

    report = run(project, sf, jdir, cases=True)

    new_plat = entitlements_of(fake_org, plat)
    new_plat = [e for e in new_plat if e["SlaProcessId"] == ids["Platinum"]][0]
    assert fake_org.get_record(open_plat)["EntitlementId"] == new_plat["Id"]
    assert fake_org.get_record(open_gold)["EntitlementId"] == existing  # skipped account: existing one
    assert fake_org.get_record(closed_plat).get("EntitlementId") is None
    assert fake_org.get_record(stamped)["EntitlementId"] == other
    assert fake_org.get_record(open_bronze).get("EntitlementId") is None
    by = {t.name: t for t in report.tiers}
    assert (by["Platinum"].cases_planned, by["Platinum"].cases_stamped) == (1, 1)
    assert by["Gold"].cases_stamped == 1
    stamps = [e for e in journal_events(report.journal) if e["event"] == "stamped"]
    assert sorted(c for e in stamps for c in e["ids"]) == sorted([open_plat, open_gold])


def test_undo_deletes_exactly_what_the_run_created_and_clears_its_stamps(fake_org, sf, project, jdir):
    ids = seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 2, "Gold": 1})
    keep = fake_org.insert("Entitlement", Name="Kept", AccountId=accts["Gold"][0], SlaProcessId=ids["Gold"])
    c1 = fake_org.insert("Case", Subject="a", Status="New", AccountId=accts["Platinum"][0])
    c2 = fake_org.insert("Case", Subject="b", Status="New", AccountId=accts["Platinum"][1])
    c3 = fake_org.insert("Case", Subject="c", Status="New", AccountId=accts["Gold"][0])
    report = run(project, sf, jdir, cases=True)
    assert report.ok and report.totals()["created"] == 2 and report.totals()["cases_stamped"] == 3
    fake_org.update("Case", c2, {"EntitlementId": keep})  # someone re-pointed this case since

    result = undo(BackfillOptions(undo=Path(report.journal)), sf)

    assert result.ok and result.deleted == 2 and result.cases_cleared == 2 and result.cases_changed == 1
    assert list(fake_org.records["Entitlement"]) == [keep]
    assert fake_org.get_record(c1)["EntitlementId"] is None
    assert fake_org.get_record(c2)["EntitlementId"] == keep
    assert fake_org.get_record(c3)["EntitlementId"] is None  # the run stamped it with `keep`: cleared

    again = undo(BackfillOptions(undo=Path(report.journal)), sf)  # idempotent: nothing left to do, nothing fails
    assert again.ok and again.deleted == 0 and again.already_gone == 2 and again.cases_cleared == 0


def test_undo_refuses_a_journal_from_another_org(fake_org, sf, project, jdir, tmp_path):
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 1})
    report = run(project, sf, jdir)
    lines = Path(report.journal).read_text().splitlines()
    start = json.loads(lines[0])
    start["org"]["Id"] = "00D000000000999AAA"
    other = tmp_path / "other.jsonl"
    other.write_text("\n".join([json.dumps(start), *lines[1:]]) + "\n")
    with pytest.raises(GuardError, match="connected org"):
        undo(BackfillOptions(undo=Path(other)), sf)
    assert fake_org.count("collection_delete") == 0


def test_preflight_lists_every_missing_piece_with_the_fix(fake_org, sf, project, jdir):
    seed_processes(fake_org, gold=False, standard_active=False, hours=False)
    seed_accounts(fake_org, {"Platinum": 1})
    with pytest.raises(OrgError) as info:
        run(project, sf, jdir, org_name="uat")
    text = str(info.value)
    assert "entitlement process 'Gold' is not deployed" in text
    assert "entitlement process 'Standard' has no active version" in text
    assert "business hours 'US Business Hours' are not in the org" in text
    assert f"slakit deploy {project.source} --org uat" in text
    assert writes(fake_org) == 0


def test_entitlement_management_off_is_said_plainly(rsps, tmp_path, project):
    from tests.fakes import FakeOrg

    org = FakeOrg(entitlements=False).install(rsps)
    with pytest.raises(OrgError, match="Entitlement Management is not enabled"):
        run(project, org.client(), tmp_path / "j")


def test_production_asks_first(rsps, tmp_path, project):
    from tests.fakes import FakeOrg

    org = FakeOrg(sandbox=False).install(rsps)
    seed_processes(org)
    seed_accounts(org, {"Platinum": 2})
    sf = org.client()
    with pytest.raises(GuardError, match="production"):
        run(project, sf, tmp_path / "j")
    asked: list[str] = []
    declined = run(project, sf, tmp_path / "j", confirm=lambda q: asked.append(q) or False)
    assert declined.cancelled and not declined.ok and writes(org) == 0
    assert "PRODUCTION" in asked[0] and "create 2 entitlement(s)" in asked[0]
    dry = run(project, sf, tmp_path / "j", dry_run=True)  # the dry run needs no confirmation
    assert dry.totals()["planned"] == 2 and writes(org) == 0
    done = run(project, sf, tmp_path / "j", confirm=lambda q: True)
    assert done.ok and done.totals()["created"] == 2


def _storm_cases(fake_org):
    """Open cases on a Platinum (24/7, 2h) and a Gold (US hours, 4h) account, created at different
    times before the fake's now (Monday 2026-03-02 15:00Z = 10:00 EST)."""
    from tests.fakes.org import sf_datetime

    seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 1, "Gold": 1})
    plat, gold = accts["Platinum"][0], accts["Gold"][0]
    out = {}
    for key, account, created in (
            ("plat_late", plat, dt.datetime(2026, 3, 2, 12, 30, tzinfo=dt.timezone.utc)),   # 2h -> 14:30Z: past
            ("plat_recent", plat, dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.timezone.utc)),  # 2h -> 16:00Z
            # Fri 15:00 EST: 2h Friday + Monday 09:00 EST + 2h = 11:00 EST (16:00Z): not yet
            ("gold_friday_late", gold, dt.datetime(2026, 2, 27, 20, 0, tzinfo=dt.timezone.utc)),
            # Fri 10:00 EST + 4h = 14:00 EST Friday: long past
            ("gold_friday_early", gold, dt.datetime(2026, 2, 27, 15, 0, tzinfo=dt.timezone.utc))):
        out[key] = fake_org.insert("Case", Subject=key, Status="New", AccountId=account)
        fake_org.get_record(out[key])["CreatedDate"] = sf_datetime(created)
    return out


def test_dry_run_counts_cases_violated_at_once_per_sla_start(fake_org, sf, project, jdir):
    """Stamping old open cases with the process starting at CreatedDate violates them at once
    (issue 11 item 10): the dry run says how many, per mode, with COUNT() queries only."""
    _storm_cases(fake_org)
    now = fake_org.now
    report = run(project, sf, jdir, cases=True, dry_run=True, now=now)
    by = {t.name: t for t in report.tiers}
    assert (by["Platinum"].cases_planned, by["Platinum"].cases_violated_if_created) == (2, 1)
    assert (by["Gold"].cases_planned, by["Gold"].cases_violated_if_created) == (2, 1)
    assert [t.cases_violated_at_once for t in report.tiers if t.cases_planned] == [0, 0]  # default: now
    assert report.as_dict()["sla_start"] == "now"
    created = run(project, sf, jdir, cases=True, dry_run=True, now=now, sla_start="created")
    assert sum(t.cases_violated_at_once or 0 for t in created.tiers) == 2
    assert writes(fake_org) == 0


def test_stamped_cases_start_their_clock_now_by_default(fake_org, sf, project, jdir):
    cases = _storm_cases(fake_org)
    report = run(project, sf, jdir, cases=True, now=fake_org.now)
    assert report.ok and report.totals()["cases_stamped"] == 4
    starts = {k: fake_org.get_record(i)["SlaStartDate"] for k, i in cases.items()}
    assert set(starts.values()) == {"2026-03-02T15:00:00.000Z"}


def test_sla_start_created_keeps_the_creation_time(fake_org, sf, project, jdir):
    cases = _storm_cases(fake_org)
    report = run(project, sf, jdir, cases=True, now=fake_org.now, sla_start="created")
    assert report.ok
    for i in cases.values():
        rec = fake_org.get_record(i)
        assert rec["SlaStartDate"] == rec["CreatedDate"]
    start = [e for e in journal_events(report.journal) if e["event"] == "start"][0]
    assert start["sla_start"] == "created"
