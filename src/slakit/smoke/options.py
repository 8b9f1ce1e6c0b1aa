"""The options of `slakit smoke` and the slakit_smoke task, checked once (see slakit.options).

`actions_timeout` is seconds: the task takes a number of seconds (as it always has), the command
line a duration (`75m`, `1h30m`, `90s`; a bare number is minutes) read by `parse_duration`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from slakit.errors import UsageError
from slakit.options import Options, option

_DURATION = re.compile(r"(\d+)\s*([smh])")


def parse_duration(text: str, option_name: str) -> float:
    """'75m' -> 4500, '1h30m' -> 5400, '90s' -> 90, '20' -> 1200 (a bare number is minutes)."""
    raw = (text or "").strip().lower()
    if raw.isdigit():
        raw += "m"
    parts = _DURATION.findall(raw)
    total = sum(int(n) * {"s": 1, "m": 60, "h": 3600}[u] for n, u in parts)
    if not parts or _DURATION.sub("", raw).strip() or total <= 0:
        raise UsageError(f"cannot read '{text}' as a duration", field=option_name, hint="write e.g. 75m, 2h, 90s")
    return float(total)


@dataclass(frozen=True)
class SmokeOptions(Options):
    tiers: Path = option(Path("tiers.yml"), flag="tiers", task="tiers", help="Path of tiers.yml")
    tier: tuple[str, ...] = option((), flag="--tier", task="tier", help="Only these tiers (comma-separated)")
    minutes: int = option(4, flag="--minutes", task="minutes", help="Scale each milestone into about this many minutes")
    junit: Path | None = option(None, flag="--junit", task="junit", help="Write JUnit XML here")
    wait_actions: bool = option(False, flag="--wait-actions", task="wait_actions",
                                help="Also wait for violation field updates and tasks (slow)")
    actions_timeout: float = option(75 * 60.0, flag="--actions-timeout", task="actions_timeout",
                                    help="Seconds to wait for actions with wait_actions")
    keep: bool = option(False, flag="--keep", task="keep", help="Leave the smoke records in the org for a human")

    def __post_init__(self) -> None:
        if self.minutes < 1:
            self.refuse("minutes", f"{self.spelled('minutes')} must be at least 1")
        if self.actions_timeout <= 0:
            self.refuse("actions_timeout", f"{self.spelled('actions_timeout')} must be positive")
