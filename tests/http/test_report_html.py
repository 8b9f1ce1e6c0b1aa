"""The HTML report opens in headless Chromium and its charts render (skipped without Chromium)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from slakit.audit.html import render_html, write_html
from slakit.audit.report import compliance_report
from tests.fakes.audit_org import history, support_org

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def report(fake_org, sf):
    ids = support_org(fake_org)
    history(fake_org, ids)
    return compliance_report(sf, since=fake_org.now() - dt.timedelta(days=30), until=fake_org.now())


def test_page_is_self_contained(report):
    page = render_html(report)
    assert page.count("<script") >= 2 and "src=" not in "".join(
        part.split(">")[0] for part in page.split("<script")[1:])  # no external script
    assert "Compliance trend per tier" in page and "Violations by milestone" in page
    assert "<td>Gold</td><td>First Response</td><td>9</td><td>5</td><td>1</td><td>3</td>" in page


def _chromium(*args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--virtual-time-budget=10000", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_charts_render_in_headless_chromium(report, tmp_path):
    html = tmp_path / "report.html"
    write_html(report, html)
    dom = _chromium("--dump-dom", html.as_uri()).stdout
    # plotly draws each figure as SVG: one line trace per tier, one bar trace per tier
    assert dom.count('class="main-svg"') >= 4
    assert dom.count('class="trace scatter') == 2  # Gold, Platinum
    assert dom.count('class="trace bars"') == 2
    assert "Compliance trend per tier" in dom and "Violations by milestone" in dom
    png = tmp_path / "report.png"
    _chromium("--window-size=1280,1400", f"--screenshot={png}", html.as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a blank page compresses to a few KB


def test_partial_weeks_are_marked_and_the_target_is_drawn(report):
    from slakit.audit.html import GOOD_PCT, trend_figure, week_label

    # the 30-day window runs Sat 2026-01-31 15:00Z .. Mon 2026-03-02 15:00Z: both end weeks are cut short
    assert week_label(report, dt.date(2026, 1, 26)) == "2026-01-26<br>(partial)"
    assert week_label(report, dt.date(2026, 2, 16)) == "2026-02-16"
    assert week_label(report, dt.date(2026, 3, 2)) == "2026-03-02<br>(partial)"
    fig = trend_figure(report)
    xs = list(fig.data[0].x)
    assert "2026-02-23" in xs and "2026-03-02<br>(partial)" in xs
    assert [s.y0 for s in fig.layout.shapes] == [GOOD_PCT] and GOOD_PCT == 90.0
