"""Output helpers shared by the command modules: consoles, JSON emission, problem printing.

The consoles write to whatever sys.stdout / sys.stderr are at print time; COLUMNS sets the width
when output is not a terminal (pipelines get 120 columns so tables do not wrap early).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console

_width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "120"))
console = Console(highlight=False, width=_width)
err_console = Console(stderr=True, highlight=False, width=_width)


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout (pipelines parse it)."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


def print_problems(problems, *, stream: Console | None = None) -> None:
    out = stream or err_console
    for p in problems:
        style = "yellow" if p.severity == "warning" else "red"
        out.print(p.format(), style=style, markup=False, highlight=False, soft_wrap=True)
