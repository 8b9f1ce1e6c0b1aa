"""`slakit audit --org NAME [tiers.yml]`: the checklist against a live org, read only.

Order: Entitlement Management on (describeGlobal; nothing else can be checked without it), the
org's metadata as a Snapshot (EntitlementProcess and the Case workflow through readMetadata,
MilestoneType and BusinessHours through SOQL, record-triggered flows listed by
FlowDefinitionView then read), the Snapshot checks, the data checks, then drift from tiers.yml
(`slakit.deploy.plan`) when a file is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slakit.audit.checks import metadata_checks
from slakit.audit.data_checks import data_checks
from slakit.audit.findings import FAIL, PASS, WARN, AuditResult, Finding
from slakit.audit.mdapi import list_metadata, read_metadata
from slakit.audit.metadata import Snapshot, parse_flow, parse_process, parse_workflow
from slakit.org.errors import ENTITLEMENTS_OFF
from slakit.org.soql import entitlements_enabled, global_sobjects, query_list
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.config.project import Project
    from slakit.org.connect import OrgConnection

FLOWS_SOQL = ("SELECT ApiName, Label, IsActive, ProcessType, TriggerType, TriggerObjectOrEventLabel "
              "FROM FlowDefinitionView WHERE ProcessType = 'AutoLaunchedFlow' AND TriggerType IN "
              "('RecordBeforeSave', 'RecordAfterSave')")


def org_snapshot(sf: Salesforce, source: str) -> Snapshot:
    snap = Snapshot(source=source)
    names = list_metadata(sf, "EntitlementProcess")
    for full_name, rec in read_metadata(sf, "EntitlementProcess", names).items():
        snap.processes.append(parse_process(rec, full_name))
    snap.milestone_types = {r["Name"] for r in query_list(sf, "SELECT Name FROM MilestoneType",
                                                          action="reading milestone types")}
    workflow = read_metadata(sf, "Workflow", [CASE.sobject]).get(CASE.sobject)
    snap.workflow = parse_workflow(workflow) if workflow is not None else None
    views = query_list(sf, FLOWS_SOQL, action="listing record-triggered flows")
    active = {v["ApiName"]: bool(v.get("IsActive")) for v in views}
    for name, rec in read_metadata(sf, "Flow", sorted(active)).items():
        snap.flows.append(parse_flow(rec, name, active=active.get(name, False)))
    snap.business_hours = {r["Name"]: bool(r.get("IsActive")) for r in query_list(
        sf, "SELECT Name, IsActive FROM BusinessHours", action="reading business hours")}
    return snap


def check_drift(conn: OrgConnection, project: Project) -> list[Finding]:
    """What the org differs from tiers.yml: `slakit plan` (deploy.run.plan_project) reused as is."""
    from slakit.errors import SlakitError

    from slakit.deploy.plan import CHANGES
    from slakit.deploy.run import plan_project

    try:
        plan = plan_project(conn, project)
    except SlakitError as exc:
        return [Finding("drift", WARN, f"drift could not be computed: {exc.message}",
                        fix="run `slakit plan` to see why, or pass --no-drift")]
    changes = [f"{c.action} {c.type} {c.name}" + (f": {c.detail}" if c.detail else "")
               for c in plan.changes if c.action in CHANGES]
    if not changes:
        return [Finding("drift", PASS, "the org matches tiers.yml", numbers={"differences": 0})]
    counts = {k: v for k, v in plan.counts().items() if k in CHANGES and v}
    return [Finding("drift", WARN, f"{len(changes)} differences between the org and tiers.yml",
                    numbers={"differences": len(changes), **counts}, details=changes,
                    fix="review with `slakit plan`, then `slakit deploy` (or update tiers.yml)")]


def audit_org(conn: OrgConnection, *, project: Project | None = None, drift: bool = True) -> AuditResult:
    """Findings for a live org. `conn` is an OrgConnection (or anything with `.sf` and `.name`)."""
    sf = conn.sf
    result = AuditResult(source=f"org {conn.name}")
    names = global_sobjects(sf)
    if not entitlements_enabled(sf, names=names):
        result.add(Finding("entitlements.enabled", FAIL, ENTITLEMENTS_OFF,
                           fix="deploy settings/Entitlement.settings (slakit deploy) or enable it in Setup"))
        return result
    result.add(Finding("entitlements.enabled", PASS, "Entitlement Management is enabled"))
    snap = org_snapshot(sf, result.source)
    result.extend(metadata_checks(snap, project))
    result.extend(data_checks(sf, project))
    if project is not None and drift:
        result.extend(check_drift(conn, project))
    return result


__all__ = ["audit_org", "org_snapshot", "FAIL", "PASS", "WARN"]
