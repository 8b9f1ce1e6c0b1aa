"""Lint for what slakit's flows need (warnings; `--strict` makes them errors):

- lint.flow-field-not-rendered: a `completes_when` reads a custom field that slakit does not render
  (no `set` action writes it) and `existing_fields` does not declare: the Case completion flow
  fails to activate in an org without it. A field some `applies_when` also reads is left to the
  main lint's `lint.read-field` (one warning per missing field).
- lint.tier-without-accounts: a tier with neither `entitlement.accounts` nor `entitlement.on_closed_won`:
  no entitlement is created for it, so the stamping flow has nothing to stamp and its process never
  starts (unless someone creates entitlements by hand).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slakit.config.written import written_fields
from slakit.errors import Problem

if TYPE_CHECKING:
    from slakit.config.project import Project


def lint_flows(project: Project, doc) -> list[Problem]:
    problems: list[Problem] = []
    rendered = {f.lower() for f in written_fields(project.tiers)}
    existing = {f.lower() for f in project.existing_fields}
    reported: set[str] = {project.target.bare(c.field).lower() for t in project.tiers for m in t.milestones
                          for c in m.criteria}  # applies_when fields: reported by the main lint
    for i, t in enumerate(project.tiers):
        for j, m in enumerate(t.milestones):
            cw = m.completes_when
            if cw is None or cw.kind != "fields":
                continue
            for k, c in enumerate(cw.criteria):
                path = ("tiers", i, "milestones", j, "completes_when", k)
                field = project.target.bare(c.field)
                custom = "__c" in field.lower() or "__r" in field.lower()
                if not custom or field.lower() in rendered or field.lower() in existing:
                    continue
                if field.lower() in reported:
                    continue
                reported.add(field.lower())
                problems.append(doc.problem(
                    path + ("field",),
                    f"completes_when reads {field}, which slakit does not render: the milestone completion "
                    "flow needs it in the org",
                    hint=f"add `{field}` to existing_fields if the org has it, or write it with a set action",
                    severity="warning", code="lint.flow-field-not-rendered"))
        e = t.entitlement
        if not e.accounts and e.on_closed_won is None:
            problems.append(doc.problem(
                ("tiers", i, "entitlement"),
                f"tier '{t.name}' has no entitlement.accounts: no entitlement is created for it, so no case "
                "is stamped with it and its process never starts",
                hint="add entitlement.accounts (a SOQL WHERE clause on Account) or entitlement.on_closed_won",
                severity="warning", code="lint.tier-without-accounts"))
    return problems
