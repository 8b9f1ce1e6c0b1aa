"""What the org must have before a deploy can succeed, checked with a few REST calls.

- Entitlement Management on, or `settings/Entitlement.settings` (enableEntitlements) in this
  deploy: it then goes first, in its own phase.
- Business hours declared `existing: true` present and active.
- The alerts' sender (`sender.org_wide`) an Organization-Wide Email Address of the org.
- Every field the rendered metadata reads (criteria, field updates, exit criteria) present in
  the org, unless this deploy creates it.
- Every `group:`/`role:`/`user:`/`team:` alert recipient and task assignee present
  (`slakit.deploy.recipients`), one problem each naming tier, milestone and tiers.yml line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slakit.errors import DeployError, Problem
from slakit.org.errors import ENTITLEMENTS_OFF
from slakit.org.soql import entitlements_enabled, field_names, global_sobjects, query_list, soql
from slakit.render.manifest import RenderedPackage
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.config.project import Project


@dataclass
class Preflight:
    entitlements_enabled: bool
    enable_in_run: bool
    problems: list[Problem] = field(default_factory=list)


def fields_read(pkg: RenderedPackage, project: Project | None = None) -> set[tuple[str, str]]:
    """(object, field) pairs the metadata reads or writes (the package's, and tiers.yml's criteria)."""
    out: set[tuple[str, str]] = set(pkg.fields_read)
    for tier in getattr(project, "tiers", ()) or ():
        for m in tier.milestones:
            crits = list(m.criteria) + list(getattr(m.completes_when, "criteria", ()) or ())
            for c in crits:
                obj, _, fld = c.field.rpartition(".")
                out.add((obj or CASE.sobject, fld))
    return out


def run_preflight(sf: Salesforce, pkg: RenderedPackage, project: Project | None = None, *, check_only: bool = False) -> Preflight:
    names = global_sobjects(sf)
    enabled = entitlements_enabled(sf, names=names)
    enable = not enabled and pkg.enables_entitlements
    pf = Preflight(enabled, enable)
    if not enabled and not enable:
        pf.problems.append(Problem(ENTITLEMENTS_OFF))
    elif enable and check_only:
        pf.problems.append(Problem("a check-only deploy cannot validate entitlement metadata while Entitlement "
                                   "Management is off", hint="deploy once without --check-only, or enable it in Setup"))
    existing = [bh.name for bh in getattr(project, "business_hours", {}).values() if bh.existing] if project else []
    if existing:
        rows = query_list(sf, soql("SELECT Name, IsActive FROM BusinessHours WHERE Name IN {}", existing),
                          action="reading business hours")
        found = {r["Name"].lower(): r for r in rows}
        for name in existing:
            row = found.get(name.lower())
            if row is None:
                pf.problems.append(Problem(f"business hours '{name}' (existing: true) are not in the org",
                                           file=getattr(project, "source", None), field="business_hours",
                                           hint="create them in Setup > Business Hours, or define them in tiers.yml"))
            elif not row.get("IsActive"):
                pf.problems.append(Problem(f"business hours '{name}' exist but are inactive",
                                           file=getattr(project, "source", None), field="business_hours",
                                           hint="activate them in Setup > Business Hours"))
    pf.problems.extend(sender_problems(sf, pkg, project))
    by_object: dict[str, set[str]] = {}
    for obj, fld in fields_read(pkg, project):
        if (obj, fld) not in pkg.fields_created:
            by_object.setdefault(obj, set()).add(fld)
    for obj in sorted(by_object):
        if obj not in names:
            pf.problems.append(Problem(f"object {obj} is not in the org (read by the rendered metadata)"))
            continue
        present = {f.lower() for f in field_names(sf, obj)}
        for fld in sorted(by_object[obj]):
            if fld.lower() not in present:
                pf.problems.append(Problem(f"field {obj}.{fld} is read by the rendered metadata but is not in the org",
                                           hint="create it, or remove it from tiers.yml (fields only read are never deployed)"))
    from slakit.deploy.recipients import missing_recipients

    pf.problems.extend(missing_recipients(sf, pkg, project))
    return pf


def sender_problems(sf: Salesforce, pkg: RenderedPackage, project: Project | None = None) -> list[Problem]:
    """Every alert sender address (WorkflowAlert senderAddress, from `sender.org_wide`) must be an
    Organization-Wide Email Address of the org, or the deploy fails on the workflow."""
    wanted = sorted(set(pkg.senders))
    if not wanted:
        return []
    rows = query_list(sf, soql("SELECT Id, Address FROM OrgWideEmailAddress WHERE Address IN {}", wanted),
                      action="reading organization-wide email addresses")
    found = {str(r.get("Address") or "").lower() for r in rows}
    return [Problem(f"sender {a} is not an Organization-Wide Email Address of this org",
                    file=getattr(project, "source", None), field="sender.org_wide",
                    hint="add and verify it in Setup > Organization-Wide Addresses, or change sender.org_wide")
            for a in wanted if a.lower() not in found]


def require(pf: Preflight) -> None:
    if pf.problems:
        raise DeployError(f"preflight failed: {pf.problems[0].message}", problems=pf.problems)
