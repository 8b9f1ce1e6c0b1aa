"""Preflight: every alert recipient and task assignee tiers.yml names exists in the org.

A workflow alert sent to `group:`/`role:`/`user:`/`team:` and a task assigned to `user:`/`role:`
name org records; a deploy naming one that is absent fails the whole components phase. So they
are looked up first, with one query per kind:

| tiers.yml | Salesforce (Metadata API WorkflowAlert recipient type) | looked up by |
|---|---|---|
| `group:X` | group (public group: Group.Type = 'Regular') | Group.DeveloperName |
| `role:X`  | role | UserRole.DeveloperName |
| `user:X`  | user | User.Username (active) |
| `team:X`  | caseTeam | CaseTeamRole.Name |

Each missing one is one Problem naming tier, milestone and the tiers.yml line of the action. A
rendered folder deployed without tiers.yml (`--from`) is checked from the package's recipients
instead (`RenderedPackage.recipients`; alert and task names stand in for tier and milestone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from slakit.config.project import EmailAction
from slakit.errors import Problem
from slakit.org.soql import query_list, soql
from slakit.render.manifest import RenderedPackage

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.config.project import Project

# prefix -> (object, field, extra condition, what it is)
LOOKUPS = {
    "group": ("Group", "DeveloperName", " AND Type = 'Regular'", "public group (Group DeveloperName)"),
    "role": ("UserRole", "DeveloperName", "", "role (UserRole DeveloperName)"),
    "user": ("User", "Username", " AND IsActive = true", "active user (User Username)"),
    "team": ("CaseTeamRole", "Name", "", "case team role (CaseTeamRole Name)"),
}


@dataclass(frozen=True)
class Reference:
    prefix: str  # group | role | user | team
    value: str
    where: str  # "tier Gold, milestone L2 Dwell, on_violation email" or "alert Gold_..."
    line: int | None = None


def references(project: Project) -> list[Reference]:
    """Every prefixed recipient and assignee in tiers.yml, with where it is."""
    out = []
    for tier in project.tiers:
        for ms in tier.milestones:
            for attr in ("on_warning", "on_violation", "on_success"):
                for a in getattr(ms, attr):
                    names, what = a.people(), "email" if isinstance(a, EmailAction) else f"{a.kind} assign_to"
                    for r in names:
                        prefix, sep, value = (r or "").partition(":")
                        if sep and prefix in LOOKUPS and value:
                            out.append(Reference(prefix, value, f"tier {tier.name}, milestone {ms.name}, "
                                                                f"{attr} {what}", a.line))
    return out


def missing_recipients(sf: Salesforce, pkg: RenderedPackage, project: Project | None = None) -> list[Problem]:
    refs = references(project) if project is not None else \
        [Reference(r.prefix, r.value, r.where) for r in pkg.recipients]
    wanted: dict[str, set[str]] = {}
    for ref in refs:
        wanted.setdefault(ref.prefix, set()).add(ref.value)
    found: dict[str, set[str]] = {}
    for prefix, values in wanted.items():
        obj, fld, extra, _ = LOOKUPS[prefix]
        rows = query_list(sf, soql(f"SELECT {fld} FROM {obj} WHERE {fld} IN {{}}{extra}", sorted(values)),
                          action=f"reading {obj} records")
        found[prefix] = {str(r.get(fld) or "").lower() for r in rows}
    source = getattr(project, "source", None)
    problems = []
    for ref in refs:
        if ref.value.lower() in found.get(ref.prefix, set()):
            continue
        what = LOOKUPS[ref.prefix][3]
        problems.append(Problem(f"{ref.where}: {ref.prefix}:{ref.value}: no {what} of that name in the org",
                                file=source, line=ref.line,
                                hint=f"create it in Setup, or change {ref.prefix}:{ref.value} in tiers.yml"))
    return problems
