"""`slakit audit --metadata DIR`: the checklist over a retrieved or rendered metadata folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from slakit.audit.checks import metadata_checks
from slakit.audit.findings import AuditResult
from slakit.audit.metadata import read_folder
from slakit.errors import UsageError

if TYPE_CHECKING:
    from slakit.config.project import Project


def audit_metadata(folder: str | Path, project: Project | None = None) -> AuditResult:
    """Findings for every entitlement file under `folder` (mdapi or source format, any depth)."""
    path = Path(folder)
    if not path.is_dir():
        raise UsageError(f"{folder}: no such folder", field="--metadata",
                         hint="pass a folder from `slakit render` or a Metadata API retrieve")
    snap = read_folder(path)
    result = AuditResult(source=str(folder))
    result.extend(metadata_checks(snap, project))
    return result
