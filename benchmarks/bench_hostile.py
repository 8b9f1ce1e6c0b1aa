"""Hostile tiers.yml (issue 15): wall time and peak RSS of `slakit validate` on each process killer,
each in its own child process (so its peak RSS is its own), against a plain valid file.

    PYTHONPATH=src python benchmarks/bench_hostile.py

Goals: every case exits 1 (never a signal), in well under a second beyond interpreter start-up,
with the peak RSS of a valid run (tens of MB). Before the limits: the alias bomb grew to 1.8 GB in
30 s, the 50,000-deep flow collection segfaulted after ~12 s in libyaml's quadratic scanner, deep
block nesting ended in RecursionError.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAIL = "tiers:\n  - name: Gold\n    milestones:\n      - {name: First Response, time_limit: 4h}\n"


def bomb() -> str:
    laughs = ["x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        laughs.append(f"x-{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(laughs) + "\n" + TAIL


CASES = {
    "valid (baseline)": TAIL,
    "alias bomb (9^9 nodes, 0.5 KB)": bomb(),
    "flow [[[...]]] 50,000 deep": "x-deep: " + "[" * 50_000 + "]" * 50_000 + "\n" + TAIL,
    "flow {a: {a: ...}} 20,000 deep": "x-deep: " + "{a: " * 20_000 + "}" * 20_000 + "\n" + TAIL,
    "block nesting 1,500 deep": "x-deep:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(1500)) + TAIL,
    "compact - - - 20,000 deep": "x-deep:\n" + "- " * 20_000 + "x\n" + TAIL,
    "alias chain 200 deep": "x-a0: &a0 [1]\n" + "".join(f"x-a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 200)) + TAIL,
    "6 MB file": TAIL + "x-padding: |\n" + ("  " + "x" * 98 + "\n") * 60_000,
    "4.9 MB valid file": TAIL + "x-padding: |\n" + ("  " + "x" * 98 + "\n") * 50_000,
}


def run(text: str) -> tuple[int, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiers.yml"
        path.write_text(text)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "slakit.cli.main", "validate", str(path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    return code, wall, usage.ru_maxrss / 1024  # KB -> MB on Linux


def main() -> None:
    startup = run("")[1]  # an empty file: interpreter + imports + one error
    print(f"{'case':36} {'exit':>4} {'wall s':>7} {'peak MB':>8}")
    for name, text in CASES.items():
        code, wall, rss = run(text)
        print(f"{name:36} {code:>4} {wall:7.2f} {rss:8.1f}")
    print(f"(interpreter start-up and imports alone: {startup:.2f} s; this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
