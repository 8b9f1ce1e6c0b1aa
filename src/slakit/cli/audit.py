"""`slakit audit`, `slakit at-risk` and `slakit report`: where an org stands against its SLAs.

Each command parses options, calls one domain function in `slakit.audit`, and prints a rich
table (or one JSON document with --json). Exit codes: audit 1 when any finding fails; the others
0 unless the org or the options are wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from slakit.cli.common import console, emit_json, emit_result, err_console

if TYPE_CHECKING:
    from slakit.config.project import Project

def _project(tiers: Optional[Path]):
    if tiers is None:
        return None
    from slakit.config import load_project

    return load_project(tiers)


def _connect(org: str, project: Project):
    from slakit.org.connect import connect_project

    return connect_project(org, project)


def _instant(text: Optional[str], option: str):
    """An ISO instant ('2026-03-02T15:00Z') or date (UTC midnight); None stays None."""
    import datetime as dt

    from slakit.errors import UsageError

    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"cannot read '{text}' as an instant", field=option,
                         hint="write e.g. 2026-03-02T15:00Z or 2026-03-02") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def register(app: typer.Typer) -> None:
    @app.command()
    def audit(
        tiers: Optional[Path] = typer.Argument(None, help="tiers.yml: also check accounts per tier and drift."),
        org: Optional[str] = typer.Option(None, "--org", help="CumulusCI org name to audit (read only)."),
        metadata: Optional[Path] = typer.Option(None, "--metadata", help="Audit a retrieved or rendered metadata "
                                                "folder instead of an org (mdapi or source format)."),
        no_drift: bool = typer.Option(False, "--no-drift", help="Skip the tiers.yml vs org comparison."),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Check an org (or a metadata folder) against the Entitlement Management checklist."""
        from slakit.errors import UsageError

        if bool(org) == bool(metadata):
            raise UsageError("give exactly one of --org NAME or --metadata DIR", field="--org")
        project = _project(tiers)
        if metadata is not None:
            from slakit.audit.offline import audit_metadata

            result = audit_metadata(metadata, project)
        else:
            from slakit.audit.live import audit_org

            assert org is not None  # exactly one of --org / --metadata, checked above
            conn = _connect(org, project)
            with err_console.status(f"auditing org {org}..."):
                result = audit_org(conn, project=project, drift=not no_drift)
        if as_json:
            emit_json(result.as_dict())
        else:
            from slakit.cli.audit_tables import audit_summary, audit_table

            console.print(audit_table(result))
            console.print(audit_summary(result), markup=False, highlight=False)
        raise typer.Exit(result.exit_code)

    @app.command("at-risk")
    def at_risk_cmd(
        tiers_file: Optional[Path] = typer.Argument(None, help="tiers.yml (its business hours carry holidays)."),
        org: str = typer.Option(..., "--org", help="CumulusCI org name (read only).", show_default=False),
        within: str = typer.Option("2h", "--within", help="Business time window: 30m, 2h, 1h30m, 1d."),
        tier: List[str] = typer.Option([], "--tier", help="Only this tier (entitlement process); repeatable."),
        watch: Optional[int] = typer.Option(None, "--watch", help="Refresh every N seconds until Ctrl-C.",
                                            min=10),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
        as_of: Optional[str] = typer.Option(None, "--as-of", hidden=True, help="Judge as of this ISO instant."),
    ) -> None:
        """Open milestones violated or due within a window of business time, soonest first."""
        from slakit.audit.at_risk import at_risk
        from slakit.audit.durations import parse_minutes
        from slakit.audit.hours import load_hours
        from slakit.cli.audit_tables import at_risk_table

        minutes = parse_minutes(within, option="--within")
        if watch and as_json:
            from slakit.errors import UsageError

            raise UsageError("--watch refreshes a table; drop --json", field="--watch")
        now = _instant(as_of, "--as-of")  # bad options fail before the org is contacted
        project = _project(tiers_file)
        conn = _connect(org, project)
        book = load_hours(conn.sf, project)

        def snapshot():
            return at_risk(conn.sf, within_minutes=minutes, tiers=list(tier) or None, project=project, book=book,
                           now=now)

        if not watch:
            result = snapshot()
            if as_json:
                emit_result(result.as_dict())
            else:
                console.print(at_risk_table(result))
                c = result.counts()
                console.print(f"{c['violated']} violated, {c['due']} due, {c['paused']} paused "
                              f"({result.scanned} open milestones read)", markup=False, highlight=False)
            return
        from rich.console import Group
        from rich.live import Live
        from rich.text import Text

        from slakit.audit.watch import watch as watch_loop

        def view(result):
            c = result.counts()
            return Group(at_risk_table(result), Text(f"{c['violated']} violated, {c['due']} due, {c['paused']} "
                                                     f"paused; refreshing every {watch}s (Ctrl-C to stop)"))

        def on_error(exc):  # keep the last table, say why it is stale
            err_console.print(f"refresh failed, retrying in {watch}s: {exc.message}", markup=False, highlight=False)

        if not console.is_terminal:  # piped or logged: one table per refresh, in order
            def show(result):
                console.print(view(result))
            watch_loop(snapshot, show, every=watch, on_error=on_error)
            raise typer.Exit(0)
        with Live(console=console, auto_refresh=False) as live:
            def show(result):
                live.update(view(result), refresh=True)
            watch_loop(snapshot, show, every=watch, on_error=on_error)
        raise typer.Exit(0)

    @app.command()
    def report(
        tiers_file: Optional[Path] = typer.Argument(None, help="tiers.yml (its business hours carry holidays)."),
        org: str = typer.Option(..., "--org", help="CumulusCI org name (read only).", show_default=False),
        since: str = typer.Option("30d", "--since", help="Milestones started since: 30d, 12w, or 2026-01-01."),
        until: Optional[str] = typer.Option(None, "--until", help="End of the period (ISO instant or date; "
                                            "default now)."),
        tier: List[str] = typer.Option([], "--tier", help="Only this tier (entitlement process); repeatable."),
        html: Optional[Path] = typer.Option(None, "--html", help="Also write a self-contained HTML report here."),
        weekly: bool = typer.Option(False, "--weekly", help="Also print the per-week table."),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    ) -> None:
        """Compliance per tier, milestone and week: count, met, violated, % met, median and p90."""
        import datetime as dt

        from slakit.audit.durations import parse_since
        from slakit.audit.report import compliance_report

        now = _instant(until, "--until") or dt.datetime.now(dt.timezone.utc)
        start = parse_since(since, now)
        project = _project(tiers_file)
        conn = _connect(org, project)
        with err_console.status("reading milestones...") as status:
            def progress(done, total):
                status.update(f"reading milestones... {done:,} of {total if total is not None else '?':,}")

            result = compliance_report(conn.sf, since=start, until=now, tiers=list(tier) or None, project=project,
                                       progress=progress)
        if html is not None:
            from slakit.audit.html import write_html

            html.parent.mkdir(parents=True, exist_ok=True)
            write_html(result, html, title=f"SLA compliance: {org}")
        if as_json:
            emit_result({**result.as_dict(), "html": str(html) if html else None})
            return
        from slakit.cli.audit_tables import report_table, weekly_table

        console.print(report_table(result))
        if weekly:
            console.print(weekly_table(result))
        if html is not None:
            console.print(f"wrote {html}", markup=False, highlight=False)
