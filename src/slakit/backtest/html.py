"""The backtest as one self-contained HTML page, in the style of `slakit report`'s (its CSS, its
compliance-trend and violations charts from `slakit.audit.html`, plotly.js inline so the file
opens offline): per proposal the headline numbers (replayed and recorded), the trend per tier,
the would-be violations by milestone, the actions that would have fired, and the table per tier
and milestone beside what the org recorded; with `--compare`, a table of both proposals.
"""

from __future__ import annotations

import html as _html
from pathlib import Path

from slakit.audit.durations import short
from slakit.audit.html import CSS, GOOD_PCT, _pct, trend_figure, violations_figure
from slakit.backtest.aggregate import Backtest, Proposal

CONFIG = {"displaylogo": False, "responsive": True}
EXTRA_CSS = "h2{margin:24px 0 8px;font-size:18px}ul.notes{font-size:13px;color:#52606d}"


def _e(value: object) -> str:
    return _html.escape(str(value))


def actions_figure(p: Proposal):
    import plotly.graph_objects as go

    tiers = sorted({t for t, _ in p.groups})
    fig = go.Figure()
    for key, label in (("warning_emails", "warning emails"), ("violation_emails", "violation emails"),
                       ("warning_tasks", "warning tasks"), ("violation_tasks", "violation tasks")):
        y = [sum(g.actions.get(key, 0) for (t, _), g in p.groups.items() if t == tier) for tier in tiers]
        fig.add_trace(go.Bar(x=tiers, y=y, name=label))
    fig.update_layout(title="Actions that would have fired (the noise of the policy)", barmode="group", height=360,
                      template="plotly_white", yaxis=dict(title="count"), margin=dict(l=60, r=20, t=60, b=50),
                      legend=dict(orientation="h", y=-0.25))
    return fig


def _table(p: Proposal) -> str:
    head = ("Tier", "Milestone", "Cases", "Met", "Missed", "Open", "Exited", "Unknown", "% met", "Median", "P90",
            "Warning emails", "Violation emails", "Tasks", "Recorded % met", "Recorded violated")
    rows = []
    for (tier, milestone), g in sorted(p.groups.items()):
        d = g.as_dict()
        cls = "bad" if d["pct_met"] is not None and d["pct_met"] < GOOD_PCT else "ok"
        a, r = d["actions"], d["recorded"]
        cells = [tier, milestone, d["cases"], d["met"], d["missed"], d["open"], d["exited"], d["unknown"]]
        rows.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells)
                    + f'<td class="{cls}">{_pct(d["pct_met"])}</td><td>{short(d["median_minutes"])}</td>'
                    f'<td>{short(d["p90_minutes"])}</td><td>{a["warning_emails"]}</td><td>{a["violation_emails"]}</td>'
                    f'<td>{a["warning_tasks"] + a["violation_tasks"]}</td><td>{_pct(r["pct_met"])}</td>'
                    f'<td>{r["violated"]}</td></tr>')
    return ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _compare(result: Backtest) -> str:
    a, b = result.proposals[0], result.proposals[1]
    keys = sorted(set(a.groups) | set(b.groups))
    head = ("Tier", "Milestone", f"% met ({_e(a.source)})", f"% met ({_e(b.source)})", "Emails (first)",
            "Emails (second)", "Recorded % met")
    rows = []
    for k in keys:
        ga, gb = a.groups.get(k), b.groups.get(k)
        da, db = (ga.as_dict() if ga else None), (gb.as_dict() if gb else None)

        def emails(d):
            return "-" if d is None else d["actions"]["warning_emails"] + d["actions"]["violation_emails"]
        rec = (da or db or {}).get("recorded", {}).get("pct_met")
        rows.append(f"<tr><td>{_e(k[0])}</td><td>{_e(k[1])}</td><td>{_pct(da['pct_met'] if da else None)}</td>"
                    f"<td>{_pct(db['pct_met'] if db else None)}</td><td>{emails(da)}</td><td>{emails(db)}</td>"
                    f"<td>{_pct(rec)}</td></tr>")
    return ("<h2>Proposals side by side</h2><div class=\"card\"><table><thead><tr>"
            + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def _section(p: Proposal, n: int, first: bool) -> str:
    t = p.totals()
    kpis = "".join(f'<div class="kpi"><b>{v}</b><span>{k}</span></div>' for k, v in (
        ("milestones replayed", f"{t.cases:,}"), ("met", f"{t.proposed.met:,}"), ("missed", f"{t.proposed.violated:,}"),
        ("% met (proposed)", _pct(t.proposed.pct_met)), ("% met (recorded)", _pct(t.recorded.pct_met)),
        ("emails", f"{t.actions.get('warning_emails', 0) + t.actions.get('violation_emails', 0):,}"),
        ("tasks", f"{t.actions.get('warning_tasks', 0) + t.actions.get('violation_tasks', 0):,}")))
    trend = trend_figure(p.as_report("proposed"))
    trend.update_layout(title="Compliance trend per tier, as proposed (% of judged milestones met, per week)")
    bars = violations_figure(p.as_report("proposed"))
    bars.update_layout(title="Would-be violations by milestone")
    parts = [trend.to_html(full_html=False, include_plotlyjs="inline" if first else False,
                           div_id=f"trend{n}", config=CONFIG),
             bars.to_html(full_html=False, include_plotlyjs=False, div_id=f"violations{n}", config=CONFIG),
             actions_figure(p).to_html(full_html=False, include_plotlyjs=False, div_id=f"actions{n}", config=CONFIG)]
    recorded = p.as_report("recorded")
    if recorded.groups:
        rec = trend_figure(recorded)
        rec.update_layout(title="Compliance trend per tier, as the org recorded it (CaseMilestone)")
        parts.append(rec.to_html(full_html=False, include_plotlyjs=False, div_id=f"recorded{n}", config=CONFIG))
    notes = "".join(f"<li>{_e(x)}</li>" for x in list(p.notes) + [f"{k}: {v} milestone(s)"
                                                               for k, v in sorted(p.unknown_reasons.items())])
    return (f"<h2>Proposal: {_e(p.source)} ({sum(p.cases.values()):,} cases)</h2><div class=\"kpis\">{kpis}</div>"
            + "".join(f'<div class="card">{x}</div>' for x in parts)
            + f'<div class="card"><h3>Per tier and milestone</h3>{_table(p)}</div>'
            + (f'<ul class="notes">{notes}</ul>' if notes else ""))


def render_html(result: Backtest, *, title: str = "SLA backtest") -> str:
    span = f"{result.since:%Y-%m-%d} to {result.until:%Y-%m-%d} (UTC)"
    body = "".join(_section(p, i, i == 0) for i, p in enumerate(result.proposals))
    if len(result.proposals) > 1:
        body += _compare(result)
    unseen = "".join(f"<li>{_e(u)}</li>" for u in result.unseen)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{CSS}{EXTRA_CSS}</style></head><body><header><h1>{_e(title)}</h1><p>Cases created {span}, "
            f"replayed against the proposed tiers (tier from {_e(result.tier_from)}). "
            "Times are business minutes on each milestone's proposed business hours.</p></header><main>"
            + body + (f'<h2>What the org\'s records cannot show</h2><ul class="notes">{unseen}</ul>' if unseen else "")
            + f"</main><footer>% met = met / (met + missed); open, exited (closed before the target) and unknown "
            f"milestones are not judged; under {GOOD_PCT:.0f}% shows in red. Emails and tasks count one per action "
            "per firing. Median and P90 use the nearest-rank method. Generated by slakit backtest.</footer>"
            "</body></html>")


def write_html(result: Backtest, path, *, title: str = "SLA backtest") -> None:
    Path(path).write_text(render_html(result, title=title), encoding="utf-8")
