"""Each process's `entitlement.term`, read from the org's Entitlements (StartDate, EndDate): an
EntitlementProcess's metadata says nothing of how long an entitlement runs (Metadata API Developer
Guide, EntitlementProcess: no term field; the term lives on Entitlement records and, in days, on
an EntitlementTemplate). A term is written only when every entitlement on the process's versions
spans the same whole term, read the way backfill writes it (EndDate = StartDate + term - 1 day,
`slakit.backfill.plan.end_date`); all open-ended means no term. Anything else, and a --metadata
folder (no records), leaves a commented placeholder (build.py).
"""

from __future__ import annotations

import datetime as dt

from slakit.backfill.plan import end_date

MAX_MONTHS = 1200  # a century: longer terms are read in days


def spans(start: dt.date, end: dt.date | None) -> list[str]:
    """The terms (in tiers.yml words, months first) that take `start` to `end`; [""] = open-ended."""
    if end is None:
        return [""]
    if end < start:
        return []
    out = []
    for n in range(1, MAX_MONTHS + 1):
        last = end_date(start, n, "months")
        assert last is not None
        if last == end:
            out.append(f"{n} month{'s' if n > 1 else ''}")
        if last >= end:
            break
    days = (end - start).days + 1
    return out + [f"{days} day{'s' if days > 1 else ''}"]


def read_terms(entitlements: list[dict], process_family: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """({process NameNorm: term, "" = open-ended}, {process NameNorm: why no term was read}) from the
    org's Entitlement rows (SlaProcessId, StartDate, EndDate). `process_family` maps a SlaProcess Id
    (15 characters) to its NameNorm; a process holding no entitlement is in neither map."""
    rows = entitlements
    common: dict[str, list[str]] = {}
    why: dict[str, str] = {}
    for r in rows:
        family = process_family.get((r.get("SlaProcessId") or "")[:15])
        if family is None or family in why:
            continue
        if not r.get("StartDate"):
            why[family] = "an entitlement on this process has no StartDate"
            continue
        start = dt.date.fromisoformat(r["StartDate"])
        end = dt.date.fromisoformat(r["EndDate"]) if r.get("EndDate") else None
        mine = spans(start, end)
        shared = [t for t in common.get(family, mine) if t in mine]
        if not shared:
            common.pop(family, None)
            why[family] = "the org's entitlements on this process do not all run for the same term"
            continue
        common[family] = shared
    return {family: terms[0] for family, terms in common.items()}, why
