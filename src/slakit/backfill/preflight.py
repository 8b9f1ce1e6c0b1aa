"""Preflight: before anything is counted or written, check the org can take the backfill.

- Entitlement Management is on (describe of Entitlement answers; off = 404 / INVALID_TYPE).
- Each selected tier's entitlement process is deployed and has an active version; the
  default active version is what new entitlements point at, every version counts for skipping.
  Versions are found by name and by `VersionMaster` (one query reads every process; an org has
  at most 1,000): a version renamed in Setup still belongs to the tier's process, so its
  entitlements still count.
- Each tier's business hours exist and are active.
- The fields slakit sets are createable for this user in this API version (describe).
- Every field a tier's `entitlement.accounts` filter reads exists on Account (describe), one
  problem per unknown field, located at the filter in tiers.yml.
All missing pieces are reported together, by name, with the command that fixes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slakit.backfill.model import TierTarget
from slakit.config.project import Project, Tier
from slakit.config.select import accounts_where
from slakit.errors import OrgError, Problem
from slakit.org.errors import org_errors
from slakit.org.processes import ProcessVersion, families_by_name, pick_version, read_processes
from slakit.org.soql import sobject_type

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

HOURS_SOQL = "SELECT Id, Name, IsActive FROM BusinessHours WHERE Name IN {}"


def describe_createable(sf: Salesforce, sobject: str, *, updateable: bool = False) -> set[str] | None:
    """Createable (or updateable) field names; None when the object does not exist in the org."""
    from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

    try:
        with_fields = getattr(sf, sobject).describe()
    except SalesforceResourceNotFound:
        return None
    except SalesforceMalformedRequest as exc:
        if b"INVALID_TYPE" in (exc.content if isinstance(exc.content, bytes) else str(exc.content).encode()):
            return None
        raise
    key = "updateable" if updateable else "createable"
    return {f["name"] for f in with_fields["fields"] if f.get(key)}


def fix_command(project: Project, org_name: str | None) -> str:
    return f"slakit deploy {project.source} --org {org_name or '<org>'}"


def preflight(sf: Salesforce, project: Project, tiers: list[Tier], *, org_name: str | None = None,
              cases: bool = False) -> tuple[list[TierTarget], set[str], list[str]]:
    """(targets for tiers with an accounts clause, createable Entitlement fields, notes)."""
    fix = fix_command(project, org_name)
    problems: list[Problem] = []
    with org_errors("describing Entitlement"):
        createable = describe_createable(sf, "Entitlement")
    if createable is None:
        raise OrgError("Entitlement Management is not enabled in this org: Entitlement is not available",
                       hint=f"enable it in Setup > Entitlement Settings, or deploy the settings with `{fix}`")
    needed = ["Name", "AccountId", "SlaProcessId", "StartDate"]
    for field in needed:
        if field not in createable:
            problems.append(Problem(f"Entitlement.{field} is not createable for this user",
                                    hint="grant field-level edit access on Entitlement"))
    if cases:
        t = project.target
        with org_errors(f"describing {t.sobject}"):
            case_fields = describe_createable(sf, t.sobject, updateable=True) or set()
        if t.entitlement_field not in case_fields:
            stamp = t.field(t.entitlement_field)
            problems.append(Problem(f"{stamp} is not editable for this user (needed by --cases)",
                                    hint=f"grant field-level edit access on {stamp}"))
        if t.start_field not in case_fields:  # where --cases starts the stamped cases' clocks
            start = t.field(t.start_field)
            problems.append(Problem(f"{start} (Entitlement Process Start Time) is not editable for this "
                                    "user (needed by --cases)",
                                    hint=f"grant field-level edit access on {start}"))

    wanted = [t for t in tiers if t.entitlement.accounts]
    if wanted:
        with org_errors("describing Account"):
            account = sobject_type(sf, "Account").describe()
        problems += unknown_account_fields(project, wanted, account)
    notes = [f"tier '{t.name}' has no entitlement.accounts clause: nothing to backfill"
             for t in tiers if not t.entitlement.accounts]
    versions: dict[str, list[ProcessVersion]] = {}
    if wanted:
        versions = families_by_name(read_processes(sf), [t.name for t in wanted])
    # a deployed process names its business hours: those need no second lookup
    hours: dict[str, dict] = {}
    for rows in versions.values():
        for v in rows:
            if v.business_hours_id and v.business_hours_name:
                hours[v.business_hours_name.lower()] = {"Id": v.business_hours_id, "Name": v.business_hours_name,
                                                        "IsActive": v.business_hours_active}
    hour_names = sorted({t.business_hours for t in wanted if t.business_hours and t.business_hours.lower() not in hours})
    if hour_names:
        with org_errors("reading business hours"):
            for row in sf.query_all(_soql(HOURS_SOQL, hour_names))["records"]:
                hours[row["Name"].lower()] = row

    targets: list[TierTarget] = []
    for tier in wanted:
        rows = versions.get(tier.name.lower(), [])
        chosen = pick_version(rows)
        if not rows:
            problems.append(Problem(f"entitlement process '{tier.name}' is not deployed", field=tier.name,
                                    hint=f"run `{fix}`"))
        elif chosen is None:
            problems.append(Problem(f"entitlement process '{tier.name}' has no active version", field=tier.name,
                                    hint=f"activate it in Setup, or run `{fix}`"))
        bh_id = None
        if tier.business_hours:
            bh = hours.get(tier.business_hours.lower())
            if bh is None:
                problems.append(Problem(f"business hours '{tier.business_hours}' are not in the org",
                                        field=tier.name, hint=f"run `{fix}`"))
            elif bh.get("IsActive") is False:
                problems.append(Problem(f"business hours '{tier.business_hours}' are inactive", field=tier.name,
                                        hint="activate them in Setup > Business Hours"))
            else:
                bh_id = bh["Id"]
            if bh_id and "BusinessHoursId" not in createable:
                problems.append(Problem("Entitlement.BusinessHoursId is not createable for this user",
                                        hint="grant field-level edit access on Entitlement"))
        ent = tier.entitlement
        if ent.term_amount and "EndDate" not in createable:
            problems.append(Problem("Entitlement.EndDate is not createable for this user",
                                    hint="grant field-level edit access on Entitlement"))
        if ent.type and "Type" not in createable:
            problems.append(Problem("Entitlement.Type is not createable for this user",
                                    hint="grant field-level edit access on Entitlement"))
        if chosen is None:
            continue
        where = accounts_where(project, tier)
        assert where is not None  # `wanted` holds only tiers with an accounts clause
        targets.append(TierTarget(
            name=tier.name, process_id=chosen.id, version_ids=tuple(v.id for v in rows),
            business_hours_id=bh_id, where=where,
            entitlement_name=ent.name_for(tier.name), type=ent.type,
            term_amount=ent.term_amount, term_unit=ent.term_unit))
    if problems:
        unique = list({p.format(): p for p in problems}.values())
        raise OrgError(f"the org is not ready for a backfill ({len(unique)} problem(s))",
                       problems=[Problem("the org is not ready for a backfill", hint=None)] + unique)
    return targets, createable, notes


def unknown_account_fields(project: Project, tiers: list[Tier], describe: dict) -> list[Problem]:
    """One problem per field an `entitlement.accounts` filter reads that the org's Account lacks (or
    this user cannot see). A path (`Owner.Name`, `Parent__r.Tier__c`) is checked on its first hop:
    a relationship name of Account; what lies beyond it is the org's to answer."""
    import difflib

    from slakit.config.account_filter import fields as filter_fields

    names = {f["name"].lower(): f["name"] for f in describe.get("fields", [])}
    relations = {str(f["relationshipName"]).lower(): f["relationshipName"] for f in describe.get("fields", [])
                 if f.get("relationshipName")}
    index = {t.name: i for i, t in enumerate(project.tiers)}
    where = _accounts_lines(project)
    out = []
    for tier in tiers:
        i = index.get(tier.name, 0)
        for field in filter_fields(tier.entitlement.accounts or ""):
            head, dot, _ = field.partition(".")
            known = relations if dot else names
            if head.lower() in known:
                continue
            close = difflib.get_close_matches(head, list(known.values()), n=1, cutoff=0.7)
            what = "relationship" if dot else "field"
            line, col = where.get(i, (tier.line, None))
            out.append(Problem(
                f"tier '{tier.name}' reads {field}, but Account has no {what} {head} in this org (or this user "
                "cannot see it)", file=project.source, line=line, col=col, field=f"tiers[{i}].entitlement.accounts",
                hint=f"did you mean {close[0]}?" if close else "create the field, grant field-level access, "
                "or fix the filter"))
    return out


def _accounts_lines(project: Project) -> dict[int, tuple[int | None, int | None]]:
    """(line, col) of each tier's `entitlement.accounts` in tiers.yml (empty when it cannot be read)."""
    from slakit.config.load import read_yaml
    from slakit.errors import ConfigError

    try:
        doc = read_yaml(project.source)
    except ConfigError:
        return {}
    return {i: doc.where(("tiers", i, "entitlement", "accounts")) for i in range(len(project.tiers))}


def _soql(template: str, values: list[str]) -> str:
    from slakit.org.soql import soql

    return soql(template, values)
