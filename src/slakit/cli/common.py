"""Output helpers shared by the command modules: consoles, JSON emission, problem printing."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout (pipelines parse it)."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


def print_problems(problems, *, stream: Console | None = None) -> None:
    out = stream or err_console
    for p in problems:
        style = "yellow" if p.severity == "warning" else "red"
        out.print(p.format(), style=style, markup=False, highlight=False, soft_wrap=True)
