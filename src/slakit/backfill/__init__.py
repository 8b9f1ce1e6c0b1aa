"""Backfill entitlements on existing accounts (and stamp open cases), reversibly.

    opts = BackfillOptions(tiers=Path("tiers.yml"), dry_run=True)  # checked once (backfill/options.py)
    report = run_backfill(project, sf, opts)                        # the plan: counts per tier, samples
    report = run_backfill(project, sf, BackfillOptions(tiers=path, cases=True), confirm=ask)
    undo(BackfillOptions(undo=Path(".slakit/journal/<run>.jsonl")), sf)

Modules: preflight (org readiness), plan (SOQL, records, dates), apply (orchestration,
collections path), apply_bulk + bulk (Bulk API 2.0), cases (stamping), journal (JSON lines,
error CSVs), retry (back-off, stop rules, call counting), stream (paging), undo.
"""

from slakit.backfill.apply import BULK_THRESHOLD, choose_mode, run_backfill
from slakit.backfill.model import BackfillReport, ProgressEvent, TierResult, UndoReport
from slakit.backfill.undo import undo

__all__ = ["BULK_THRESHOLD", "BackfillReport", "ProgressEvent", "TierResult", "UndoReport", "choose_mode",
           "run_backfill", "undo"]
