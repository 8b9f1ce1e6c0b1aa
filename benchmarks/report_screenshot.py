"""Render the HTML compliance report for a synthetic org (many milestones, several tiers, 12 weeks)
and screenshot it with headless Chromium; prints the aggregation time and peak memory.

    python benchmarks/report_screenshot.py [--milestones 200000] [--out build/report]

No org needed: the records go through the same `Aggregator` the streamed report uses, generated
one at a time (as pages arrive), so peak memory shows what the per-group histograms cost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from slakit import clock  # noqa: E402
from slakit.audit.hours import HoursBook  # noqa: E402
from slakit.audit.html import write_html  # noqa: E402
from slakit.audit.report import Aggregator, Report  # noqa: E402

TIERS = {"Platinum": ("24x7", [("First Response", 120, 0.95), ("Resolution", 480, 0.9)]),
         "Gold": ("US", [("First Response", 240, 0.88), ("Agent Assignment", 30, 0.8), ("Resolution", 1440, 0.85)]),
         "Standard": ("EMEA", [("First Response", 600, 0.75), ("Resolution", 3000, 0.7)])}


def book() -> HoursBook:
    us = clock.Calendar("America/New_York", ((540, 1020),) * 5 + (None, None), name="US Business Hours")
    emea = clock.Calendar("Europe/London", ((480, 1080),) * 5 + (None, None), name="EMEA Business Hours")
    return HoursBook({"24x7": None, "US": us, "EMEA": emea}, {"24x7": "Support 24x7", "US": us.name, "EMEA": emea.name})


def records(n: int, until: dt.datetime, rnd: random.Random):
    hours = book()
    for i in range(n):
        tier = rnd.choice(list(TIERS))
        hours_id, milestones = TIERS[tier]
        name, limit, on_time = rnd.choice(milestones)
        start = until - dt.timedelta(minutes=rnd.randrange(84 * 1440))
        target = clock.add(hours.get(hours_id), start, limit)
        drift = min(1.0, on_time - 0.1 * ((until - start).days // 14) / 6)  # improving trend
        done = None
        if rnd.random() < 0.93:
            used = int(limit * (rnd.uniform(0.05, 0.98) if rnd.random() < drift else rnd.uniform(1.02, 2.5)))
            done = clock.add(hours.get(hours_id), start, used)
        violated = (done is not None and done > target) or (done is None and until > target)
        fmt = "%Y-%m-%dT%H:%M:%S.000+0000"
        yield {"Case": {"Entitlement": {"SlaProcess": {"Name": tier}}, "BusinessHoursId": hours_id},
               "MilestoneType": {"Name": name}, "StartDate": start.astimezone(dt.timezone.utc).strftime(fmt),
               "TargetDate": target.astimezone(dt.timezone.utc).strftime(fmt),
               "CompletionDate": done.astimezone(dt.timezone.utc).strftime(fmt) if done else None,
               "IsCompleted": done is not None, "IsViolated": violated, "BusinessHoursId": hours_id}


def screenshot(html: Path, png: Path) -> bool:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("chromium not found: skipping the screenshot")
        return False
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1280,1500", "--virtual-time-budget=10000", f"--screenshot={png}",
                    html.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    return png.exists()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--milestones", type=int, default=200_000)
    ap.add_argument("--out", default="build/report")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    until = dt.datetime(2026, 3, 2, 15, tzinfo=dt.timezone.utc)
    report = Report(since=until - dt.timedelta(days=84), until=until)
    agg = Aggregator(report, book())
    tracemalloc.start()
    t0 = time.perf_counter()
    for rec in records(args.milestones, until, random.Random(7)):
        agg.add(rec)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hist_entries = sum(len(s.minutes) for s in report.weekly.values()) + sum(len(s.minutes) for s in report.groups.values())
    print(f"{report.scanned:,} milestones (generate + clock + aggregate) in {elapsed:.1f}s; "
          f"peak traced memory {peak / 1e6:.1f} MB; {len(report.weekly)} week groups; "
          f"{hist_entries:,} histogram entries")
    html = out / "report.html"
    t1 = time.perf_counter()
    write_html(report, html, title="SLA compliance: benchmark org")
    print(f"wrote {html} ({html.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t1:.2f}s")
    png = out / "report.png"
    if screenshot(html, png):
        print(f"screenshot {png}")


if __name__ == "__main__":
    main()
