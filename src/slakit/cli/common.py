"""Output helpers shared by the command modules: consoles, JSON emission, problem printing,
option checks, and `redact` (what slakit.cli.main runs every error text through).

The consoles write to whatever sys.stdout / sys.stderr are at print time; COLUMNS sets the width
when output is not a terminal (pipelines get 120 columns so tables do not wrap early).
"""

from __future__ import annotations

import json
import os
import re
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


# Salesforce access tokens / session ids are "<15- or 18-char org id>!<secret>"; refresh tokens
# start "5Aep86". Key/value forms cover JSON, form bodies, headers and SOAP envelopes.
_TOKEN_PATTERNS = [
    (re.compile(r"00D\w{12,15}![\w.\-]+"), "<token>"),
    (re.compile(r"\b5Aep86[\w.\-]{8,}"), "<token>"),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"), r"\1<hidden>"),
    (re.compile(r"(?i)(<(?:\w+:)?sessionId>)[^<]*"), r"\1<hidden>"),
    (re.compile(r"(?i)(['\"]?(?:access_token|refresh_token|session_?id|assertion|client_secret|password)['\"]?"
                r"\s*[:=]\s*['\"]?)[^'\"&,\s}]+"), r"\1<hidden>"),
]
_SECRET_KEYS = ("access_token", "refresh_token", "client_secret", "password")


def _env_secrets() -> list[str]:
    """Secrets the environment hands slakit (CUMULUSCI_ORG_* JSON, keys), to blank out verbatim."""
    found = [os.environ.get(k, "") for k in ("CUMULUSCI_KEY", "SFDX_CLIENT_SECRET")]
    for key, value in os.environ.items():
        if key.startswith("CUMULUSCI_ORG_"):
            try:
                doc = json.loads(value)
            except ValueError:
                continue
            if isinstance(doc, dict):
                found += [str(doc.get(k) or "") for k in _SECRET_KEYS]
    return [s for s in found if len(s) >= 8]


def redact(text: str) -> str:
    """`text` with anything token-like (and every secret from the environment) replaced."""
    for secret in _env_secrets():
        text = text.replace(secret, "<hidden>")
    for pattern, repl in _TOKEN_PATTERNS:
        text = pattern.sub(repl, text)
    return text


def print_problems(problems, *, stream: Console | None = None) -> None:
    out = stream or err_console
    for p in problems:
        style = "yellow" if p.severity == "warning" else "red"
        out.print(p.format(), style=style, markup=False, highlight=False, soft_wrap=True)
