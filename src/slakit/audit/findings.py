"""One audit finding (pass / warn / fail, with numbers and the fix) and the result holding them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS, WARN, FAIL, SKIP = "pass", "warn", "fail", "skip"
ORDER = {FAIL: 0, WARN: 1, PASS: 2, SKIP: 3}


@dataclass
class Finding:
    """`check` is a stable id (e.g. "process.warnings"); `subject` names what was checked."""

    check: str
    status: str
    message: str
    subject: str | None = None
    numbers: dict[str, Any] = field(default_factory=dict)
    fix: str | None = None
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {"check": self.check, "status": self.status, "subject": self.subject, "message": self.message,
               "numbers": self.numbers, "fix": self.fix, "details": self.details}
        return {k: v for k, v in out.items() if v not in (None, [], {})}


@dataclass
class AuditResult:
    source: str  # "org uat" or the metadata folder
    findings: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> Finding:
        self.findings.append(finding)
        return finding

    def extend(self, findings) -> None:
        self.findings.extend(findings)

    def counts(self) -> dict[str, int]:
        out = {PASS: 0, WARN: 0, FAIL: 0, SKIP: 0}
        for f in self.findings:
            out[f.status] += 1
        return out

    @property
    def failed(self) -> bool:
        return any(f.status == FAIL for f in self.findings)

    @property
    def exit_code(self) -> int:
        """1 when any finding failed, else 0 (warnings do not fail a pipeline)."""
        return 1 if self.failed else 0

    def as_dict(self) -> dict:
        return {"source": self.source, "ok": not self.failed, "counts": self.counts(),
                "findings": [f.as_dict() for f in self.findings]}
