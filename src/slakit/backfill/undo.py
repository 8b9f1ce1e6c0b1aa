"""`undo(BackfillOptions(undo=journal), sf)`: reverse one backfill run exactly.

1. Refuse when the journal belongs to another org (Organization Id in its start line).
2. Clear the case stamps the run set - only where the case still points at the entitlement the
   run gave it (a stamp changed since is left alone and counted).
3. Delete every entitlement the run created: the `created` lines, plus the successful rows of
   any bulk job the run started but never finished journaling (asked from Salesforce).
   Already-deleted records count as gone, so an interrupted undo is simply run again.
The journal is streamed; Ids are handled a batch at a time. Deletes use collections, or a Bulk
API 2.0 delete job above the bulk threshold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from slakit.backfill.bulk import BulkClient, CsvSpool, run_job, split_error
from slakit.backfill.collections import CollectionWriter
from slakit.backfill.journal import ErrorCsv, journal_header, read_journal
from slakit.backfill.model import ConfirmFn, Failure, ProgressEvent, ProgressFn, UndoReport
from slakit.backfill.plan import batched
from slakit.backfill.retry import RetryPolicy, Stop, counting_calls, request_timeout
from slakit.backfill.stream import query_all
from slakit.errors import GuardError
from slakit.org.guard import confirm_production
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.backfill.options import BackfillOptions

GONE = {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"}


def _stamps(path) -> Iterator[tuple[str, str]]:
    for e in read_journal(path):
        if e["event"] == "stamped":
            yield from zip(e["ids"], e["entitlements"])


def _created(path) -> Iterator[str]:
    for e in read_journal(path):
        if e["event"] == "created":
            yield from e["ids"]


def _unfinished_jobs(path) -> list[str]:
    started, done = [], set()
    for e in read_journal(path):
        if e["event"] == "bulk_job" and e.get("operation") == "insert":
            started.append(e["job"])
        elif e["event"] == "bulk_done":
            done.add(e["job"])
    return [j for j in started if j not in done]


def undo(opts: BackfillOptions, sf: Salesforce, *, confirm: ConfirmFn | None = None,
         progress: ProgressFn | None = None, sleep=None,
         retry: RetryPolicy | None = None, bulk_threshold: int | None = None) -> UndoReport:
    """Delete what the run journaled in `opts.undo` created and clear the case stamps it set
    (`opts`: the checked options of `slakit backfill --undo`; dry run, batch size, bulk mode)."""
    from slakit.backfill.apply import BULK_THRESHOLD
    from slakit.org.guard import org_info

    if opts.undo is None:
        raise TypeError("undo needs BackfillOptions(undo=JOURNAL)")
    path, dry_run, batch_size, bulk = opts.undo, opts.dry_run, opts.batch_size, opts.bulk
    header = journal_header(path)
    policy = retry or RetryPolicy(sleep=sleep)
    threshold = BULK_THRESHOLD if bulk_threshold is None else bulk_threshold
    with counting_calls(sf) as calls, request_timeout(sf):
        org = org_info(sf)
        theirs = (header.get("org") or {}).get("Id") or ""
        if theirs[:15] != (org.get("Id") or "")[:15]:
            raise GuardError(f"{path} was written for org {theirs} ('{(header.get('org') or {}).get('Name')}'), "
                             f"but the connected org is {org.get('Id')} ('{org.get('Name')}')",
                             hint="connect the org the backfill ran against")
        report = UndoReport(journal=str(path), org=org, dry_run=dry_run)
        report.planned_clears = sum(1 for _ in _stamps(path))
        pending_jobs = _unfinished_jobs(path)
        report.planned_deletes = sum(1 for _ in _created(path))
        if dry_run:
            report.api_calls = dict(calls)
            return report
        question = (f"'{org.get('Name')}' is a PRODUCTION org: delete {report.planned_deletes} entitlement(s) "
                    f"and clear {report.planned_clears} case stamp(s)?")
        if not confirm_production(org, question, confirm, action="undo a backfill on"):
            report.cancelled = True
            return report
        errors = ErrorCsv(path.with_name(path.stem + ".undo-errors.csv"), ("Id", "EntitlementId"))
        writer = CollectionWriter(sf, policy)
        total = report.planned_clears + report.planned_deletes
        state = {"done": 0}

        def tick(phase: str, n: int) -> None:
            state["done"] += n
            if progress is not None:
                progress(ProgressEvent(phase, None, state["done"], total, report.deleted + report.cases_cleared,
                                       report.failure_count))

        def fail(record: dict, code, message) -> None:
            errors.add(record, code, message)
            sobject = CASE.sobject if "EntitlementId" in record else "Entitlement"
            report.add_failure(Failure(sobject, None, code, message, record))
        try:
            _clear_stamps(sf, path, writer, policy, batch_size, report, fail, tick)
            ids = _created(path)
            if pending_jobs:
                ids = _chain(ids, _job_successes(BulkClient(sf, policy, sleep), pending_jobs))
            if bulk == "always" or (bulk == "auto" and report.planned_deletes > threshold):
                _delete_bulk(BulkClient(sf, policy, sleep), ids, report, fail, tick)
            else:
                for chunk in batched(ids, batch_size):
                    try:
                        out = writer.delete(chunk)
                    except Stop as stop:
                        _count_deletes(chunk, stop.partial, report, fail)
                        raise
                    _count_deletes(chunk, out, report, fail)
                    tick("undo", len(chunk))
        except Stop as stop:
            report.stopped = stop.reason
        finally:
            errors.close()
            report.errors_csv = errors.written
        report.api_calls = dict(calls)
    return report


def _chain(*iterables):
    for it in iterables:
        yield from it


def _job_successes(client: BulkClient, jobs: list[str]) -> Iterator[str]:
    for job in jobs:
        for row in client.results(job, "successfulResults"):
            yield row["sf__Id"]


def _clear_stamps(sf: Salesforce, path, writer, policy, batch_size, report, fail, tick) -> None:
    from slakit.org.soql import soql

    for chunk in batched(_stamps(path), batch_size):
        ids = [c for c, _ in chunk]
        rows = query_all(sf, soql("SELECT Id, {:literal} FROM {:literal} WHERE Id IN {}", CASE.entitlement_field,
                                  CASE.sobject, ids), policy)
        current = {r["Id"][:15]: (r.get("EntitlementId") or "")[:15] for r in rows}
        clear = [{"Id": c, "EntitlementId": None} for c, e in chunk if current.get(c[:15]) == e[:15]]
        report.cases_changed += sum(1 for c, e in chunk if c[:15] in current and current[c[:15]] != e[:15])
        if clear:
            try:
                out = writer.update(CASE.sobject, clear)
            except Stop as stop:
                out = stop.partial
                report.cases_cleared += sum(1 for r in out if r.ok)
                raise
            for rec, r in zip(clear, out):
                if r.ok:
                    report.cases_cleared += 1
                elif r.code != "NOT_PROCESSED":
                    fail({"Id": rec["Id"], "EntitlementId": ""}, r.code, r.message or "")
        tick("undo", len(chunk))


def _count_deletes(chunk: list[str], out, report: UndoReport, fail) -> None:
    for rid, r in zip(chunk, out):
        if r.ok:
            report.deleted += 1
        elif r.code in GONE:
            report.already_gone += 1
        elif r.code != "NOT_PROCESSED":
            fail({"Id": rid}, r.code, r.message or "")


def _delete_bulk(client: BulkClient, ids: Iterator[str], report: UndoReport, fail, tick) -> None:
    spool = CsvSpool(("Id",))
    try:
        for rid in ids:
            spool.add({"Id": rid})
            if spool.full:
                _delete_job(client, spool, report, fail, tick)
                spool = CsvSpool(("Id",))
        if spool.rows:
            _delete_job(client, spool, report, fail, tick)
    finally:
        spool.close()


def _delete_job(client, spool, report, fail, tick) -> None:
    job_id, info = run_job(client, "Entitlement", "delete", spool, on_created=lambda j: None,
                           on_done=lambda j: None)
    for _ in client.results(job_id, "successfulResults"):
        report.deleted += 1
    for row in client.results(job_id, "failedResults"):
        code, message = split_error(row.get("sf__Error", ""))
        if code in GONE:
            report.already_gone += 1
        else:
            fail({"Id": row.get("Id")}, code, message)
    tick("undo", spool.rows)
    if info.get("state") != "JobComplete":
        raise Stop(f"bulk delete job {job_id} ended {info.get('state')}: {info.get('errorMessage') or ''} "
                   "(run the undo again to finish)", "BULK_JOB_FAILED")
