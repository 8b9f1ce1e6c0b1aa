"""Benchmark the SLA clock: target computations per second (goal: >= 100,000 on one core).

    python benchmarks/bench_clock.py [--n 200000]

A "target computation" is `clock.target(calendar, opened, limit)` (a milestone's TargetDate; no stops),
also timed with a stop/resume span and as bare `clock.add`: US business hours (09:00-17:00 America/New_York, Thanksgiving/Christmas holidays), opened at varied instants
across 2026-2027 with limits from 30 minutes to 5 business days. Also timed: `diff`, a full
`milestone_times` (target + 3 warnings + per-day budget), and one long add (10 business years),
which shows the cost grows with the years touched, not the minutes. Calendars are warmed first
(per-year interval arrays are built once per calendar and year).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from slakit import clock

UTC = dt.timezone.utc


def us_hours() -> clock.Calendar:
    w = (540, 1020)
    return clock.Calendar("America/New_York", (w, w, w, w, w, None, None), (
        clock.Holiday.nth_weekday("fourth", 3, 11),
        clock.Holiday.yearly(dt.date(2026, 12, 25)),
        clock.Holiday.on_date(dt.date(2026, 12, 24), (780, 1020)),
    ))


def rate(label: str, n: int, fn) -> float:
    t0 = time.perf_counter()
    fn()
    secs = time.perf_counter() - t0
    per = n / secs
    print(f"{label:<46} {n:>9,} in {secs:6.3f}s = {per:>12,.0f}/s ({secs / n * 1e6:.2f} us each)")
    return per


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    n = ap.parse_args().n
    rnd = random.Random(42)
    cal = us_hours()
    base = dt.datetime(2026, 1, 1, tzinfo=UTC)
    starts = [base + dt.timedelta(minutes=rnd.randrange(0, 2 * 365 * 1440)) for _ in range(n)]
    limits = [rnd.choice([30, 120, 240, 480, 1440, 2400]) for _ in range(n)]
    ends = [s + dt.timedelta(minutes=rnd.randrange(0, 20_000)) for s in starts]
    for s in starts[:2000]:  # warm the per-year arrays (2026-2028)
        clock.add(cal, s, 2400)

    add, target = clock.add, clock.target
    goal = rate("target (target computations)", n, lambda: [target(cal, s, m) for s, m in zip(starts, limits)])
    stops = [[(s + dt.timedelta(minutes=45), s + dt.timedelta(minutes=45 + rnd.randrange(1, 3000)))] for s in starts]
    rate("target with one stop/resume span", n,
         lambda: [target(cal, s, m, stops=p) for s, m, p in zip(starts, limits, stops)])
    rate("add", n, lambda: [add(cal, s, m) for s, m in zip(starts, limits)])
    rate("add, 24/7 (no calendar)", n, lambda: [add(None, s, m) for s, m in zip(starts, limits)])
    rate("diff", n, lambda: [clock.diff(cal, a, b) for a, b in zip(starts, ends)])
    k = n // 10
    warnings = [(50.0, 120), (75.0, 60), (90.0, 24)]
    rate("milestone_times (target + 3 warnings + days)", k,
         lambda: [clock.milestone_times(cal, s, 240, warnings=warnings) for s in starts[:k]])
    t0 = time.perf_counter()
    far = clock.add(us_hours(), base, 10 * 250 * 480)  # fresh calendar: builds ~10 years
    print(f"{'add 10 business years, cold calendar':<46} {time.perf_counter() - t0:.3f}s -> {far:%Y-%m-%d %H:%M %Z}")
    print(f"goal >= 100,000 target computations/s: {'met' if goal >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
