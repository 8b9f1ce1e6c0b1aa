"""What `slakit import` reads, as plain data: the default version of every entitlement process,
milestone types, business hours and holidays, the Case workflow's actions, entitlement templates
and slakit's own flows, from a metadata folder (Metadata API or source format) or from an org.

Both sources end in the same `Facts`: the org is read with one Metadata API retrieve (through
`slakit.deploy.metadata.retrieve`, CumulusCI's retrieve, the call `slakit plan` uses) plus the
SOQL `slakit plan` reads (`slakit.deploy.plan.read_org`: SlaProcess versions, BusinessHours), so
an import reads the org exactly as the plan that checks it will.

Process files are named by the process's lowercase name (NameNorm) and, with versioning on,
`<namenorm>_v<N>` (public retrieved files: SwarajSalesforce/caseMgmtAccelerator
`wholesale support_v3`; gvinnakota/createdraftarticlefromcase even names version 1
`developer support_v1`). A family's default version is the one with `isVersionDefault` true
(from the org: SlaProcess.IsVersionDefault), else the highest `versionNumber`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from typing import TYPE_CHECKING

from lxml import etree

from slakit.config.project import ACTION_KINDS
from slakit.deploy import versions as V
from slakit.errors import ConfigError, OrgError, UsageError
from slakit.render import flows as F
from slakit.salesforce import CASE, MD_NS

if TYPE_CHECKING:
    from slakit.org.connect import OrgConnection

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SLAKIT_FLOWS = (F.STAMPING, F.CASE_COMPLETION, F.CASE_ENTRY_COMPLETION, F.EMAIL_COMPLETION, F.COMMENT_COMPLETION,
                F.CLOSED_WON)  # the flows slakit renders (render.flows names them)
FOLDERS = {"entitlementProcesses": "process", "milestoneTypes": "milestone_type", "workflows": "workflow",
           "settings": "settings", "entitlementTemplates": "template", "flows": "flow"}
WORKFLOW_KINDS = {**{k.workflow_tag: k.action_type for k in ACTION_KINDS},
                  "outboundMessages": "OutboundMessage"}


def q(tag: str) -> str:
    return f"{{{MD_NS}}}{tag}"


def text(el, tag: str) -> str | None:
    """Stripped text of child `tag` of `el` (None when absent or empty)."""
    found = el.find(q(tag)) if el is not None else None
    value = (found.text or "").strip() if found is not None else ""
    return value or None


@dataclass
class ProcessFile:
    name: str  # display name: <name>, SlaProcess.Name, or the file's name
    member: str  # fullName as retrieved, e.g. "gold_v2"
    root: etree._Element
    version: int = 1


@dataclass
class Hours:
    name: str
    zone: str | None
    days: dict[str, tuple[str, str] | None]  # monday -> ("09:00", "17:00"); None = closed
    active: bool = True
    default: bool = False


@dataclass
class Facts:
    source: str
    processes: list[ProcessFile] = field(default_factory=list)
    milestone_types: dict[str, str] = field(default_factory=dict)  # name -> recurrenceType
    hours: list[Hours] = field(default_factory=list)
    holidays: list[etree._Element] = field(default_factory=list)  # BusinessHoursSettings <holidays>
    workflow: dict[tuple[str, str], etree._Element] = field(default_factory=dict)  # (Alert, name) -> element
    templates: dict[str, etree._Element] = field(default_factory=dict)
    flows: dict[str, etree._Element] = field(default_factory=dict)  # slakit's flows by API name
    api_version: str | None = None
    accounts: dict[str, str] = field(default_factory=dict)  # process NameNorm -> entitlement.accounts
    accounts_unknown: str | None = None  # why there is no guess
    terms: dict[str, str] = field(default_factory=dict)  # process NameNorm -> entitlement.term ("" = open-ended)
    terms_unknown: dict[str, str] = field(default_factory=dict)  # process NameNorm -> why no term was read
    terms_unread: str = "a metadata folder holds no Entitlement records"  # why, for a process in neither map


def _parse(data: bytes, where: str) -> etree._Element:
    try:
        return etree.fromstring(data, etree.XMLParser(remove_comments=True, resolve_entities=False,
                                                      no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"not XML: {exc.msg}", file=where) from None


def _stem(path: str) -> tuple[str, str]:
    """'entitlementProcesses/gold_v2.entitlementProcess-meta.xml' -> ('entitlementProcesses', 'gold_v2')."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1].removesuffix("-meta.xml")
    return parts[-2] if len(parts) > 1 else "", unquote(name.rsplit(".", 1)[0])


def facts_from_files(files: dict[str, bytes], source: str, *, defaults: dict[str, int] | None = None,
                     names: dict[str, str] | None = None) -> Facts:
    """Facts from metadata files keyed by relative path. `defaults` ({namenorm: version}) and
    `names` ({namenorm: display name}) come from the org's SlaProcess rows when known."""
    facts = Facts(source)
    families: dict[str, list[ProcessFile]] = {}
    for path in sorted(files):
        folder, stem = _stem(path)
        kind = FOLDERS.get(folder)
        if kind is None or (path.endswith("-meta.xml") and path.removesuffix("-meta.xml") in files):
            continue
        if kind == "settings" and stem not in ("BusinessHours", "Entitlement"):
            continue
        if kind == "flow" and stem not in SLAKIT_FLOWS:
            continue
        if kind == "workflow" and stem != CASE.sobject:
            continue
        root = _parse(files[path], f"{source}/{path}")
        if kind == "process":
            base, number = V.split_member(stem)
            version = int(text(root, "versionNumber") or number)
            pf = ProcessFile(text(root, "name") or base, stem, root, version)
            families.setdefault(base.lower(), []).append(pf)
        elif kind == "milestone_type":
            facts.milestone_types[stem] = text(root, "recurrenceType") or "none"
        elif kind == "workflow":
            for child in root:
                tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
                if tag in WORKFLOW_KINDS and text(child, "fullName"):
                    facts.workflow[(WORKFLOW_KINDS[tag], text(child, "fullName") or "")] = child
        elif kind == "settings" and stem == "BusinessHours":
            facts.hours = [_hours_from_xml(bh) for bh in root.findall(q("businessHours"))]
            facts.holidays = root.findall(q("holidays"))
        elif kind == "template":
            facts.templates[stem] = root
        elif kind == "flow":
            facts.flows[stem] = root
            facts.api_version = facts.api_version or text(root, "apiVersion")
    for base, family in sorted(families.items()):
        facts.processes.append(_default(family, (defaults or {}).get(base), (names or {}).get(base)))
    return facts


def _default(family: list[ProcessFile], org_default: int | None, org_name: str | None) -> ProcessFile:
    if org_default is not None:
        chosen = [p for p in family if p.version == org_default] or family
    else:
        chosen = [p for p in family if text(p.root, "isVersionDefault") == "true"] or family
    pick = max(chosen, key=lambda p: p.version)
    if org_name:
        pick.name = org_name
    return pick


def _hhmm(value: str | None) -> str | None:
    return str(value)[:5] if value else None


def _hours_from_xml(bh) -> Hours:
    days = {}
    for d in DAYS:
        start, end = _hhmm(text(bh, f"{d}StartTime")), _hhmm(text(bh, f"{d}EndTime"))
        days[d] = (start, end) if start and end else None
    return Hours(text(bh, "name") or "", text(bh, "timeZoneId"), days, text(bh, "active") != "false",
                 text(bh, "default") == "true")


def hours_from_rows(rows: list[dict]) -> list[Hours]:
    """BusinessHours SOQL rows (what `slakit plan` compares) as Hours."""
    out = []
    for r in rows:
        days = {}
        for d in DAYS:
            start, end = _hhmm(r.get(f"{d.title()}StartTime")), _hhmm(r.get(f"{d.title()}EndTime"))
            days[d] = (start, end) if start and end else None
        out.append(Hours(r["Name"], r.get("TimeZoneSidKey"), days, bool(r.get("IsActive", True)),
                         bool(r.get("IsDefault"))))
    return out


def read_folder(folder: str | Path) -> Facts:
    """Facts from a retrieved metadata folder (mdapi with package.xml, or an sf project)."""
    root = Path(folder)
    if not root.is_dir():
        raise UsageError(f"{folder}: no such folder", field="--metadata",
                         hint="pass a retrieved metadata folder (mdapi or source format)")
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.parent.name in FOLDERS:
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    facts = facts_from_files(files, str(folder))
    if not facts.processes:
        raise ConfigError(f"{folder} holds no entitlement processes", field="--metadata",
                          hint="retrieve EntitlementProcess (and MilestoneType, Workflow, Settings) first")
    return facts


def read_org(conn: OrgConnection) -> Facts:
    """Facts from a live org: SOQL as `slakit plan` reads it, then one retrieve."""
    from slakit.audit.mdapi import list_metadata
    from slakit.deploy import plan as P
    from slakit.deploy.metadata import retrieve
    from slakit.org.errors import ENTITLEMENTS_OFF
    from slakit.org.soql import query_list

    sf = conn.sf
    state = P.read_org(sf)
    if not state.enabled:
        raise OrgError(ENTITLEMENTS_OFF.split(";")[0] + ": there is nothing to import",
                       hint="turn it on in Setup > Entitlement Settings, or start from `slakit init`")
    defaults: dict[str, int] = {}
    names: dict[str, str] = {}
    members: dict[str, list[str]] = {"EntitlementProcess": [], "MilestoneType": [], "Workflow": [CASE.sobject],
                                     "Settings": ["BusinessHours"], "Flow": list(SLAKIT_FLOWS)}
    for base, family in sorted(state.processes.items()):
        default = V.default_version(family)
        if default is None:
            continue
        defaults[base], names[base] = default.version, default.name
        members["EntitlementProcess"].append(V.file_member(base, default.version))
        if default.version == 1:  # some versioned orgs name version 1 `<name>_v1` too
            members["EntitlementProcess"].append(f"{base}_v1")
    if not members["EntitlementProcess"]:
        raise OrgError("the org has no entitlement processes to import",
                       hint="create one in Setup, or start from `slakit init`")
    mts = query_list(sf, "SELECT Name, RecurrenceType FROM MilestoneType", action="reading milestone types")
    members["MilestoneType"] = sorted(r["Name"] for r in mts)
    members["EntitlementTemplate"] = list_metadata(sf, "EntitlementTemplate")
    api_version = str(sf.sf_version)
    files = retrieve(conn, members, api_version=api_version)
    facts = facts_from_files(files, f"org {conn.name}", defaults=defaults, names=names)
    for r in mts:  # SOQL has every type even when a retrieve leaves one out
        facts.milestone_types.setdefault(r["Name"], r.get("RecurrenceType") or "none")
    defaults_bh = {r["Name"] for r in query_list(sf, "SELECT Name FROM BusinessHours WHERE IsDefault = true",
                                                 action="reading business hours")}
    facts.hours = hours_from_rows([{**r, "IsDefault": r["Name"] in defaults_bh}
                                   for r in state.business_hours.values()])
    facts.api_version = facts.api_version or api_version
    from slakit.importer.accounts import guess_accounts

    from slakit.importer.terms import read_terms

    family_of_id = {v.id[:15]: base for base, vs in state.processes.items() for v in vs}
    entitlements = query_list(sf, "SELECT AccountId, SlaProcessId, StartDate, EndDate FROM Entitlement "
                                  "WHERE SlaProcessId != null", action="reading entitlements")
    facts.accounts, facts.accounts_unknown = guess_accounts(sf, family_of_id, entitlements)
    facts.terms, facts.terms_unknown = read_terms(entitlements, family_of_id)
    facts.terms_unread = "no entitlement in the org uses this process"
    return facts
