"""Benchmarks for `slakit render` (run by hand; never a timed test).

1. Render + schema-validate 100 tiers x 10 milestones (goal: <= 2 s on the dev machine), in a
   fresh process so imports, template compilation and schema compilation are all counted; the
   load of tiers.yml is timed separately. Run with every builder, and with the non-flow builder
   alone (to see what the flows cost).
2. `slakit --help` cold against `cci --help` (goal: slakit <= 0.4 x cci), best of N fresh runs.

    python benchmarks/bench_render.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOURS = ["Support 24x7", "US Business Hours", "EMEA Business Hours"]


def big_tiers(n_tiers: int = 100, n_ms: int = 10) -> str:
    doc = {
        "api_version": "62.0",
        "business_hours": [
            {"name": "Support 24x7", "time_zone": "America/Los_Angeles", "hours": {"every_day": "24h"}},
            {"name": "US Business Hours", "time_zone": "America/New_York", "hours": {"weekdays": "09:00-17:00"},
             "holidays": [{"name": "Christmas Day", "date": "2026-12-25", "recurs": "yearly"},
                          {"name": "Thanksgiving",
                           "recurs": {"instance": "fourth", "weekday": "thursday", "month": "november"}}]},
            {"name": "EMEA Business Hours", "time_zone": "Europe/London", "hours": {"weekdays": "08:00-18:00"}},
        ],
        "defaults": {
            "warnings": ["50%", "75%", "90%"],
            "on_warning": [{"email": ["owner"]}],
            "on_violation": [{"email": ["owner", "group:Support_Managers"]}, {"set": {"SLA_Breached__c": True}}],
        },
        "tiers": [
            {"name": f"Tier {i:03d}", "business_hours": HOURS[i % 3],
             "milestones": [{"name": f"Milestone {j}", "time_limit": f"{(j + 1) * 30}m",
                             "completes_when": "case_closed" if j == n_ms - 1 else "first_response",
                             **({"on_success": [{"set": {"Met_At__c": "now"}}]} if j == n_ms - 1 else {})}
                            for j in range(n_ms)],
             "entitlement": {"accounts": f"Support_Tier__c = 'Tier {i:03d}'"}}
            for i in range(n_tiers)
        ],
    }
    try:
        import yaml  # PyYAML (a CumulusCI dependency): block style, as a user writes it
    except ImportError:
        return json.dumps(doc, indent=1)  # JSON is YAML too (but slower to scan)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


CHILD = r"""
import sys, time, json
if sys.argv[3] == "context-only":
    from slakit.render import registry
    registry.BUILDERS[:] = ["slakit.render.context"]
t0 = time.perf_counter()
from slakit.config import load_project
project = load_project(sys.argv[1])
t1 = time.perf_counter()
from slakit.render import render_project
result = render_project(project, sys.argv[2], validate=True)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "render": t2 - t1, "files": len(result.files),
                  "processes": result.by_type.get("EntitlementProcess", 0)}))
"""


def bench_render(runs: int, n_tiers: int, builders: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="slakit-bench-"))
    try:
        tiers = tmp / "tiers.yml"
        tiers.write_text(big_tiers(n_tiers), encoding="utf-8")
        results = []
        for _ in range(runs):
            out = subprocess.run([sys.executable, "-c", CHILD, str(tiers), str(tmp / "out"), builders],
                                 capture_output=True, text=True)
            if out.returncode:
                print(f"render {n_tiers} tiers x 10 milestones ({builders}): failed: {out.stderr.strip()[-300:]}")
                return
            results.append(json.loads(out.stdout))
        r = min(results, key=lambda x: x["render"])
        med = statistics.median(x["render"] for x in results)
        print(f"render+validate {n_tiers} tiers x 10 milestones ({builders}): best {r['render']:.2f} s, "
              f"median {med:.2f} s ({r['files']} files; load of tiers.yml {r['load']:.2f} s not included)"
              " -- goal <= 2 s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cold(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    return min(times)


def bench_help(runs: int) -> None:
    slakit = shutil.which("slakit")
    cci = shutil.which("cci")
    if not slakit or not cci:
        print(f"--help: skipped (slakit={slakit}, cci={cci})")
        return
    s = cold([slakit, "--help"], runs)
    c = cold([cci, "--help"], runs)
    print(f"`slakit --help` {s:.3f} s vs `cci --help` {c:.3f} s (best of {runs}): ratio {s / c:.2f} -- goal <= 0.40")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    bench_render(args.runs, 100, "all")
    # the non-flow metadata only (slakit.render.context), at the full 100 x 10
    bench_render(args.runs, 100, "context-only")
    bench_help(args.runs)


if __name__ == "__main__":
    main()
