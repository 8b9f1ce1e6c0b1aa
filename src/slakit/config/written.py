"""The Case fields a project writes, the one home: every `set` action's field (bare API name:
config.resolve strips the `Case.` prefix once), and which of them slakit renders as custom
fields (custom, not declared under `existing_fields`). Lint, render and smoke all ask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from slakit.config.project import Project, SetAction, Tier


def set_actions(tiers: Iterable[Tier]) -> Iterator[SetAction]:
    """Every `set` action of `tiers`, milestone by milestone (warning, violation, success)."""
    for t in tiers:
        for m in t.milestones:
            for a in (*m.on_warning, *m.on_violation, *m.on_success):
                if isinstance(a, SetAction) and a.field:
                    yield a


def written_fields(tiers: Iterable[Tier]) -> set[str]:
    """The bare API names of every field a `set` action of `tiers` writes."""
    return {a.field for a in set_actions(tiers) if a.field}


def renders_field(project: Project, name: str) -> bool:
    """True when slakit renders this Case field (custom, written by an action, not existing)."""
    return name.endswith("__c") and name not in project.existing_fields


def rendered_fields(project: Project, tiers: Iterable[Tier] | None = None) -> set[str]:
    """The written fields (of `tiers`, default every tier) that slakit renders as custom fields."""
    return {f for f in written_fields(project.tiers if tiers is None else tiers) if renders_field(project, f)}
