"""The backtest page opens in headless Chromium and its charts render (skipped without Chromium),
like `slakit report`'s (tests/http/test_report_html.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from slakit.backtest import run_backtest
from slakit.backtest.html import render_html, write_html
from slakit.config import load_project
from tests.fakes.backtest_org import scenario

CHROMIUM = Path("/usr/bin/chromium")
DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def result(fake_org, sf):
    scenario(fake_org)
    return run_backtest(load_project(DATA / "backtest-tiers.yml"), sf,
                        since=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc), until=fake_org.now())


def test_page_is_self_contained(result):
    page = render_html(result)
    assert page.count("<script") >= 2 and "src=" not in "".join(
        part.split(">")[0] for part in page.split("<script")[1:])  # no external script
    assert "Would-be violations by milestone" in page and "Actions that would have fired" in page
    assert "as the org recorded it" in page  # A's and C's CaseMilestones
    # Gold First Response: 7 cases, 4 met, 1 missed, 1 open, 1 exited, 0 unknown, 80% met
    assert ("<td>Gold</td><td>First Response</td><td>7</td><td>4</td><td>1</td><td>1</td><td>1</td><td>0</td>"
            '<td class="bad">80.0%</td><td>2h 30m</td><td>3h 30m</td><td>8</td><td>1</td>') in page


def _chromium(*args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--virtual-time-budget=10000", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_charts_render_in_headless_chromium(result, tmp_path):
    html = tmp_path / "backtest.html"
    write_html(result, html)
    dom = _chromium("--dump-dom", html.as_uri()).stdout
    # trends: Gold and Standard as proposed, Gold as recorded; bars: violations per tier (2) and the
    # four action kinds
    assert dom.count('class="trace scatter') == 3
    assert dom.count('class="trace bars"') == 6
    assert "Would-be violations by milestone" in dom and "Actions that would have fired" in dom
    png = tmp_path / "backtest.png"
    _chromium("--window-size=1280,2400", f"--screenshot={png}", html.as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a blank page compresses to a few KB
