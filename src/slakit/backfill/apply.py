"""`run_backfill`: preflight, plan, (confirm on production), then create entitlements batch by
batch - sObject Collections for small runs, Bulk API 2.0 above `BULK_THRESHOLD` - journaling
every created Id before the next batch, and optionally stamp open cases.

Bulk threshold (`--bulk auto`): 2,000 entitlements. Salesforce's guidance draws the line there
("more than 2,000 records is a good candidate for Bulk API 2.0"), and it is where the call counts
cross: 2,000 records are 10 collection calls, about what one Bulk job costs (create, upload,
close, a few polls, two result reads). Below it, collections finish in seconds with per-record
results as they happen and a journal line every 200; above it, Bulk's cost stays ~flat (one job
per 100,000 rows) while collections grow by one call per 200 records.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Callable

from slakit.backfill.collections import CollectionWriter
from slakit.backfill.guards import org_today, running_jobs
from slakit.backfill.journal import ErrorCsv, Journal, new_run_id
from slakit.backfill.model import (ENTITLEMENT_FIELDS, BackfillReport, ConfirmFn, ProgressEvent, ProgressFn,
                                   TierResult)
from slakit.backfill.plan import count_cases, count_tier
from slakit.backfill.preflight import preflight
from slakit.backfill.retry import RetryPolicy, Stop, counting_calls, request_timeout
from slakit.config.project import Project
from slakit.config.select import select_tiers
from slakit.errors import OrgError, UsageError
from slakit.org.guard import confirm_production
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.backfill.options import BackfillOptions

BULK_THRESHOLD = 2_000


def choose_mode(bulk: str, planned: int, threshold: int = BULK_THRESHOLD) -> str:
    """'collections' or 'bulk' for `planned` creates ('none' when there is nothing to create)."""
    if planned <= 0:
        return "none"
    if bulk == "always":
        return "bulk"
    if bulk == "never":
        return "collections"
    return "bulk" if planned > threshold else "collections"


def run_backfill(project: Project, sf: Salesforce, opts: BackfillOptions, *, progress: ProgressFn | None = None,
                 confirm: ConfirmFn | None = None, org_name: str | None = None, today: dt.date | None = None,
                 sleep=None, retry: RetryPolicy | None = None, bulk_threshold: int = BULK_THRESHOLD,
                 samples: int = 5, now=None) -> BackfillReport:
    """Create the missing entitlements of `project`'s tiers in the org behind `sf`, as `opts` (the
    checked options of `slakit backfill` / slakit_backfill: tiers, dry run, cases, batch size,
    bulk mode, start date, journal folder, sla start) say.

    StartDate (`opts.start`) defaults to today *in the running user's time zone* (OAuth userinfo
    `zoneinfo`), the day SOQL's TODAY and the entitlement Status use - not the client's date: a
    consultant in Europe backfilling a US org after midnight would otherwise create entitlements
    that start tomorrow (Status Inactive, so `--cases` could stamp nothing). `today` overrides it;
    `now` (a callable returning an aware datetime) replaces the clock in tests.
    `confirm(question) -> bool` is asked before writing to a production org (None = refuse).
    Raises OrgError (preflight problems, refused requests), UsageError (an unknown tier), GuardError
    (production without confirmation callback). A stopped run (`report.stopped`) resumes with a
    plain re-run. `opts.sla_start` (`--cases`): `now` starts stamped cases' clocks at the stamp
    (Case.SlaStartDate = the time of the update), `created` at their CreatedDate.
    """
    from slakit.backfill.storm import count_violated

    dry_run, cases, sla_start = opts.dry_run, opts.cases, opts.sla_start
    clock_now = now or (lambda: dt.datetime.now(dt.timezone.utc))
    selected = select_tiers(project, list(opts.tier) or None)
    policy = retry or RetryPolicy(sleep=sleep)
    if sleep is not None and policy.sleep is None:
        policy.sleep = sleep
    from slakit.org.guard import org_info

    with counting_calls(sf) as calls, request_timeout(sf):
        org = org_info(sf)
        start_date = opts.start_date or today or org_today(sf, now)
        targets, createable, notes = preflight(sf, project, selected, org_name=org_name, cases=cases)
        results = {t.name: TierResult(t.name) for t in selected}
        for tier in selected:
            if not tier.entitlement.accounts:
                results[tier.name].note = "no entitlement.accounts clause"
        report = BackfillReport(run_id=None, org=org, dry_run=dry_run, mode="none", tiers=list(results.values()),
                                start_date=start_date.isoformat(), warnings=list(notes),
                                sla_start=sla_start if cases else None)
        try:
            for target in targets:
                res = results[target.name]
                res.process_id = target.process_id
                count_tier(sf, target, res, samples=samples if dry_run else 0)
                if cases:
                    res.cases_planned = count_cases(sf, target)
                    count_violated(sf, project, target, res, clock_now(), sla_start)
        except Stop as stop:  # pragma: no cover - limits during counting
            raise OrgError(stop.reason) from None
        running_jobs(sf, opts.journal_dir, org, report, policy, sleep)
        planned = sum(r.planned for r in results.values())
        report.mode = choose_mode(opts.bulk, planned, bulk_threshold)
        _usage_warning(sf, report, planned)
        if dry_run:
            report.api_calls = dict(calls)
            return report
        question = (f"'{org.get('Name')}' is a PRODUCTION org ({org.get('OrganizationType')}): create "
                    f"{planned} entitlement(s){' and stamp open cases' if cases else ''}?")
        if not confirm_production(org, question, confirm, action="backfill"):
            report.cancelled = True
            report.api_calls = dict(calls)
            return report
        if planned == 0 and not any(r.cases_planned for r in results.values()):
            report.api_calls = dict(calls)
            return report
        _execute(sf, project, report, targets, results, createable, start_date, cases, opts.batch_size,
                 policy, opts.journal_dir, org_name, progress, sleep, clock_now)
        report.api_calls = dict(calls)
    return report


def _usage_warning(sf: Salesforce, report: BackfillReport, planned: int) -> None:
    """Warn when the org's remaining daily API calls look too few (from Sforce-Limit-Info)."""
    usage = getattr(sf, "api_usage", {}).get("api-usage")
    if usage is None:
        return
    remaining = usage.total - usage.used
    need = 10 + (planned // 2000 + 1) + (planned // 200 + 1 if report.mode == "collections" else 20)
    if remaining < need:
        report.warnings.append(f"the org has {remaining} API calls left today; this run needs about {need}")


def _execute(sf: Salesforce, project: Project, report, targets, results, createable, start_date, cases, batch_size,
             policy,
             journal_dir, org_name, progress, sleep, clock_now) -> None:
    from slakit import __version__

    run_id = new_run_id(org_name or report.org.get("Name"))
    report.run_id = run_id
    journal = Journal(journal_dir / f"{run_id}.jsonl")
    errors = ErrorCsv(journal_dir / f"{run_id}.errors.csv", ENTITLEMENT_FIELDS)
    case_errors = ErrorCsv(journal_dir / f"{run_id}.case-errors.csv", ("Id", "AccountId", "EntitlementId"))
    report.journal = str(journal.path)
    journal.write("start", run=run_id, org=report.org, org_name=org_name, source=project.source,
                  api_version=project.api_version,
                  tiers=[t.name for t in targets], start_date=start_date.isoformat(), mode=report.mode,
                  cases=cases, sla_start=report.sla_start, slakit=__version__, started=dt.datetime.now(dt.timezone.utc).isoformat())
    status, reason = "complete", None
    ctx = Context(sf, journal, errors, case_errors, report, results, policy, batch_size, progress, sleep)
    ctx.sla_start, ctx.now = report.sla_start or "now", clock_now
    try:
        if report.mode == "bulk":
            from slakit.backfill.apply_bulk import create_bulk

            create_bulk(ctx, targets, createable, start_date)
        elif report.mode == "collections":
            create_collections(ctx, targets, createable, start_date)
        if cases:
            from slakit.backfill.cases import stamp_cases

            stamp_cases(ctx, targets)
    except Stop as stop:
        status, reason = "stopped", stop.reason
        report.stopped = stop.reason
    except BaseException as exc:
        status, reason = "failed", f"{type(exc).__name__}: {exc}"[:300]
        raise _as_org_error(exc) from None
    finally:
        journal.write("end", status=status, reason=reason, totals=report.totals())
        journal.close()
        errors.close()
        case_errors.close()
        report.errors_csv = errors.written or case_errors.written


def _as_org_error(exc: BaseException) -> BaseException:
    from slakit.org.errors import to_org_error

    if isinstance(exc, Exception) and not isinstance(exc, (UsageError, OrgError)):
        try:
            return to_org_error(exc, action="backfill")
        except Exception:  # pragma: no cover
            return exc
    return exc


class Context:
    """What the write phases share: client, journal, error files, report, retry policy."""

    def __init__(self, sf: Salesforce, journal, errors, case_errors, report, results, policy, batch_size, progress,
                 sleep):
        self.sf, self.journal, self.errors, self.case_errors = sf, journal, errors, case_errors
        self.report, self.results, self.policy = report, results, policy
        self.batch_size, self.progress, self.sleep = batch_size, progress, sleep
        self.writer = CollectionWriter(sf, policy)
        self.total = sum(r.planned for r in results.values())
        self.done = 0
        self.sla_start = "now"  # --cases: where stamped cases' clocks start (now | created)
        self.now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)

    def tick(self, phase: str, tier: str | None, n: int, total: int | None = None) -> None:
        self.done += n
        if self.progress is not None:
            t = self.report.totals()
            ok, bad = ("cases_stamped", "cases_failed") if phase == "cases" else ("created", "failed")
            self.progress(ProgressEvent(phase, tier, self.done, total if total is not None else self.total,
                                        t[ok], t[bad]))

    def fail(self, sobject: str, tier: str | None, record: dict, code: str | None, message: str) -> None:
        from slakit.backfill.model import Failure

        (self.case_errors if sobject == CASE.sobject else self.errors).add(record, code, message)
        self.report.add_failure(Failure(sobject, tier, code, message, record))


def create_collections(ctx: Context, targets, createable, start_date) -> None:
    """Stream every tier's accounts (tier by tier) and create entitlements `batch_size` at a time.

    A batch may span two tiers, so the run makes ceil(planned / batch_size) calls in all.
    """
    from slakit.backfill.plan import RecordBuilder, batched, to_create_soql
    from slakit.backfill.stream import records

    def rows():
        for target in targets:
            if ctx.results[target.name].planned == 0:
                continue
            builder = RecordBuilder(target, start_date, createable)
            for account in records(ctx.sf, to_create_soql(target), ctx.policy):
                yield target, builder.build(account["Id"])

    for chunk in batched(rows(), ctx.batch_size):
        batch = [rec for _, rec in chunk]
        tiers = [t for t, _ in chunk]
        try:
            out = ctx.writer.create("Entitlement", batch, reconcile=functools.partial(reconcile, ctx, tiers))
        except Stop as stop:
            record_created(ctx, tiers, batch, stop.partial)
            raise
        record_created(ctx, tiers, batch, out)


def record_created(ctx: Context, tiers: list, batch: list[dict], out) -> None:
    """Journal the created Ids of one batch (a line per tier), then count and file its failures."""
    by_tier: dict[str, tuple[list, list]] = {}
    for target, r, rec in zip(tiers, out, batch):
        if r.ok and r.id:
            ids, accounts = by_tier.setdefault(target.name, ([], []))
            ids.append(r.id)
            accounts.append(rec["AccountId"])
    for name, (ids, accounts) in by_tier.items():
        ctx.journal.write("created", sobject="Entitlement", tier=name, ids=ids, accounts=accounts)
        ctx.results[name].created += len(ids)
    for target, r, rec in zip(tiers, out, batch):
        if not r.ok and r.code != "NOT_PROCESSED":
            ctx.results[target.name].failed += 1
            ctx.fail("Entitlement", target.name, rec, r.code, r.message or "")
    ctx.tick("entitlements", tiers[-1].name if tiers else None, len(batch))


def reconcile(ctx: Context, tiers: list, batch: list[dict]) -> dict[int, str]:
    """After an ambiguous failure: which records of `batch` Salesforce saved anyway."""
    from slakit.backfill.plan import CURRENT
    from slakit.backfill.stream import query_all
    from slakit.org.soql import soql

    accounts = [r["AccountId"] for r in batch]
    rows = query_all(ctx.sf, soql("SELECT Id, AccountId FROM Entitlement WHERE AccountId IN {} AND "
                                  "SlaProcessId IN {} AND {:literal}", accounts,
                                  sorted({v for t in tiers for v in t.version_ids}),
                                  CURRENT), ctx.policy)
    by_account = {r["AccountId"][:15]: r["Id"] for r in rows}
    return {j: by_account[a[:15]] for j, a in enumerate(accounts) if a[:15] in by_account}
