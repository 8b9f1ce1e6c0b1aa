"""Entitlement process versions as the org holds them, the one reader: one SOQL over SlaProcess
(an org has at most 1,000 rows) into typed `ProcessVersion` rows, and the ways slakit groups them.

Every pass that needs processes reads them here: plan/deploy and import (families by NameNorm),
backfill and backtest (a tier's versions by name and VersionMaster), smoke (its processes by name).

Fields (Object Reference, SlaProcess): Name, NameNorm (the lowercase name; `<name>_v<N>` per
version with versioning on), IsActive, IsVersionDefault, VersionNumber, VersionMaster (the Id of
the family's first version), BusinessHoursId. Version numbers compare as integers ("10" > "9").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from slakit.org.soql import query_list, soql

FIELDS = ("Id, Name, NameNorm, IsActive, IsVersionDefault, VersionNumber, VersionMaster, BusinessHoursId, "
          "BusinessHours.Name, BusinessHours.IsActive")


@dataclass(frozen=True)
class ProcessVersion:
    """One SlaProcess row."""

    id: str
    name: str
    name_norm: str  # lowercase
    version: int
    is_default: bool
    is_active: bool
    master: str | None
    business_hours_id: str | None = None
    business_hours_name: str | None = None
    business_hours_active: bool | None = None

    @property
    def family(self) -> str:
        """The process this row is a version of: NameNorm without its `_v<VersionNumber>`."""
        return family_of(self.name_norm, self.version)

    @property
    def master_key(self) -> str:
        """15-character Id of the family's first version (VersionMaster, else this row's own Id)."""
        return (self.master or self.id)[:15]


def version_int(value: Any) -> int:
    """SlaProcess.VersionNumber as an int (None/'' -> 1: an unversioned process is version 1)."""
    if value in (None, ""):
        return 1
    return int(float(value))


def family_of(name_norm: str, version: int) -> str:
    """'gold_v2' (version 2) -> 'gold'; 'gold_v1' (version 1) -> 'gold'; 'gold' -> 'gold'.
    A suffix that is not this row's own version number is part of the name."""
    suffix = f"_v{version}"
    return name_norm[: -len(suffix)] if name_norm.endswith(suffix) and len(name_norm) > len(suffix) else name_norm


def of_row(r: dict) -> ProcessVersion:
    bh = r.get("BusinessHours") or {}
    return ProcessVersion(str(r["Id"]), str(r.get("Name") or ""), str(r.get("NameNorm") or r.get("Name") or "").lower(),
                          version_int(r.get("VersionNumber")), bool(r.get("IsVersionDefault")),
                          bool(r.get("IsActive")), r.get("VersionMaster") or None, r.get("BusinessHoursId") or None,
                          bh.get("Name") or None, bh.get("IsActive") if "IsActive" in bh else None)


def read_processes(sf, names: Sequence[str] | None = None) -> list[ProcessVersion]:
    """Every SlaProcess row (or those named `names`), typed."""
    query = f"SELECT {FIELDS} FROM SlaProcess"
    if names is not None:
        query = soql(query + " WHERE Name IN {}", list(names))
    return [of_row(r) for r in query_list(sf, query, action="reading entitlement processes")]


def by_family(versions: Iterable[ProcessVersion]) -> dict[str, list[ProcessVersion]]:
    """NameNorm family -> its versions (gold, gold_v1, gold_v2 -> gold)."""
    out: dict[str, list[ProcessVersion]] = {}
    for v in versions:
        out.setdefault(v.family, []).append(v)
    return out


def families_by_name(versions: Sequence[ProcessVersion], names: Iterable[str]) -> dict[str, list[ProcessVersion]]:
    """Lowercased name -> every version of that process: the rows named like it and every row sharing
    their VersionMaster (a version renamed in Setup stays in its family)."""
    wanted = {n.lower() for n in names}
    family: dict[str, str] = {}  # master -> name key
    for v in versions:
        if v.name.lower() in wanted:
            family.setdefault(v.master_key, v.name.lower())
    out: dict[str, list[ProcessVersion]] = {}
    for v in versions:
        key = v.name.lower() if v.name.lower() in wanted else family.get(v.master_key)
        if key is not None:
            out.setdefault(key, []).append(v)
    return out


def pick_version(versions: Sequence[ProcessVersion]) -> ProcessVersion | None:
    """The active default version of a process (else the newest active one); None if none is active."""
    active = [v for v in versions if v.is_active]
    pool = [v for v in active if v.is_default] or active
    return max(pool, key=lambda v: (v.version, v.id), default=None)
