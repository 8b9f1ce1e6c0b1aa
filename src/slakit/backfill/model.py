"""Plain data of a backfill: what was found in the org (preflight), what the plan says, what
happened (report), and the progress events the CLI turns into a bar. No I/O here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable

ENTITLEMENT_FIELDS = ("Name", "AccountId", "SlaProcessId", "BusinessHoursId", "StartDate", "EndDate", "Type")


@dataclass
class TierTarget:
    """One tier as the org knows it: its process versions, business hours, account filter."""

    name: str
    process_id: str  # the active default version new entitlements point at
    version_ids: tuple[str, ...]  # every version of the process (the skip rule looks at all)
    business_hours_id: str | None
    where: str  # WHERE clause on Account: this tier's clause minus earlier tiers' clauses
    entitlement_name: str
    type: str | None
    term_amount: int | None
    term_unit: str | None


@dataclass
class TierResult:
    """Counts of one tier: found by the plan, then what the run did."""

    name: str
    process_id: str | None = None
    matched: int = 0  # accounts the tier's clause selects (after earlier tiers)
    skipped: int = 0  # already hold a current entitlement on this tier's process
    planned: int = 0  # entitlements to create
    created: int = 0
    failed: int = 0
    cases_planned: int | None = None
    cases_violated_at_once: int | None = None  # stamped cases born violated with this --sla-start
    cases_violated_if_created: int | None = None  # ... with --sla-start created
    cases_stamped: int = 0
    cases_failed: int = 0
    samples: list[dict] = field(default_factory=list)
    note: str | None = None  # e.g. "no entitlement.accounts clause"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Failure:
    """One record Salesforce refused, with its message (also written to the errors CSV)."""

    sobject: str
    tier: str | None
    code: str | None
    message: str
    record: dict

    def as_dict(self) -> dict:
        return {"sobject": self.sobject, "tier": self.tier, "code": self.code, "message": self.message,
                "record": self.record}


@dataclass
class BackfillReport:
    """The outcome of `run_backfill` (a dry run fills only the plan columns)."""

    run_id: str | None
    org: dict
    dry_run: bool
    mode: str  # "collections" | "bulk" | "none"
    tiers: list[TierResult]
    start_date: str
    journal: str | None = None
    errors_csv: str | None = None
    stopped: str | None = None  # why the run stopped early (limit, session); re-run to resume
    failures: list[Failure] = field(default_factory=list)  # the first MAX_KEPT failures
    failure_count: int = 0
    api_calls: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False
    sla_start: str | None = None  # --cases: "now" | "created" (where stamped cases' clocks start)

    MAX_KEPT = 50

    @property
    def ok(self) -> bool:
        return not self.stopped and not self.cancelled and self.failure_count == 0

    def totals(self) -> dict[str, int]:
        keys = ("matched", "skipped", "planned", "created", "failed", "cases_stamped", "cases_failed")
        return {k: sum(getattr(t, k) for t in self.tiers) for k in keys}

    def add_failure(self, failure: Failure) -> None:
        self.failure_count += 1
        if len(self.failures) < self.MAX_KEPT:
            self.failures.append(failure)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "org": self.org, "dry_run": self.dry_run, "mode": self.mode,
            "start_date": self.start_date, "ok": self.ok, "stopped": self.stopped, "cancelled": self.cancelled,
            "journal": self.journal, "errors_csv": self.errors_csv, "totals": self.totals(),
            "tiers": [t.as_dict() for t in self.tiers], "failure_count": self.failure_count,
            "failures": [f.as_dict() for f in self.failures], "api_calls": self.api_calls,
            "warnings": self.warnings, "sla_start": self.sla_start,
        }


@dataclass
class UndoReport:
    """The outcome of `undo`: entitlements deleted, case stamps cleared."""

    journal: str
    org: dict
    deleted: int = 0
    already_gone: int = 0
    cases_cleared: int = 0
    cases_changed: int = 0  # stamped by the run but changed since: left alone
    failure_count: int = 0
    failures: list[Failure] = field(default_factory=list)
    errors_csv: str | None = None
    stopped: str | None = None
    cancelled: bool = False
    dry_run: bool = False
    planned_deletes: int = 0
    planned_clears: int = 0
    api_calls: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.stopped and not self.cancelled and self.failure_count == 0

    def add_failure(self, failure: Failure) -> None:
        self.failure_count += 1
        if len(self.failures) < BackfillReport.MAX_KEPT:
            self.failures.append(failure)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "failures"}
        out["failures"] = [f.as_dict() for f in self.failures]
        out["ok"] = self.ok
        return out


@dataclass
class ProgressEvent:
    """Sent after every batch: `done` of `total` records in `phase` (entitlements, cases, undo).

    `created` / `failed` count this phase's outcomes: entitlements created, cases stamped, or
    records removed by undo (never the entitlement counts on the cases bar)."""

    phase: str
    tier: str | None
    done: int
    total: int
    created: int = 0
    failed: int = 0


ProgressFn = Callable[[ProgressEvent], None]
ConfirmFn = Callable[[str], bool]
