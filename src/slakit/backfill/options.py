"""The options of `slakit backfill` and the slakit_backfill task, checked once (see slakit.options).

`run_backfill` and `undo` take the object itself, so their values are the checked ones: the domain
keeps no second copy of these checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from slakit.backfill.storm import SLA_STARTS
from slakit.errors import UsageError
from slakit.options import Options, option

MODES = ("auto", "always", "never")  # --bulk


def parse_start(start: str) -> dt.date:
    """`--start` as a date (YYYY-MM-DD)."""
    try:
        return dt.date.fromisoformat(str(start))
    except ValueError:
        raise UsageError(f"--start '{start}' is not a date", hint="use YYYY-MM-DD") from None


@dataclass(frozen=True)
class BackfillOptions(Options):
    tiers: Path | None = option(None, flag="tiers", task="tiers", task_default="tiers.yml", help="Path of tiers.yml")
    tier: tuple[str, ...] = option((), flag="--tier", task="tier", help="Only these tiers (comma-separated)")
    dry_run: bool = option(False, flag="--dry-run", task="dry_run", help="Plan only, write nothing")
    cases: bool = option(False, flag="--cases", task="cases", help="Also stamp open cases without an entitlement")
    batch_size: int = option(200, flag="--batch-size", task="batch_size",
                             help="Records per sObject Collections call (1-200)")
    bulk: str = option("auto", flag="--bulk", task="bulk", help="auto, always or never")
    yes: bool = option(False, flag="--yes", task="allow_production", help="Required to write to a production org")
    start: str | None = option(None, flag="--start", task=None, help="Entitlement StartDate, YYYY-MM-DD")
    sla_start: str = option("now", flag="--sla-start", task="sla_start",
                            help="With cases: start stamped cases' clocks now or at their creation")
    undo: Path | None = option(None, flag="--undo", task=None, help="Reverse the run recorded in this journal")
    journal_dir: Path = option(Path(".slakit/journal"), flag="--journal-dir", task=None, help="Where journals go")

    def __post_init__(self) -> None:
        self.choose("bulk", MODES)
        if not 1 <= self.batch_size <= 200:
            self.refuse("batch_size", f"{self.batch_size} is out of range", hint="sObject Collections take 1 to 200")
        if self.start is not None:
            parse_start(self.start)
        if self.sla_start not in SLA_STARTS:
            name = self.spelled("sla_start")
            self.refuse("sla_start", f"{name} '{self.sla_start}' is not one of {', '.join(SLA_STARTS)}")
        if self.undo is not None and self.tiers is not None:
            raise UsageError("--undo takes a journal, not a tiers file", hint="slakit backfill --undo FILE --org X")
        if self.undo is None and self.tiers is None:
            raise UsageError("missing TIERS", hint="slakit backfill tiers.yml --org uat [--dry-run]")

    @property
    def start_date(self) -> dt.date | None:
        """`--start` as the date it was checked to be (None: the org's today)."""
        return None if self.start is None else parse_start(self.start)
