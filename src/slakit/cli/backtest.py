"""`slakit backtest`: what a period would have looked like under proposed tiers (read only).

    slakit backtest tiers.yml --org prod --since 90d [--until DATE] [--compare other.yml]
                    [--tier-from accounts|entitlement] [--html backtest.html] [--verdicts cases.csv] [--json]

Parses options, calls `slakit.backtest.run_backtest`, prints a table per proposal (or one JSON
document); progress goes to stderr. Exit 0 unless the options, the files or the org are wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, List, Optional

import typer

from slakit.cli.common import console, emit_json, err_console

if TYPE_CHECKING:
    import _csv


def _table(p):
    from rich.table import Table

    from slakit.audit.durations import short

    table = Table(title=f"backtest: {p.source} (business minutes; recorded = the org's CaseMilestones)",
                  title_justify="left")
    for col in ("tier", "milestone", "cases", "met", "missed", "open", "exited", "unknown", "% met", "median",
                "p90", "warn emails", "viol emails", "tasks", "recorded % met"):
        table.add_column(col, justify="left" if col in ("tier", "milestone") else "right")
    for (tier, milestone), g in sorted(p.groups.items()):
        d = g.as_dict()
        a, r = d["actions"], d["recorded"]

        def pct(x):
            return "-" if x is None else f"{x:.1f}%"
        table.add_row(tier, milestone, *(str(d[k]) for k in ("cases", "met", "missed", "open", "exited", "unknown")),
                      pct(d["pct_met"]), short(d["median_minutes"]), short(d["p90_minutes"]),
                      str(a["warning_emails"]), str(a["violation_emails"]),
                      str(a["warning_tasks"] + a["violation_tasks"]), pct(r["pct_met"]))
    return table


class _Verdicts:
    """Writes one CSV row per replayed milestone (`--verdicts`), streamed."""

    COLUMNS = ("tiers_file", "tier", "case_id", "case_number", "milestone", "outcome", "start", "target",
               "completed", "business_minutes", "warnings_fired", "violation_fired", "reason")

    def __init__(self, path: Optional[Path]):
        self.path = path
        self.file: IO[str] | None = None
        self.writer: _csv.Writer | None = None

    def __enter__(self):
        if self.path is not None:
            import csv

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.file = self.path.open("w", newline="", encoding="utf-8")
            self.writer = csv.writer(self.file)
            self.writer.writerow(self.COLUMNS)
        return self

    def __call__(self, source, tier, case, v) -> None:
        def iso(t):
            return t.isoformat() if t is not None else ""
        if self.writer is not None:
            self.writer.writerow([source, tier, case.get("Id"), case.get("CaseNumber"), v.milestone, v.outcome,
                                  iso(v.start), iso(v.target), iso(v.completed),
                                  "" if v.minutes is None else v.minutes, v.warnings_fired,
                                  str(v.violation_fired).lower(), v.reason or ""])

    def __exit__(self, *exc) -> None:
        if self.file is not None:
            self.file.close()


def register(app: typer.Typer) -> None:
    @app.command()
    def backtest(
        tiers_file: Path = typer.Argument(..., help="The proposed tiers.yml."),
        org: str = typer.Option(..., "--org", help="CumulusCI org name (read only).", show_default=False),
        since: str = typer.Option("90d", "--since", help="Cases created since: 90d, 12w, or 2026-01-01."),
        until: Optional[str] = typer.Option(None, "--until", help="End of the period (ISO instant or date; "
                                            "default now)."),
        compare: Optional[Path] = typer.Option(None, "--compare", help="A second tiers file replayed on the same "
                                               "cases."),
        tier_from: str = typer.Option("accounts", "--tier-from", help="accounts: each tier's entitlement.accounts "
                                      "(as backfill decides); entitlement: the entitlement the case had."),
        tier: List[str] = typer.Option([], "--tier", help="Only this tier of tiers.yml; repeatable."),
        bulk: str = typer.Option("auto", "--bulk", help="Read cases with Bulk API 2.0: auto (above 10,000 "
                                 "cases a tier), always, never."),
        html: Optional[Path] = typer.Option(None, "--html", help="Also write a self-contained HTML page here."),
        verdicts: Optional[Path] = typer.Option(None, "--verdicts", help="Also write one CSV row per case and "
                                                "milestone here."),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Replay a period's cases against proposed tiers: met, missed, minutes and actions, beside the org's."""
        import datetime as dt

        from slakit.audit.durations import parse_since
        from slakit.backtest.run import TIER_FROM, run_backtest
        from slakit.cli.audit import _instant
        from slakit.cli.common import check_choice
        from slakit.config import load_project

        check_choice(tier_from, "--tier-from", TIER_FROM)
        check_choice(bulk, "--bulk", ("auto", "always", "never"))
        now = _instant(until, "--until") or dt.datetime.now(dt.timezone.utc)
        start = parse_since(since, now)
        if now <= start:  # before the org is contacted (run_backtest says it again for the cci task)
            from slakit.errors import UsageError

            raise UsageError(f"the period is empty: --until {now.isoformat()} is not after --since "
                             f"{start.isoformat()}", field="--until")
        project = load_project(tiers_file)
        other = load_project(compare) if compare is not None else None
        from slakit.config.select import select_tiers

        select_tiers(project, list(tier) or None)  # an unknown --tier fails before the org is contacted
        from slakit.org.connect import connect_project

        conn = connect_project(org, project)
        with err_console.status("reading cases...") as status, _Verdicts(verdicts) as sink:
            def progress(label, done, total):
                status.update(f"replaying {label}: {done:,} of {total if total is not None else '?':,} cases")

            result = run_backtest(project, conn.sf, since=start, until=now, compare=other, tier_from=tier_from,
                                  tiers=list(tier) or None, bulk=bulk, progress=progress, on_verdict=sink)
        if html is not None:
            from slakit.backtest.html import write_html

            html.parent.mkdir(parents=True, exist_ok=True)
            write_html(result, html, title=f"SLA backtest: {org}")
        if as_json:
            emit_json({**result.as_dict(), "html": str(html) if html else None,
                       "verdicts": str(verdicts) if verdicts else None})
            return
        for p in result.proposals:
            console.print(_table(p))
            for note in p.notes:
                console.print(f"note: {note}", markup=False, highlight=False)
        for line in result.unseen:
            console.print(f"cannot see: {line}", markup=False, highlight=False)
        console.print(f"{result.cases_read:,} cases replayed; API calls: "
                      + ", ".join(f"{k} {v}" for k, v in sorted(result.api_calls.items())), markup=False,
                      highlight=False)
        for path in (html, verdicts):
            if path is not None:
                console.print(f"wrote {path}", markup=False, highlight=False)
