"""`slakit smoke`: sandbox smoke tests of the tiers with shortened time limits.

Parses options, calls `slakit.smoke.smoke_tiers` (domain code), prints live progress on stderr,
then a table of checks (or one JSON document with --json) and writes JUnit XML with --junit.
Exit codes: 0 every check passed, 1 any failure or error (or records left behind), 2 bad
options, 130 interrupted (after cleaning up).
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from slakit.cli.common import console, emit_json, err_console

STYLE = {"pass": "green", "fail": "red", "error": "red", "skip": "yellow"}


def print_table(report) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("tier", no_wrap=True)
    table.add_column("check")
    table.add_column("result", no_wrap=True)
    table.add_column("observed / why")
    for tier in report.groups():
        for c in report.for_tier(tier):
            detail = c.observed or ""
            if c.status in ("fail", "error"):
                detail = "; ".join(x for x in (f"expected {c.expected}" if c.expected else "",
                                               f"observed {c.observed}" if c.observed else "", c.message or "") if x)
            elif c.status == "skip":
                detail = c.message or ""
            table.add_row(Text(tier or "(run)"), Text(c.name), Text(c.status, style=STYLE[c.status]), Text(detail))
    console.print(table, soft_wrap=False)


def summary(report, org: str) -> str:
    n = report.counts()
    c = report.cleanup
    cleanup = (f"kept {len(c.left)} record(s), tag '{report.tag}'" if c.kept else
               f"{len(c.deleted)} record(s) deleted" + (f", {len(c.left)} LEFT (tag '{report.tag}')" if c.left else ""))
    verdict = "passed" if report.ok else "FAILED"
    return (f"Smoke run {report.run_id} on {org} {verdict}: {n['pass']} passed, {n['fail']} failed, "
            f"{n['error']} errors, {n['skip']} skipped; {cleanup}; {report.api_calls} API calls, "
            f"{report.seconds / 60:.1f} min.")


def register(app: typer.Typer) -> None:
    @app.command()
    def smoke(
        tiers: Path = typer.Argument(..., help="The tiers.yml whose tiers to smoke-test."),
        org: str = typer.Option(..., "--org", help="CumulusCI org name: a sandbox or scratch org."),
        tier: Optional[List[str]] = typer.Option(None, "--tier", help="Only this tier (repeat for more)."),
        minutes: int = typer.Option(4, "--minutes", help="Shortest smoke time limit, in minutes (longer where "
                                    "warning percentages need it to stay whole minutes)."),
        junit: Optional[Path] = typer.Option(None, "--junit", help="Write JUnit XML here (for pipelines)."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document instead of the table."),
        wait_actions: bool = typer.Option(False, "--wait-actions", help="Also wait for the actions' field updates "
                                          "and tasks (Salesforce runs them up to an hour late)."),
        actions_timeout: str = typer.Option("75m", "--actions-timeout", help="How long --wait-actions waits."),
        keep: bool = typer.Option(False, "--keep", help="Leave the smoke records in the org for a human."),
    ) -> None:
        """Deploy a smoke variant of the tiers to a sandbox, create tagged cases, check the SLA clock
        end to end (stamping, targets, completions, violations), then clean up."""
        from slakit.smoke import SmokeInterrupted, smoke_tiers, write_junit
        from slakit.smoke.options import SmokeOptions, parse_duration

        timeout = parse_duration(actions_timeout, "--actions-timeout")
        opts = SmokeOptions(tiers=tiers, tier=tuple(tier or ()), minutes=minutes, junit=junit,
                            wait_actions=wait_actions, actions_timeout=timeout, keep=keep)
        junit = opts.junit
        try:
            with err_console.status("starting", spinner="dots") as status:
                def progress(text: str) -> None:
                    status.update(text)

                report = smoke_tiers(opts, org, progress=progress)
        except SmokeInterrupted as exc:
            report = exc.report
            if junit:
                write_junit(report, junit)
            if json_out:
                emit_json(report.as_dict())
            err_console.print(summary(report, org), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(130)
        if junit:
            write_junit(report, junit)
        if json_out:
            emit_json(report.as_dict())
        else:
            print_table(report)
            for note in report.notes:
                err_console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
            console.print(summary(report, org), markup=False, highlight=False, soft_wrap=True)
        if not report.ok:
            raise typer.Exit(1)
