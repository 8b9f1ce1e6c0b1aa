"""`slakit simulate`: when each milestone of a tier starts, warns, is due and is violated for a
case opened at a given instant (optionally stopped and resumed), offline, as a rich timeline or
one JSON document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import List, Optional

import typer

from slakit.cli.common import console, emit_result


def _fmt_minutes(n: int) -> str:
    h, m = divmod(n, 60)
    if not h:
        return f"{m}m"
    return f"{h}h{m:02d}" if m else f"{h}h"


def _local(instant: dt.datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    x = instant.astimezone(ZoneInfo(zone))
    return x.strftime("%a %Y-%m-%d %H:%M ") + (x.tzname() or "")


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%MZ")


def _print_timeline(tl, simulate_mod) -> None:
    from rich.table import Table

    console.print(f"[bold]{tl.tier}[/bold]  opened {_utc(tl.opened)}", highlight=False)
    for s, r in tl.stops:
        console.print(f"  stopped {_utc(s)} -> resumed {_utc(r)} (no budget used while stopped)")
    for m in tl.milestones:
        hours = f"'{m.business_hours}' ({m.time_zone})" if m.business_hours else "24/7 (no business hours)"
        title = f"{m.name}: {m.time_limit_text} = {m.time_limit_minutes:,} business minutes on {hours}"
        table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("event")
        table.add_column(f"local ({m.time_zone})")
        table.add_column("UTC")
        t = m.times
        label = "start" + (" (criteria time assumed = opening)" if m.assumed_criteria else
                           " (criteria time)" if m.start_mode == "criteria" and m.conditional else "")
        table.add_row(label, _local(t.start, m.time_zone), _utc(t.start))
        if t.counting_from != t.start:
            table.add_row("clock starts counting", _local(t.counting_from, m.time_zone), _utc(t.counting_from))
        for w in t.warnings:
            pct = simulate_mod._percent(w.percent)
            table.add_row(f"warning {pct}% ({_fmt_minutes(w.offset_minutes)} before target)",
                          _local(w.at, m.time_zone), _utc(w.at))
        table.add_row("[bold]target[/bold]", _local(t.target, m.time_zone), _utc(t.target))
        table.add_row("violation (violated once past target)",
                      _local(t.violation, m.time_zone), _utc(t.violation))
        console.print(table)
        used = ", ".join(f"{d.strftime('%a %m-%d')} {_fmt_minutes(n)}" for d, n in t.used_by_day)
        console.print(f"  budget used per day ({m.time_zone}): {used}", markup=False, highlight=False)
        notes = []
        if m.conditional:
            notes.append("applies only when its criteria hold; simulated as if they do")
        if m.recurrence != "none":
            notes.append(f"recurrence {m.recurrence}: first occurrence shown")
        for n in notes:
            console.print(f"  note: {n}", markup=False, highlight=False)
    console.print()


def register(app: typer.Typer) -> None:
    @app.command()
    def simulate(
        tiers: Path = typer.Argument(..., help="The tiers.yml to simulate.", show_default=False),
        opened: str = typer.Option(..., "--opened", help="When the case opens, ISO-8601 with an offset: "
                                   "2026-02-06T16:30-05:00 or 2026-02-06T21:30Z.", show_default=False),
        tier: Optional[str] = typer.Option(None, "--tier", help="One tier (default: every tier)."),
        stop: List[str] = typer.Option([], "--stop", help="Case stopped at (repeatable, pairs with --resume)."),
        resume: List[str] = typer.Option([], "--resume", help="Case resumed at (one per --stop)."),
        criteria_at: Optional[str] = typer.Option(None, "--criteria-at",
                                                  help="When milestone criteria become true (start: criteria)."),
        boundary: str = typer.Option("at_close", "--boundary",
                                     help="A budget ending exactly at closing time is due at_close or next_open."),
        warning_time: str = typer.Option("business", "--warning-time",
                                         help="Warning offsets count business or wall time."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document: the tier's timeline "
                                      "with --tier, else {\"ok\", \"timelines\"}."),
    ) -> None:
        """Simulate milestone starts, warnings, targets and violations for a case opened at --opened."""
        from slakit import clock
        from slakit import simulate as sim
        from slakit.errors import UsageError

        try:
            settings = clock.Settings(boundary=clock.Boundary(boundary),
                                      warning_time=clock.WarningTime(warning_time))
        except ValueError:
            raise UsageError(f"--boundary {boundary} / --warning-time {warning_time} not understood",
                             hint="--boundary at_close|next_open, --warning-time business|wall") from None
        timelines = sim.run(tiers, opened=opened, tier=tier, stops=stop, resumes=resume,
                            criteria_at=criteria_at, settings=settings)
        if json_out:
            docs = [sim.to_json(tl) for tl in timelines]
            emit_result(docs[0] if tier is not None else {"timelines": docs})
            return
        for tl in timelines:
            _print_timeline(tl, sim)
        c = settings.describe()
        console.print(f"conventions: budget ending at closing time -> {c['boundary']}; warning offsets count "
                      f"{c['warning_time']} time; violation at target; seconds dropped", markup=False,
                      highlight=False)
