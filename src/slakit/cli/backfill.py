"""`slakit backfill`: create missing entitlements on existing accounts (and stamp open cases),
with a progress bar on stderr and a closing table per tier; `--undo JOURNAL` reverses a run.

    slakit backfill tiers.yml --org uat --dry-run
    slakit backfill tiers.yml --org uat --cases [--tier Gold]... [--bulk auto|always|never] [--yes]
    slakit backfill --undo .slakit/journal/<run>.jsonl --org uat

Exit codes: 0 done, 1 anything failed / stopped / cancelled, 2 bad options.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

import typer

from slakit.cli.common import console, emit_json, err_console

if TYPE_CHECKING:
    from slakit.backfill.options import BackfillOptions


class _Bar:
    """A rich progress bar (counts, ETA) on stderr, fed by the domain's progress events."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.progress: Any = None  # rich.progress.Progress, imported lazily (keeps --help fast)
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> "_Bar":
        if self.enabled:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[ok_label]} {task.fields[created]} failed {task.fields[failed]}"),
                                     TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                     console=err_console, transient=False)
            self.progress.start()
        return self

    def __call__(self, event) -> None:
        if self.progress is None:
            return
        task = self.tasks.get(event.phase)
        if task is None:
            label = {"cases": "stamped", "undo": "undone"}.get(event.phase, "created")
            task = self.tasks[event.phase] = self.progress.add_task(event.phase, total=max(event.total, 1),
                                                                    created=0, failed=0, ok_label=label)
        self.progress.update(task, completed=event.done, total=max(event.total, 1), created=event.created,
                             failed=event.failed)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()


def _confirm(yes: bool):
    if yes:
        return lambda question: True
    if sys.stdin.isatty():
        return lambda question: typer.confirm(question, default=False, err=True)
    return None  # not interactive: the domain refuses production and says to pass --yes


def _print_report(report, cases: bool, org_name: str) -> None:
    from rich.table import Table

    kind = "sandbox" if report.org.get("IsSandbox") else "production"
    console.print(f"org: {report.org.get('Name')} ({kind})", markup=False, highlight=False)
    table = Table(title="backfill plan (dry run: nothing written)" if report.dry_run else "backfill",
                  title_justify="left")
    for col in ("tier", "matched", "skipped", "planned") + (() if report.dry_run else ("created", "failed")):
        table.add_column(col, justify="left" if col == "tier" else "right")
    if cases:
        table.add_column("open cases", justify="right")
        if not report.dry_run:
            table.add_column("stamped", justify="right")
    for t in report.tiers:
        row = [t.name + (f" ({t.note})" if t.note else ""), str(t.matched), str(t.skipped), str(t.planned)]
        if not report.dry_run:
            row += [str(t.created), str(t.failed)]
        if cases:
            row.append("-" if t.cases_planned is None else str(t.cases_planned))
            if not report.dry_run:
                row.append(f"{t.cases_stamped}" + (f" ({t.cases_failed} failed)" if t.cases_failed else ""))
        table.add_row(*row)
    console.print(table)
    console.print(f"mode: {report.mode}; start date {report.start_date}", markup=False, highlight=False)
    if cases and report.sla_start:
        at_once = sum(t.cases_violated_at_once or 0 for t in report.tiers)
        if_created = sum(t.cases_violated_if_created or 0 for t in report.tiers)
        verb = "would be" if report.dry_run else "were"
        line = f"open cases violated at once: {at_once} {verb} (--sla-start {report.sla_start})"
        if report.sla_start == "now":
            line += f"; with --sla-start created: {if_created}"
        console.print(line, markup=False, highlight=False)
    if report.dry_run:
        for t in report.tiers:
            for s in t.samples:
                console.print(f"  {t.name}: {s['Account']} ({s['AccountId']})", markup=False, highlight=False)
    for w in report.warnings:
        err_console.print(f"warning: {w}", style="yellow", markup=False, highlight=False)
    if report.journal:
        console.print(f"journal: {report.journal}  (undo: slakit backfill --undo {report.journal} --org {org_name})",
                      markup=False, highlight=False, soft_wrap=True)
    if report.errors_csv:
        console.print(f"failures: {report.failure_count}, written to {report.errors_csv}", markup=False,
                      highlight=False, soft_wrap=True)
        for f in report.failures[:5]:
            who = f"account {f.record['AccountId']}" if f.record.get("AccountId") else f"{f.sobject} {f.record.get('Id')}"
            console.print(f"  {who}: {f.code}: {f.message}",
                          markup=False, highlight=False, soft_wrap=True)
    if report.stopped:
        err_console.print(f"stopped: {report.stopped}", style="red", markup=False, highlight=False, soft_wrap=True)
    if report.cancelled:
        err_console.print("cancelled: nothing was written", style="red", markup=False, highlight=False)


def _print_undo(report) -> None:
    what = "would delete" if report.dry_run else "deleted"
    console.print(f"undo of {report.journal} on {report.org.get('Name')}", markup=False, highlight=False)
    if report.dry_run:
        console.print(f"  {what} {report.planned_deletes} entitlement(s), clear {report.planned_clears} case stamp(s)",
                      markup=False, highlight=False)
        return
    console.print(f"  {what} {report.deleted} entitlement(s) ({report.already_gone} already gone); cleared "
                  f"{report.cases_cleared} case stamp(s) ({report.cases_changed} changed since, left alone); "
                  f"failed {report.failure_count}", markup=False, highlight=False)
    if report.errors_csv:
        console.print(f"  failures written to {report.errors_csv}", markup=False, highlight=False)
    if report.stopped:
        err_console.print(f"stopped: {report.stopped}", style="red", markup=False, highlight=False)
    if report.cancelled:
        err_console.print("cancelled: nothing was changed", style="red", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def backfill(
        tiers_file: Optional[Path] = typer.Argument(None, metavar="TIERS", help="The tiers.yml to backfill."),
        org: str = typer.Option(..., "--org", help="CumulusCI org name (cci org list, or CUMULUSCI_ORG_<NAME>)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Show the plan (counts per tier, samples); write nothing."),
        cases: bool = typer.Option(False, "--cases", help="Also stamp open cases that have no entitlement."),
        tier: List[str] = typer.Option([], "--tier", help="Only this tier (repeatable; file order still decides)."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
        batch_size: int = typer.Option(200, "--batch-size", help="Records per sObject Collections call (1-200)."),
        bulk: str = typer.Option("auto", "--bulk", help="auto (Bulk API 2.0 above 2,000 records), always, never."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before writing to a production org."),
        start: Optional[str] = typer.Option(None, "--start", help="Entitlement StartDate, YYYY-MM-DD (default today)."),
        sla_start: str = typer.Option("now", "--sla-start",
                                      help="--cases: start stamped cases' clocks now (default) or at their creation."),
        undo_journal: Optional[Path] = typer.Option(None, "--undo", help="Reverse the run recorded in this journal."),
        journal_dir: Path = typer.Option(Path(".slakit/journal"), "--journal-dir", help="Where journals go."),
    ) -> None:
        """Create missing entitlements on existing accounts (and stamp open cases); --undo reverses a run."""
        from slakit.backfill.options import BackfillOptions

        # bad option values fail (exit 2) before tiers.yml is read or the org is contacted
        opts = BackfillOptions(tiers=tiers_file, tier=tuple(tier), dry_run=dry_run, cases=cases,
                               batch_size=batch_size, bulk=bulk, yes=yes, start=start, sla_start=sla_start,
                               undo=undo_journal, journal_dir=journal_dir)
        if opts.undo is not None:
            _undo(opts, org, json_out)
            return
        assert opts.tiers is not None  # BackfillOptions: TIERS or --undo
        from slakit.backfill import run_backfill
        from slakit.config.select import select_tiers
        from slakit.config import load_project
        from slakit.org.connect import connect_project

        project = load_project(opts.tiers)
        select_tiers(project, list(opts.tier) or None)  # a wrong --tier is a usage error before the org is read
        conn = connect_project(org, project)
        with _Bar(enabled=not opts.dry_run) as bar:
            report = run_backfill(project, conn.sf, opts, progress=bar, confirm=_confirm(opts.yes), org_name=org)
        if json_out:
            emit_json(report.as_dict())
        else:
            _print_report(report, opts.cases, org)
        if not report.ok:
            raise typer.Exit(1)


def _undo(opts: BackfillOptions, org: str, json_out: bool) -> None:
    from slakit.backfill import undo
    from slakit.backfill.journal import journal_header
    from slakit.org.connect import connect_project
    from slakit.salesforce import DEFAULT_API_VERSION

    assert opts.undo is not None  # the caller checked
    header = journal_header(opts.undo)
    conn = connect_project(org, None, api_version=str(header.get("api_version") or DEFAULT_API_VERSION))
    with _Bar(enabled=not opts.dry_run) as bar:
        report = undo(opts, conn.sf, confirm=_confirm(opts.yes), progress=bar)
    if json_out:
        emit_json(report.as_dict())
    else:
        _print_undo(report)
    if not report.ok:
        raise typer.Exit(1)
