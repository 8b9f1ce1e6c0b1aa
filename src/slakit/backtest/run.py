"""`run_backtest`: replay a period's cases against proposed tiers, tier by tier, page by page.

Which tier a case gets (`tier_from`):
- "accounts" (default): the tier whose `entitlement.accounts` selects the case's account, first
  tier in file order winning, exactly as `slakit backfill` decides (`config.select.accounts_where`):
  each tier's cases are one query, `AccountId IN (SELECT Id FROM Account WHERE <tier clause>)`,
  so Salesforce does the matching and the client never holds a set of accounts;
- "entitlement": the entitlement the case actually had, by its process (any version of the
  process named like the tier, `org.processes.families_by_name`).

Per tier: one `COUNT()`, then the cases stream page by page (REST; a Bulk API 2.0 query job above
`BULK_QUERY_THRESHOLD` cases with `bulk="auto"`), each page's histories are read in batches
(`history.HistoryReader`), each case is replayed milestone by milestone (`verdict.replay`) and
folded into counters (`aggregate`). Nothing of a page is kept once it is folded.

Bulk threshold: Salesforce positions Bulk API 2.0 query for results of 2,000 records or more
(Bulk API 2.0 Developer Guide, "Bulk API 2.0 Query");
below 10,000 cases REST needs at most 5 pages, no more calls than a job (create, polls, results)
and no queueing, so slakit switches at 10,000.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from slakit import clock
from slakit.audit.hours import HoursBook, load_hours
from slakit.backtest.aggregate import Backtest, Proposal
from slakit.backtest.history import CASE_FIELDS, HistoryReader, case_soql, closed_statuses, read_pages, tracked_fields
from slakit.backtest.verdict import Verdict, _needs, replay_all
from slakit.config.project import Project, Tier
from slakit.errors import ConfigError, OrgError, UsageError
from slakit.org.errors import org_errors
from slakit.org.soql import entitlements_enabled, field_names, global_sobjects, soql
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

BULK_QUERY_THRESHOLD = 10_000
TIER_FROM = ("accounts", "entitlement")
ProgressFn = Callable[[str, int, int | None], None]  # (label, cases done, cases expected)
VerdictFn = Callable[[str, str, dict, Verdict], None]  # (tiers file, tier, case record, verdict)


def calendars(project: Project, tier: Tier, book: HoursBook) -> list[clock.Calendar | None]:
    """The calendar of each milestone: the file's hours, else the org's hours of that name."""
    from slakit.simulate import calendar_for

    out = []
    for ms in tier.milestones:
        hours = project.hours_for(tier, ms)
        if hours is None or hours.known:
            out.append(calendar_for(hours))
            continue
        ids = [i for i, n in book.names.items() if n.lower() == hours.name.lower()]
        if not ids:
            raise ConfigError(f"business hours '{hours.name}' are neither defined in the file nor in the org",
                              file=project.source, line=ms.line, field=f"{tier.name} / {ms.name}",
                              hint="add time_zone and hours to that entry, or create the hours in the org")
        out.append(book.calendars[ids[0]])
    return out


def tier_filters(sf: Salesforce, project: Project, tiers: list[Tier], tier_from: str) -> tuple[list[tuple[Tier,
                 str]], list[str]]:
    """(tier, WHERE fragment on Case) for the tiers that can be replayed, and notes for the rest."""
    notes: list[str] = []
    out: list[tuple[Tier, str]] = []
    if tier_from == "accounts":
        from slakit.config.select import accounts_where

        for t in tiers:
            where = accounts_where(project, t)
            if where is None:
                notes.append(f"tier '{t.name}' has no entitlement.accounts clause: no cases replayed "
                             "(use --tier-from entitlement)")
                continue
            out.append((t, f"AccountId IN (SELECT Id FROM Account WHERE {where})"))
        return out, notes
    from slakit.org.processes import families_by_name, read_processes

    families = families_by_name(read_processes(sf), [t.name for t in tiers])
    for t in tiers:
        ids = [v.id for v in families.get(t.name.lower(), [])]
        if not ids:
            notes.append(f"no entitlement process named '{t.name}' in the org: no cases replayed")
            continue
        out.append((t, soql("EntitlementId IN (SELECT Id FROM Entitlement WHERE SlaProcessId IN {})", ids)))
    return out, notes


def _select(project: Project, names: list[str] | None) -> list[Tier]:
    from slakit.config.select import select_tiers

    return select_tiers(project, names)


def run_backtest(project: Project, sf: Salesforce, *, since: dt.datetime, until: dt.datetime,
                 compare: Project | None = None, tier_from: str = "accounts", tiers: list[str] | None = None,
                 bulk: str = "auto", bulk_threshold: int = BULK_QUERY_THRESHOLD,
                 settings: clock.Settings = clock.DEFAULT, progress: ProgressFn | None = None,
                 on_verdict: VerdictFn | None = None, sleep=None) -> Backtest:
    """Replay the cases created in [since, until) against `project` (and `compare`), read only."""
    from slakit.backfill.retry import RetryPolicy, Stop, counting_calls, request_timeout

    if tier_from not in TIER_FROM:
        raise UsageError(f"--tier-from '{tier_from}' is not one of {', '.join(TIER_FROM)}", field="--tier-from")
    if bulk not in ("auto", "always", "never"):
        raise UsageError(f"--bulk '{bulk}' is not one of auto, always, never", field="--bulk")
    if until <= since:
        raise UsageError("the period is empty: --until must be after --since", field="--until")
    projects = [project] + ([compare] if compare is not None else [])
    selected = [_select(p, tiers if p is project else None) for p in projects]
    policy = RetryPolicy(sleep=sleep)
    result = Backtest(since=since, until=until, tier_from=tier_from, proposals=[])
    with counting_calls(sf) as calls, request_timeout(sf):
        try:
            _run(sf, projects, selected, result, tier_from, bulk, bulk_threshold, settings, policy, progress,
                 on_verdict, sleep)
        except Stop as stop:
            raise OrgError(stop.reason) from None
        result.api_calls = dict(calls)
    return result


def _run(sf: Salesforce, projects, selected, result: Backtest, tier_from, bulk, threshold, settings, policy, progress,
         on_verdict, sleep) -> None:
    since, until = result.since, result.until
    names = global_sobjects(sf)
    recorded = entitlements_enabled(sf, names=names)
    if tier_from == "entitlement" and not recorded:
        raise OrgError("Entitlement Management is not enabled in this org, so cases have no entitlements",
                       hint="use --tier-from accounts")
    case_fields = field_names(sf, CASE.sobject)
    needed: set[str] = set()
    responses = False
    for tiers in selected:
        for t in tiers:
            for ms in t.milestones:
                needed |= _needs(ms)[0]
                responses = responses or (ms.completes_when is not None and ms.completes_when.kind == "first_response")
    missing = sorted(f for f in needed if "." not in f and f not in case_fields)
    fields = sorted(f for f in needed if "." not in f and f in case_fields)
    tracked = tracked_fields(sf, fields + ["Status", "IsStopped"], since, until, policy)
    for f in fields:
        if f not in tracked:
            what = "owner changes" if f == "OwnerId" else f"changes of {CASE.field(f)}"
            result.unseen.append(f"{what}: no CaseHistory row in the period (field history not tracked?); "
                                 "milestones that depend on them are 'unknown'")
    if "Status" not in tracked:
        result.unseen.append("status changes: no CaseHistory row for Status; closes come from ClosedDate, "
                             "so a reopened case shows its last close only")
    if "IsStopped" not in tracked:
        result.unseen.append("past pauses: no CaseHistory row for IsStopped; only cases stopped now "
                             "(IsStopped, StopStartDate) are paused in the replay")
    if "EmailMessage" not in names and responses:
        result.unseen.append("outbound emails: EmailMessage is not available; first responses come from comments")
        responses = "CaseComment" in names
    for f in missing:
        result.unseen.append(f"{CASE.field(f)} does not exist in the org; milestones that use it are 'unknown'")
    reader = HistoryReader(sf, fields=fields + missing, tracked=tracked, closed=closed_statuses(sf, policy),
                           responses=responses, recorded=recorded, until=until, policy=policy)
    book = load_hours(sf, projects[0])
    select = list(dict.fromkeys(list(CASE_FIELDS) + fields))
    for project, tiers in zip(projects, selected):
        proposal = Proposal(source=str(project.source), since=since, until=until)
        result.proposals.append(proposal)
        filters, notes = tier_filters(sf, project, tiers, tier_from)
        proposal.notes.extend(notes)
        for tier, where in filters:
            cals = calendars(project, tier, book)
            query = case_soql(select, since, until, where)
            counting = case_soql(["COUNT()"], since, until, where)
            with org_errors(f"counting cases of {tier.name}"):
                expected = int(policy.call(lambda: sf.query(counting))["totalSize"])
            use_bulk = bulk == "always" or (bulk == "auto" and expected > threshold)
            result.modes[f"{project.source} / {tier.name}"] = "bulk" if use_bulk else "rest"
            label = f"{tier.name}" + (f" ({project.source})" if len(projects) > 1 else "")
            done = 0
            for page in read_pages(sf, query, use_bulk=use_bulk, policy=policy, sleep=sleep):
                for case, facts, recs in reader.facts(page):
                    for ms, cal in zip(tier.milestones, cals):
                        for v in replay_all(facts, ms, cal, until, settings):
                            proposal.add_verdict(tier.name, ms, v)
                            if on_verdict is not None:
                                on_verdict(str(project.source), tier.name, case, v)
                    for rec in recs:
                        proposal.add_recorded(tier.name, rec, book)
                    done += 1
                if progress is not None:
                    progress(label, done, expected)
            proposal.cases[tier.name] += done
            result.cases_read += done
