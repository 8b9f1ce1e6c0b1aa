"""Rich tables for the audit, at-risk and report commands (renderables only; the command prints them)."""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text

from slakit.audit.durations import short
from slakit.audit.findings import ORDER, AuditResult
from slakit.audit.report import Report

STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


def audit_table(result: AuditResult) -> Table:
    table = Table(title=f"slakit audit: {result.source}", title_justify="left", expand=False)
    for col in ("status", "check", "finding", "fix"):
        table.add_column(col, overflow="fold")
    for f in sorted(result.findings, key=lambda f: ORDER[f.status]):
        what = f"{f.subject}: {f.message}" if f.subject else f.message
        if f.details:
            what += "\n  " + "\n  ".join(f.details[:10])
        table.add_row(Text(f.status.upper(), style=STYLE[f.status]), f.check, what, f.fix or "")
    return table


def audit_summary(result: AuditResult) -> str:
    c = result.counts()
    return f"{c['fail']} fail, {c['warn']} warn, {c['pass']} pass" + (f", {c['skip']} skipped" if c["skip"] else "")


def at_risk_table(result, tz: dt.tzinfo | None = None) -> Table:
    within = short(result.within_minutes)
    table = Table(title=f"Milestones violated or due within {within} of business time "
                        f"(as of {result.now.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC)", title_justify="left")
    for col in ("case", "account", "tier", "milestone", "owner", "target (UTC)", "remaining"):
        table.add_column(col, justify="right" if col == "remaining" else "left", overflow="fold")
    for r in result.rows:
        style = "bold red" if r.state == "violated" else "yellow" if r.state == "due" else "cyan"
        left = short(r.remaining_minutes) + (" (paused)" if r.state == "paused" else "")
        table.add_row(r.case_number, r.account or "-", r.tier, r.milestone, r.owner or "-",
                      f"{r.target.astimezone(tz or dt.timezone.utc):%Y-%m-%d %H:%M}", Text(left, style=style))
    return table


def report_table(report: Report) -> Table:
    table = Table(title=f"SLA compliance, milestones started {report.since:%Y-%m-%d} to {report.until:%Y-%m-%d} "
                        "(business minutes)", title_justify="left")
    for col in ("tier", "milestone", "count", "met", "violated", "open", "% met", "median", "p90"):
        table.add_column(col, justify="left" if col in ("tier", "milestone") else "right")
    for (tier, milestone), s in sorted(report.groups.items()):
        d = s.as_dict()
        pct = "-" if d["pct_met"] is None else f"{d['pct_met']:.1f}%"
        table.add_row(tier, milestone, str(d["count"]), str(d["met"]), str(d["violated"]), str(d["open"]), pct,
                      short(d["median_minutes"]), short(d["p90_minutes"]))
    return table


def weekly_table(report: Report) -> Table:
    table = Table(title="Per week (ISO weeks, UTC)", title_justify="left")
    for col in ("week", "tier", "milestone", "count", "met", "violated", "% met", "median", "p90"):
        table.add_column(col, justify="left" if col in ("week", "tier", "milestone") else "right")
    for (tier, milestone, week), s in sorted(report.weekly.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
        d = s.as_dict()
        pct = "-" if d["pct_met"] is None else f"{d['pct_met']:.1f}%"
        table.add_row(week.isoformat(), tier, milestone, str(d["count"]), str(d["met"]), str(d["violated"]), pct,
                      short(d["median_minutes"]), short(d["p90_minutes"]))
    return table
