"""The Bulk API 2.0 path of `run_backfill`: rows of every tier stream into one CSV spool (a job
holds up to 100,000 rows, any mix of tiers - the row's SlaProcessId tells its tier), each full
spool becomes one ingest job. A job is journaled before upload; its successful rows are
journaled as `created` lines (1,000 Ids a line) before the next job starts. Rows that failed
with `UNABLE_TO_LOCK_ROW` go into a new job after a back-off, up to the policy's attempts.
"""

from __future__ import annotations

from slakit.backfill.bulk import BulkClient, CsvSpool, run_job, split_error
from slakit.backfill.model import ENTITLEMENT_FIELDS
from slakit.backfill.plan import RecordBuilder, to_create_soql
from slakit.backfill.retry import RETRYABLE_RECORD_CODES, Stop
from slakit.backfill.stream import records

JOURNAL_CHUNK = 1000


def create_bulk(ctx, targets, createable, start_date) -> None:
    client = BulkClient(ctx.sf, ctx.policy, sleep=ctx.sleep)
    tier_of = {t.process_id[:15]: t.name for t in targets}
    columns = tuple(f for f in ENTITLEMENT_FIELDS if f in createable or f == "AccountId")
    spool = CsvSpool(columns)
    try:
        for target in targets:
            if ctx.results[target.name].planned == 0:
                continue
            builder = RecordBuilder(target, start_date, createable)
            for account in records(ctx.sf, to_create_soql(target), ctx.policy):
                spool.add(builder.build(account["Id"]))
                if spool.full:
                    submit(ctx, client, spool, tier_of, 1)
                    spool = CsvSpool(columns)
        if spool.rows:
            submit(ctx, client, spool, tier_of, 1)
    finally:
        spool.close()


def submit(ctx, client: BulkClient, spool: CsvSpool, tier_of: dict[str, str], attempt: int) -> None:
    """Run one insert job for `spool` (closed afterwards), journal and count its results."""
    base = ctx.done
    rows = spool.rows

    def on_poll(info: dict) -> None:
        processed = int(info.get("numberRecordsProcessed") or 0)
        if ctx.progress is not None and processed:
            ctx.done = base + min(processed, rows)
            ctx.tick("entitlements", None, 0)

    def created(job_id: str) -> None:
        ctx.journal.write("bulk_job", job=job_id, operation="insert", sobject="Entitlement", rows=rows,
                          attempt=attempt)

    try:
        job_id, info = run_job(client, "Entitlement", "insert", spool, on_created=created,
                               on_done=lambda j: None, on_poll=on_poll)
    finally:
        spool.close()
    ctx.done = base
    journal_successes(ctx, client, job_id, tier_of)
    retry = CsvSpool(spool.columns)
    resubmitted = False  # once the retry spool is submitted, the next round owns it
    try:
        for row in client.results(job_id, "failedResults"):
            code, message = split_error(row.get("sf__Error", ""))
            record = {c: row.get(c) or None for c in spool.columns}
            if code in RETRYABLE_RECORD_CODES and attempt < ctx.policy.attempts:
                retry.add(record)
                continue
            tier = tier_of.get((record.get("SlaProcessId") or "")[:15])
            if tier:
                ctx.results[tier].failed += 1
            ctx.fail("Entitlement", tier, record, code, message)
            ctx.tick("entitlements", tier, 1)
        ctx.journal.write("bulk_done", job=job_id, state=info.get("state"),
                          processed=info.get("numberRecordsProcessed"), failed=info.get("numberRecordsFailed"))
        if info.get("state") != "JobComplete":
            raise Stop(f"bulk job {job_id} ended {info.get('state')}: {info.get('errorMessage') or 'no message'}"
                       " (re-run the same command to resume)", "BULK_JOB_FAILED")
        if retry.rows:
            ctx.policy.wait(attempt)
            submit(ctx, client, retry, tier_of, attempt + 1)
            resubmitted = True
    finally:
        if not resubmitted:
            retry.close()


def journal_successes(ctx, client: BulkClient, job_id: str, tier_of: dict[str, str]) -> None:
    """Stream successfulResults into `created` journal lines, grouped by tier."""
    chunks: dict[str, tuple[list, list]] = {}

    def flush(tier: str) -> None:
        ids, accounts = chunks.pop(tier)
        ctx.journal.write("created", sobject="Entitlement", tier=tier, ids=ids, accounts=accounts, job=job_id)
        ctx.results[tier].created += len(ids)
        ctx.tick("entitlements", tier, len(ids))

    for row in client.results(job_id, "successfulResults"):
        tier = tier_of.get((row.get("SlaProcessId") or "")[:15], "?")
        if tier not in ctx.results:
            from slakit.backfill.model import TierResult

            ctx.results[tier] = TierResult(tier)
        ids, accounts = chunks.setdefault(tier, ([], []))
        ids.append(row["sf__Id"])
        accounts.append(row.get("AccountId"))
        if len(ids) >= JOURNAL_CHUNK:
            flush(tier)
    for tier in list(chunks):
        flush(tier)
