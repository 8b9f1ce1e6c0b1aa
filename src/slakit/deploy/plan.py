"""What a deploy would do, like `terraform plan`: org state vs the rendered files.

Read from the org: describeGlobal (Entitlement Management on?), SlaProcess versions
(VersionNumber, IsVersionDefault, VersionMaster), MilestoneType, BusinessHours, open cases per
process (through Case.Entitlement), and one Metadata API retrieve of the rendered members (a
process's current default version, e.g. `gold_v2`) to compare content.

Actions: `add` (absent), `change` (differs; edited in place), `version` (a process differs and
open cases use it: published as version N+1, isVersionDefault, versionMaster read from the org,
so open cases finish on the old version), `unchanged`. Org items the file does not name (the
three sample milestone types, other processes) are left alone and listed as `ignored`.
Content is compared by `slakit.deploy.compare` (both sides parsed; Salesforce's defaults, version
bookkeeping, whitespace and insignificant order ignored), so a plain retrieve of what slakit
deployed reads as `unchanged`. A changed component carries that comparison's `diff`: what differs,
as `{"path", "before", "after"}` (business hours: one per field or day, from the same SOQL row
comparison that decides the change). Holidays are compared with the org's retrieved
BusinessHours settings (`hours_merge.holiday_changes`); the org's other business hours and
holidays are listed as `kept`: a deploy merges them in, never removes them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from slakit.config.names import decode_full_name, encode_full_name
from slakit.deploy import versions as V
from slakit.deploy.compare import differences
from slakit.deploy.hours_merge import holiday_changes
from slakit.render.manifest import RenderedPackage
from slakit.org.processes import ProcessVersion, by_family, read_processes
from slakit.org.soql import entitlements_enabled, global_sobjects, query_list
from slakit.salesforce import CASE, MD_NS

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

CHANGES = ("add", "change", "version")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIME_FIELDS = [f"{d}{k}Time" for d in DAYS for k in ("Start", "End")]
ENTITLEMENT_TYPES = {"EntitlementProcess", "MilestoneType", "EntitlementTemplate"}


@dataclass
class Change:
    type: str
    name: str
    action: str  # add | change | version | unchanged
    detail: str = ""
    path: str | None = None  # rendered file
    member: str | None = None  # fullName the deploy will use
    version_from: int | None = None
    version_to: int | None = None
    version_master: str | None = None
    open_cases: int = 0
    diff: list[dict] = field(default_factory=list)  # what differs: {"path", "before", "after"}

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if not (isinstance(v, str | None) and v in (None, ""))}


@dataclass
class Plan:
    changes: list[Change]
    entitlements_enabled: bool
    ignored: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, list[str]] = field(default_factory=dict)  # org business hours/holidays a deploy keeps

    @property
    def has_changes(self) -> bool:
        return any(c.action in CHANGES for c in self.changes)

    def counts(self) -> dict[str, int]:
        out = {"add": 0, "change": 0, "version": 0, "unchanged": 0}
        for c in self.changes:
            out[c.action] = out.get(c.action, 0) + 1
        return out

    def as_dict(self) -> dict:
        return {"entitlements_enabled": self.entitlements_enabled, "has_changes": self.has_changes,
                "counts": self.counts(), "changes": [c.as_dict() for c in self.changes], "ignored": self.ignored,
                "kept": self.kept}


def _type_of(pkg: RenderedPackage, path: str) -> tuple[str, str]:
    """(metadata type, file stem) of a rendered file: its type as the package says."""
    folder, _, rest = path.partition("/")
    stem = rest.rsplit(".", 1)[0]
    entry = pkg.entry(path) or pkg.entry(f"{path}-meta.xml")
    return (entry.type if entry else folder), stem


@dataclass
class OrgState:
    """The org facts the plan needs, read by `read_org`."""

    enabled: bool  # Entitlement Management on
    business_hours: dict[str, dict[str, Any]] = field(default_factory=dict)  # lowercased name -> BusinessHours row
    processes: dict[str, list[ProcessVersion]] = field(default_factory=dict)  # NameNorm family -> versions
    milestone_types: dict[str, dict[str, Any]] = field(default_factory=dict)  # lowercased name -> MilestoneType row
    open_cases: dict[str, int] = field(default_factory=dict)  # 15-char SlaProcess Id -> open cases


def read_org(sf: Salesforce) -> OrgState:
    """The org facts the plan needs (a handful of queries)."""
    names = global_sobjects(sf)
    state = OrgState(entitlements_enabled(sf, names=names))
    hours = query_list(sf, f"SELECT Id, Name, IsActive, TimeZoneSidKey, {', '.join(TIME_FIELDS)} FROM BusinessHours",
                       action="reading business hours")
    state.business_hours = {r["Name"].lower(): r for r in hours}
    if not state.enabled:
        return state
    state.processes = by_family(read_processes(sf))  # gold, gold_v1, gold_v2 -> gold
    mts = query_list(sf, "SELECT Id, Name FROM MilestoneType", action="reading milestone types")
    state.milestone_types = {r["Name"].lower(): r for r in mts}
    rows = query_list(sf, f"SELECT Entitlement.SlaProcessId, COUNT(Id) n FROM {CASE.sobject} WHERE "
                          f"{CASE.closed_field} = false AND {CASE.entitlement_field} != null "
                          "GROUP BY Entitlement.SlaProcessId", action="counting open cases")
    state.open_cases = {(r.get("SlaProcessId") or "")[:15]: int(r.get("n") or 0) for r in rows}
    return state


def _bh_entries(data: bytes) -> dict[str, dict]:
    root = etree.fromstring(data)
    out = {}
    for bh in root.findall(f"{{{MD_NS}}}businessHours"):
        name = bh.findtext(f"{{{MD_NS}}}name")
        out[name] = {"active": bh.findtext(f"{{{MD_NS}}}active") == "true",
                     "zone": bh.findtext(f"{{{MD_NS}}}timeZoneId"),
                     "times": {f: _hhmm(bh.findtext(f"{{{MD_NS}}}{f[0].lower()}{f[1:]}")) for f in TIME_FIELDS}}
    return out


def _hhmm(value) -> str | None:
    """'09:00:00.000Z' -> '09:00' (None stays None: a closed day)."""
    return str(value)[:5] if value else None


def _day(start: str | None, end: str | None) -> str:
    return "closed" if start is None and end is None else f"{start or '?'}-{end or '?'}"


def _bh_diff(org: dict, entry: dict) -> list[dict]:
    """What a deploy changes in one BusinessHours row: active, time zone, each day's hours."""
    out: list[dict[str, Any]] = []
    if bool(org.get("IsActive")) != entry["active"]:
        out.append({"path": "active", "before": str(bool(org.get("IsActive"))).lower(),
                    "after": str(entry["active"]).lower()})
    if org.get("TimeZoneSidKey") != entry["zone"]:
        out.append({"path": "time zone", "before": org.get("TimeZoneSidKey"), "after": entry["zone"]})
    for d in DAYS:
        was = _day(_hhmm(org.get(f"{d}StartTime")), _hhmm(org.get(f"{d}EndTime")))
        now = _day(entry["times"][f"{d}StartTime"], entry["times"][f"{d}EndTime"])
        if was != now:
            out.append({"path": d.lower(), "before": was, "after": now})
    return out


def _bh_summary(diff: list[dict]) -> str:
    paths = {d["path"]: d for d in diff}
    if "active" in paths:
        return "active flag differs"
    if "time zone" in paths:
        return f"time zone {paths['time zone']['before']} -> {paths['time zone']['after']}"
    return f"hours differ on {', '.join(d['path'].title() for d in diff)}"


def build_plan(state: OrgState, pkg: RenderedPackage, current: dict[str, bytes]) -> Plan:
    """Pure: org state + rendered package + retrieved files -> Plan."""
    files = pkg.files
    changes: list[Change] = []
    kept: dict[str, list[str]] = {}
    metas = {p[: -len("-meta.xml")]: p for p in files if p.endswith("-meta.xml")}
    for path in sorted(files):
        if path.endswith("-meta.xml") and path[: -len("-meta.xml")] in files:
            continue  # compared with its main file
        data = files[path]
        type_, stem = _type_of(pkg, path[: -len("-meta.xml")] if path.endswith("-meta.xml") else path)
        if path == "settings/BusinessHours.settings":
            for name, entry in _bh_entries(data).items():
                org = state.business_hours.get(name.lower())
                if org is None:
                    changes.append(Change("BusinessHours", name, "add", path=path))
                elif diff := _bh_diff(org, entry):
                    changes.append(Change("BusinessHours", name, "change", _bh_summary(diff), path, diff=diff))
                else:
                    changes.append(Change("BusinessHours", name, "unchanged", path=path))
            holidays, kept = holiday_changes(current.get(path), data)
            changes.extend(Change("Holiday", n, action, path=path, diff=diff) for n, action, diff in holidays)
            continue
        if type_ == "EntitlementProcess":
            changes.append(_process_change(state, path, stem, data, pkg.process_names.get(path), current))
            continue
        if type_ == "MilestoneType":
            known = decode_full_name(stem).lower() in state.milestone_types  # file stems are encoded
            if not known:
                changes.append(Change(type_, decode_full_name(stem), "add", path=path, member=stem))
                continue
        if type_ == "Settings" and stem == "Entitlement" and not state.enabled:
            changes.append(Change(type_, stem, "change", "turns Entitlement Management on", path, stem))
            continue
        if type_ in ENTITLEMENT_TYPES and not state.enabled:
            changes.append(Change(type_, decode_full_name(stem), "add", path=path, member=stem))
            continue
        pair = [path] + ([metas[path]] if path in metas else [])
        olds = [current.get(p) for p in pair]
        if any(o is None for o in olds):
            changes.append(Change(type_, decode_full_name(stem), "add", path=path, member=stem))
            continue
        diff = [{**d, "path": f"{'meta: ' if p.endswith('-meta.xml') else ''}{d['path']}"}
                for o, p in zip(olds, pair) if o is not None for d in differences(o, files[p])]
        changes.append(Change(type_, decode_full_name(stem), "change" if diff else "unchanged", path=path, member=stem, diff=diff))
    rendered_types = {c.name.lower() for c in changes if c.type == "MilestoneType"}
    rendered_procs = {_family_key(state, c.member or c.name) for c in changes if c.type == "EntitlementProcess"}
    ignored = {"MilestoneType": sorted(r["Name"] for k, r in state.milestone_types.items() if k not in rendered_types),
               "EntitlementProcess": sorted({vs[0].name for k, vs in state.processes.items() if k not in rendered_procs})}
    return Plan(changes, state.enabled, {k: v for k, v in ignored.items() if v}, kept)


def _family_key(state: OrgState, member: str) -> str:
    """The org family a rendered (or retrieved) process member belongs to, by its decoded name."""
    name = decode_full_name(member).lower()
    return name if name in state.processes else V.split_member(name)[0]


def _process_change(state: OrgState, path: str, stem: str, data: bytes, label: str | None,
                    current: dict[str, bytes]) -> Change:
    base = _family_key(state, stem)
    family = state.processes.get(base, [])
    name = label or base
    if not family:
        return Change("EntitlementProcess", name, "add", path=path, member=encode_full_name(base))
    default, top = V.default_version(family), V.latest(family)
    assert default is not None and top is not None  # family is not empty
    master = V.version_master(family)
    open_cases = sum(state.open_cases.get(v.id[:15], 0) for v in family)
    old = current.get(f"entitlementProcesses/{V.member_of(default)}.entitlementProcess")
    diff = differences(old, data) if old is not None else []
    common: dict[str, Any] = dict(path=path, version_from=default.version, version_master=master, open_cases=open_cases, diff=diff)
    if old is not None and not diff:
        return Change("EntitlementProcess", default.name, "unchanged", member=V.member_of(default),
                      version_to=default.version, **common)
    if open_cases:
        nxt = top.version + 1
        return Change("EntitlementProcess", default.name, "version",
                      f"{open_cases} open case(s) use it: publish version {nxt}; they finish on version "
                      f"{default.version}", member=V.new_version_member(base, nxt), version_to=nxt, **common)
    return Change("EntitlementProcess", default.name, "change", "no open cases: edited in place",
                  member=V.member_of(default), version_to=default.version, **common)


def retrieve_members(state: OrgState, members: dict[str, list[str]]) -> dict[str, list[str]]:
    """What to retrieve for comparison: rendered members, processes at their default version."""
    want: dict[str, list[str]] = {}
    for type_, names in members.items():
        if type_ in ENTITLEMENT_TYPES and not state.enabled:
            continue
        for n in names:
            if type_ == "EntitlementProcess":
                family = state.processes.get(_family_key(state, n))
                if not family:
                    continue
                default = V.default_version(family)
                if default is None:
                    continue
                n = V.member_of(default)  # as the org holds it: gold, gold_v1, gold_v3
            want.setdefault(type_, []).append(n)
    return want
