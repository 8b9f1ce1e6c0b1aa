"""Tier selection, the one home: which tiers a `--tier` list names (file order, unknown names a
usage error), and which accounts a tier owns (its `entitlement.accounts` clause AND NOT every
earlier tier's clause: the first tier in file order wins an account). Backfill, smoke and
backtest all select through here, so they agree on which tier an account or a case belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence

from slakit.config.project import Project, Tier
from slakit.errors import UsageError


def select_tiers(project: Project, names: Sequence[str] | None) -> list[Tier]:
    """The tiers `names` name, in file order (all of them for none); an unknown name is a UsageError."""
    if not names:
        return list(project.tiers)
    chosen: list[Tier] = []
    for name in names:
        try:
            tier = project.tier(name)
        except KeyError:
            known = ", ".join(t.name for t in project.tiers)
            raise UsageError(f"--tier '{name}' is not a tier of {project.source}", field="--tier",
                             hint=f"tiers: {known}") from None
        if tier not in chosen:
            chosen.append(tier)
    return [t for t in project.tiers if t in chosen]  # file order


def tier_where(clauses: Sequence[str | None], index: int) -> str | None:
    """WHERE clause of tier `index`: its own clause AND NOT each earlier tier's clause."""
    own = clauses[index]
    if not own:
        return None
    parts = [f"({own})"] + [f"(NOT ({c}))" for c in clauses[:index] if c]
    return " AND ".join(parts)


def accounts_where(project: Project, tier: Tier) -> str | None:
    """The Account WHERE clause of `tier` (None: the tier has no `entitlement.accounts`)."""
    clauses = [t.entitlement.accounts for t in project.tiers]
    index = next(i for i, t in enumerate(project.tiers) if t.name == tier.name)
    return tier_where(clauses, index)
