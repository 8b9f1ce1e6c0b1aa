"""What a smoke run found: one `Check` per assertion (pass / fail / skip / error, with the
expected and observed values), grouped by tier, plus the run's bookkeeping (run id, cleanup,
API calls, time). `SmokeReport.as_dict()` is the `--json` document; junit.py writes the XML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "skip", "error"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "skip", "error")


@dataclass
class Check:
    """One assertion. `tier` is the real tier name ("" for run-level checks)."""

    tier: str
    name: str
    status: Status
    expected: str | None = None
    observed: str | None = None
    message: str | None = None
    seconds: float = 0.0
    at: dt.datetime | None = None

    @property
    def failed(self) -> bool:
        return self.status in ("fail", "error")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tier": self.tier, "name": self.name, "status": self.status}
        for key in ("expected", "observed", "message"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out["seconds"] = round(self.seconds, 3)
        if self.at is not None:
            out["at"] = self.at.isoformat()
        return out


@dataclass
class Cleanup:
    """Records the run created, what was deleted, and what was left (kept or failed)."""

    created: dict[str, list[str]] = field(default_factory=dict)  # sObject -> Ids
    deleted: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kept: bool = False

    @property
    def ok(self) -> bool:
        return self.kept or (not self.errors and not self.left)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": {k: list(v) for k, v in self.created.items()},
            "deleted": len(self.deleted),
            "left": list(self.left),
            "errors": list(self.errors),
            "kept": self.kept,
        }


@dataclass
class SmokeReport:
    run_id: str
    tag: str  # the prefix every fixture's Name/Subject starts with
    org: dict[str, Any]
    tiers: list[str]  # real tier names tested
    processes: dict[str, str] = field(default_factory=dict)  # real tier -> smoke process
    limits: dict[str, dict[str, int]] = field(default_factory=dict)  # tier -> milestone -> smoke minutes
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cleanup: Cleanup = field(default_factory=Cleanup)
    api_calls: int = 0
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    interrupted: bool = False

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    def counts(self, tier: str | None = None) -> dict[str, int]:
        out: dict[str, int] = {s: 0 for s in STATUSES}
        for c in self.checks:
            if tier is None or c.tier == tier:
                out[c.status] += 1
        out["total"] = sum(out[s] for s in STATUSES)
        return out

    def for_tier(self, tier: str) -> list[Check]:
        return [c for c in self.checks if c.tier == tier]

    def groups(self) -> list[str]:
        """Tier names in report order; "" (run-level checks) first when present."""
        seen: list[str] = []
        for c in self.checks:
            if c.tier not in seen:
                seen.append(c.tier)
        return sorted(seen, key=lambda t: (t != "", self.tiers.index(t) if t in self.tiers else 0))

    @property
    def ok(self) -> bool:
        return not self.interrupted and not any(c.failed for c in self.checks) and self.cleanup.ok

    @property
    def seconds(self) -> float:
        if self.started and self.finished:
            return (self.finished - self.started).total_seconds()
        return 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "run_id": self.run_id,
            "tag": self.tag,
            "org": self.org,
            "tiers": self.tiers,
            "processes": self.processes,
            "limits": self.limits,
            "counts": self.counts(),
            "checks": [c.as_dict() for c in self.checks],
            "notes": self.notes,
            "cleanup": self.cleanup.as_dict(),
            "api_calls": self.api_calls,
            "started": self.started.isoformat() if self.started else None,
            "finished": self.finished.isoformat() if self.finished else None,
            "seconds": round(self.seconds, 1),
            "interrupted": self.interrupted,
        }
