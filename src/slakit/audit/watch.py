"""The refresh loop behind `slakit at-risk --watch N`: produce a view now and every N seconds.

The loop owns timing only; what to read and how to show it are callbacks, so the CLI shows a
rich Live table (or prints each refresh when stdout is not a terminal) and tests drive it with
their own sleep and a bounded number of refreshes. Ctrl-C ends it cleanly (no traceback). A
refresh that fails with a SlakitError (the org briefly unreachable, a session that expired) is
reported through `on_error` and the loop keeps the last view and tries again next time; the
first read must succeed, so a wrong org or option still fails at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, TypeVar

from slakit.errors import SlakitError

T = TypeVar("T")


@dataclass
class WatchResult:
    refreshes: int  # views shown, the first one included
    errors: int  # reads that failed and were skipped (the last view stayed)
    interrupted: bool  # ended by Ctrl-C


def watch(produce: Callable[[], T], show: Callable[[T], None], *, every: float,
          sleep: Callable[[float], None] | None = None, max_refreshes: int | None = None,
          on_error: Callable[[SlakitError], None] | None = None) -> WatchResult:
    """Show `produce()` now, then every `every` seconds until Ctrl-C (or `max_refreshes` reads,
    the first included)."""
    if every <= 0:
        raise ValueError("every must be positive")
    nap = sleep or (lambda seconds: time.sleep(seconds))  # looked up per call: tests patch time.sleep
    shown = errors = 0
    try:
        show(produce())
        shown = reads = 1
        while max_refreshes is None or reads < max_refreshes:
            nap(every)
            reads += 1
            try:
                view = produce()
            except SlakitError as exc:
                errors += 1
                if on_error is not None:
                    on_error(exc)
                continue
            show(view)
            shown += 1
    except KeyboardInterrupt:
        return WatchResult(shown, errors, True)
    return WatchResult(shown, errors, False)
