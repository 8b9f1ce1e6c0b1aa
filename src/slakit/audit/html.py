"""The compliance report as one self-contained HTML page a support manager reads: headline
numbers, compliance trend per tier (line chart, % met per week), violations by milestone
(stacked bars per tier), and the per-tier table. Charts are plotly figures with plotly.js
embedded inline, so the file opens offline and needs no CDN.
"""

from __future__ import annotations

import html as _html

import datetime as dt

from slakit.audit.durations import short
from slakit.audit.report import Report

GOOD_PCT = 90.0  # rows under this % met are shown in red; the trend chart draws it as a dashed line

CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;background:#f6f7f9;color:#1f2933}
header{background:#0b3d62;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85;font-size:14px}main{padding:20px 32px;max-width:1200px}
.kpis{display:flex;gap:16px;flex-wrap:wrap;margin-bottom:16px}
.kpi{background:#fff;border-radius:8px;padding:12px 18px;box-shadow:0 1px 3px rgba(0,0,0,.08);min-width:150px}
.kpi b{display:block;font-size:26px}.kpi span{font-size:13px;color:#52606d}
.card{background:#fff;border-radius:8px;padding:12px 16px;margin-bottom:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{padding:6px 10px;border-bottom:1px solid #e4e7eb;text-align:right}
th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}th{background:#f0f4f8}
.bad{color:#b42318;font-weight:600}.ok{color:#067647}footer{font-size:12px;color:#7b8794;padding:0 32px 24px}
"""


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def trend_figure(report: Report):
    import plotly.graph_objects as go

    weeks = report.weeks()
    labels = [week_label(report, w) for w in weeks]
    fig = go.Figure()
    for tier in report.tiers():
        pts = [(w, report.tier_week(tier, w)) for w in weeks]
        fig.add_trace(go.Scatter(x=labels, y=[s.pct_met for _, s in pts],
                                 mode="lines+markers", name=tier, connectgaps=False,
                                 customdata=[[s.met, s.met + s.violated] for _, s in pts],
                                 hovertemplate="%{y:.1f}% met (%{customdata[0]} of %{customdata[1]})"))
    fig.update_layout(title="Compliance trend per tier (% of judged milestones met, per week)",
                      yaxis=dict(range=[0, 105], ticksuffix="%", title="% met"),
                      xaxis=dict(title="week starting (UTC)", type="category", tickangle=0), height=400,
                      margin=dict(l=60, r=20, t=60, b=60), legend=dict(orientation="h", y=-0.3),
                      template="plotly_white")
    fig.add_hline(y=GOOD_PCT, line_dash="dash", line_color="#9aa5b1", annotation_text=f"{GOOD_PCT:.0f}% target",
                  annotation_position="top left")
    return fig


def week_label(report: Report, week: dt.date) -> str:
    """'2026-02-23', or '2026-03-02<br>(partial)' when the period cuts the ISO week short."""
    start = dt.datetime.combine(week, dt.time(), tzinfo=dt.timezone.utc)
    partial = start < report.since or start + dt.timedelta(days=7) > report.until
    return week.isoformat() + ("<br>(partial)" if partial else "")


def violations_figure(report: Report):
    import plotly.graph_objects as go

    milestones = sorted({m for _, m in report.groups})
    fig = go.Figure()
    for tier in report.tiers():
        fig.add_trace(go.Bar(x=milestones, name=tier,
                             y=[report.groups[(tier, m)].violated if (tier, m) in report.groups else 0
                                for m in milestones]))
    fig.update_layout(title="Violations by milestone", barmode="stack", height=380, template="plotly_white",
                      yaxis=dict(title="violated milestones"), margin=dict(l=60, r=20, t=60, b=50),
                      legend=dict(orientation="h", y=-0.25))
    return fig


def _table(report: Report) -> str:
    rows = []
    for (tier, milestone), s in sorted(report.groups.items()):
        d = s.as_dict()
        cls = "bad" if d["pct_met"] is not None and d["pct_met"] < 90 else "ok"
        cells = [tier, milestone, d["count"], d["met"], d["violated"], d["open"]]
        rows.append("<tr>" + "".join(f"<td>{_html.escape(str(c))}</td>" for c in cells)
                    + f'<td class="{cls}">{_pct(d["pct_met"])}</td><td>{short(d["median_minutes"])}</td>'
                    f'<td>{short(d["p90_minutes"])}</td></tr>')
    head = "".join(f"<th>{h}</th>" for h in ("Tier", "Milestone", "Count", "Met", "Violated", "Open", "% met",
                                               "Median", "P90"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(report: Report, *, title: str = "SLA compliance") -> str:
    """The full page as text (plotly.js inline)."""
    totals = {"count": 0, "met": 0, "violated": 0}
    for s in report.groups.values():
        totals["count"] += s.count
        totals["met"] += s.met
        totals["violated"] += s.violated
    judged = totals["met"] + totals["violated"]
    pct = _pct(100.0 * totals["met"] / judged if judged else None)
    trend = trend_figure(report).to_html(full_html=False, include_plotlyjs="inline", div_id="trend",
                                         config={"displaylogo": False, "responsive": True})
    bars = violations_figure(report).to_html(full_html=False, include_plotlyjs=False, div_id="violations",
                                             config={"displaylogo": False, "responsive": True})
    span = f"{report.since:%Y-%m-%d} to {report.until:%Y-%m-%d} (UTC)"
    kpis = "".join(f'<div class="kpi"><b>{v}</b><span>{k}</span></div>' for k, v in (
        ("milestones", f"{totals['count']:,}"), ("met", f"{totals['met']:,}"), ("violated", f"{totals['violated']:,}"),
        ("% met", pct)))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body><header><h1>{_html.escape(title)}</h1><p>Milestones started {span}. "
            "Times are business minutes on each milestone's business hours.</p></header><main>"
            f'<div class="kpis">{kpis}</div><div class="card">{trend}</div><div class="card">{bars}</div>'
            f'<div class="card"><h3>Per tier and milestone</h3>{_table(report)}</div></main>'
            f"<footer>% met = met / (met + violated); open milestones are not judged yet; under {GOOD_PCT:.0f}% shows "
            "in red. A week marked (partial) is cut short by the period. Median and P90 use the nearest-rank "
            "method. Generated by slakit report.</footer></body></html>")


def write_html(report: Report, path, *, title: str = "SLA compliance") -> None:
    from pathlib import Path

    Path(path).write_text(render_html(report, title=title), encoding="utf-8")
