"""Output helpers shared by the command modules: consoles, JSON emission, problem printing,
and option checks. Error texts are redacted by slakit.org.redact (slakit.cli.main runs them all through it).

The consoles write to whatever sys.stdout / sys.stderr are at print time; COLUMNS sets the width
when output is not a terminal (pipelines get 120 columns so tables do not wrap early).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Iterable

from rich.console import Console

_width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "120"))
console = Console(highlight=False, width=_width)
err_console = Console(stderr=True, highlight=False, width=_width)


_emitted = {"n": 0}  # JSON documents printed in this run (slakit.cli.main resets it)


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout (pipelines parse it)."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()
    _emitted["n"] += 1


def emit_result(doc: dict) -> None:
    """A command's success document: `"ok": true` first unless the document says itself (audit,
    backfill and smoke report their own `ok`); failures get main's envelope instead."""
    emit_json(doc if "ok" in doc else {"ok": True, **doc})


def json_emitted() -> int:
    return _emitted["n"]


def reset_run_state() -> None:
    _emitted["n"] = 0


def check_choice(value: str, option: str, choices: Iterable[str]) -> str:
    """`value` if it is one of `choices`, else a UsageError naming the option (exit 2)."""
    from slakit.errors import UsageError

    choices = tuple(choices)
    if value not in choices:
        raise UsageError(f"'{value}' is not one of {', '.join(choices)}", field=option)
    return value


def print_problems(problems, *, stream: Console | None = None) -> None:
    out = stream or err_console
    for p in problems:
        style = "yellow" if p.severity == "warning" else "red"
        out.print(p.format(), style=style, markup=False, highlight=False, soft_wrap=True)
