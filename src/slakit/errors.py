"""The one error family slakit raises, and how an error becomes a line of text and an exit code.

Domain code raises a `SlakitError` subclass carrying where the problem is (file, line, column,
field path) and a hint; only the CLI (`slakit.cli.main`) turns it into text and an exit code.
Exit codes: 0 ok, 1 failed (bad input, org error, failed checks), 2 usage (bad options).
"""

from __future__ import annotations

from dataclasses import dataclass

# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7f, 0xa0)]}
_CONTROLS.update({0x09: " ", 0x0a: " ", 0x0d: " "})  # whitespace stays whitespace
_CONTROLS.update({c: f"\\u{c:04x}" for c in [*range(0x202a, 0x202f), *range(0x2066, 0x206a), 0x200e, 0x200f]})


def escape_controls(text: str) -> str:
    """`text` with control characters written as escapes (`\\x1b`), so a name from tiers.yml can
    never move the cursor, recolour or reorder the terminal that shows an error about it."""
    return text.translate(_CONTROLS)


@dataclass
class Problem:
    """One located problem: `file:line:col: field: message (hint)`."""

    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    field: str | None = None
    hint: str | None = None
    severity: str = "error"  # "error" | "warning"
    code: str | None = None  # stable id, e.g. "lint.d-unit"

    def format(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.col:
                    where += f":{self.col}"
            where += ": "
        text = where
        if self.severity == "warning":
            text += "warning: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return escape_controls(text)

    def as_dict(self) -> dict:
        return {
            k: v
            for k, v in {
                "severity": self.severity,
                "file": self.file,
                "line": self.line,
                "col": self.col,
                "field": self.field,
                "message": self.message,
                "hint": self.hint,
                "code": self.code,
            }.items()
            if v is not None
        }


class SlakitError(Exception):
    """Base of every error slakit expects. `exit_code` 1 = failed, 2 = usage."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        field: str | None = None,
        hint: str | None = None,
        problems: list[Problem] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.problem = Problem(message, file=file, line=line, col=col, field=field, hint=hint)
        self.problems: list[Problem] = problems if problems is not None else [self.problem]

    def lines(self) -> list[str]:
        return [p.format() for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class UsageError(SlakitError):
    """Bad command-line options or arguments (exit 2)."""

    exit_code = 2


class ConfigError(SlakitError):
    """tiers.yml is unreadable or invalid; `problems` lists every located problem."""


class RenderError(SlakitError):
    """Rendering failed (template error, schema-invalid output)."""


class OrgError(SlakitError):
    """The org refused, is missing something, or cannot be reached.

    `error_code` and `status` carry Salesforce's errorCode and the HTTP status when the org answered."""

    error_code: str | None = None
    status: int | None = None


class GuardError(OrgError):
    """An action was refused to protect an org (production where a sandbox is required)."""


class DeployError(OrgError):
    """A Metadata API deploy failed; `problems` holds one entry per component failure."""
