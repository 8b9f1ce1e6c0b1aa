"""Entitlement metadata as plain data, read from a metadata folder (Metadata API format with
package.xml, or source format under force-app/...) or from readMetadata `<records>` elements.

Only what the audit needs: entitlement processes (milestones, time triggers, actions), milestone
types, the Case workflow's action names, flows (status, trigger object, whether they set
Case.EntitlementId or CaseMilestone.CompletionDate, which string constants they mention), Apex
that sets CompletionDate, and business hours settings. Files that do not parse become `problems`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from slakit.config.project import ACTION_KINDS
from slakit.salesforce import CASE

SUFFIXES = {
    "entitlementProcess": "process", "milestoneType": "milestone_type", "workflow": "workflow",
    "flow": "flow", "settings": "settings", "cls": "apex", "trigger": "apex",
}


@dataclass(frozen=True)
class ActionRef:
    name: str
    type: str  # Alert | FieldUpdate | Task | OutboundMessage | ...


@dataclass
class TimeTrigger:
    time_length: int
    unit: str  # Minutes | Hours | Days
    actions: list[ActionRef]

    @property
    def minutes(self) -> int:
        return self.time_length * {"Minutes": 1, "Hours": 60, "Days": 1440}.get(self.unit, 1)

    @property
    def is_warning(self) -> bool:
        return self.time_length < 0


@dataclass
class ProcessMilestone:
    name: str
    minutes: int | None
    business_hours: str | None
    triggers: list[TimeTrigger] = field(default_factory=list)
    success_actions: list[ActionRef] = field(default_factory=list)

    @property
    def warning_actions(self) -> list[ActionRef]:
        return [a for t in self.triggers if t.is_warning for a in t.actions]

    @property
    def violation_actions(self) -> list[ActionRef]:
        return [a for t in self.triggers if not t.is_warning for a in t.actions]

    def all_actions(self) -> list[ActionRef]:
        return [a for t in self.triggers for a in t.actions] + list(self.success_actions)


@dataclass
class Process:
    full_name: str
    name: str
    active: bool
    business_hours: str | None
    milestones: list[ProcessMilestone]
    version: int | None = None
    is_default: bool | None = None
    file: str | None = None


@dataclass
class FlowInfo:
    full_name: str
    label: str | None
    active: bool
    trigger_object: str | None
    stamps_entitlement: bool  # sets Case.EntitlementId
    completes_milestones: bool  # sets CaseMilestone.CompletionDate
    strings: set[str] = field(default_factory=set)
    file: str | None = None


# workflow element -> (action type, pool): the action kinds' (config.project.ACTION_KINDS) and outbound messages
WORKFLOW_POOLS = {**{k.workflow_tag: (k.action_type, k.pool) for k in ACTION_KINDS},
                  "outboundMessages": ("OutboundMessage", "outbound_messages")}


@dataclass
class Workflow:
    """The action names of the object's workflow, per pool (`alerts`, `field_updates`, `tasks`, ...)."""

    pools: dict[str, set[str]] = field(default_factory=lambda: {p: set() for _, p in WORKFLOW_POOLS.values()})

    def has(self, ref: ActionRef) -> bool:
        return ref.name in self.pool(ref.type)

    def pool(self, action_type: str) -> set[str]:
        """The names of one action type (`Alert`, `FieldUpdate`, ...); empty for a type slakit does not know."""
        for type_, name in WORKFLOW_POOLS.values():
            if type_ == action_type:
                return self.pools[name]
        return set()


@dataclass
class Snapshot:
    source: str
    processes: list[Process] = field(default_factory=list)
    milestone_types: set[str] = field(default_factory=set)
    workflow: Workflow | None = None  # None: no Case workflow found
    flows: list[FlowInfo] = field(default_factory=list)
    apex_completion: list[str] = field(default_factory=list)  # Apex files setting CompletionDate
    apex_strings: set[str] = field(default_factory=set)
    business_hours: dict[str, bool] | None = None  # name -> active; None when unknown
    problems: list[str] = field(default_factory=list)

    def active_processes(self) -> list[Process]:
        return [p for p in self.processes if p.active]


# -- XML helpers (namespace-agnostic) -------------------------------------------------------
def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _kids(el, name: str) -> list:
    return [c for c in el if _local(c) == name]


def _text(el, name: str) -> str | None:
    for c in el:
        if _local(c) == name:
            return (c.text or "").strip() or None
    return None


def _bool(value: str | None, default: bool = False) -> bool:
    return default if value is None else value.strip().lower() == "true"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _actions(el) -> list[ActionRef]:
    return [ActionRef(_text(a, "name") or "", _text(a, "type") or "") for a in el]


# -- element parsers (files and readMetadata records share them) ----------------------------
def parse_process(root, full_name: str, file: str | None = None) -> Process:
    milestones = []
    for m in _kids(root, "milestones"):
        triggers = [TimeTrigger(_int(_text(t, "timeLength")) or 0, _text(t, "workflowTimeTriggerUnit") or "Minutes",
                                _actions(_kids(t, "actions"))) for t in _kids(m, "timeTriggers")]
        milestones.append(ProcessMilestone(_text(m, "milestoneName") or "", _int(_text(m, "minutesToComplete")),
                                           _text(m, "businessHours"), triggers, _actions(_kids(m, "successActions"))))
    return Process(full_name=full_name, name=_text(root, "name") or re.sub(r"_v\d+$", "", full_name),
                   active=_bool(_text(root, "active")), business_hours=_text(root, "businessHours"),
                   milestones=milestones, version=_int(_text(root, "versionNumber")),
                   is_default=_bool(_text(root, "isVersionDefault"), True), file=file)


def parse_workflow(root) -> Workflow:
    wf = Workflow()
    for kind, (_, name) in WORKFLOW_POOLS.items():
        pool = wf.pools[name]
        pool.update(n for n in (_text(el, "fullName") for el in _kids(root, kind)) if n)
    return wf


def _assigned_fields(root) -> list[tuple[str | None, str]]:
    """(object or None, field) pairs the flow writes: record updates/creates and assignments."""
    out: list[tuple[str | None, str]] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = _local(el)
        if tag in ("recordUpdates", "recordCreates"):
            obj = _text(el, "object")
            if obj is None and (_text(el, "inputReference") or "").startswith("$Record"):
                obj = _text(_kids(root, "start")[0], "object") if _kids(root, "start") else None
            out.extend((obj, _text(a, "field") or "") for a in _kids(el, "inputAssignments"))
        elif tag == "assignToReference":
            ref = (el.text or "").strip()
            owner, _, fld = ref.rpartition(".")
            if owner:
                out.append((_variable_object(root, owner), fld))
    return out


def _variable_object(root, owner: str) -> str | None:
    if owner == "$Record":
        start = _kids(root, "start")
        return _text(start[0], "object") if start else None
    for var in _kids(root, "variables"):
        if _text(var, "name") == owner:
            return _text(var, "objectType")
    return None


def parse_flow(root, full_name: str, file: str | None = None, active: bool | None = None) -> FlowInfo:
    start = _kids(root, "start")
    trigger = _text(start[0], "object") if start else None
    writes = _assigned_fields(root)
    strings = {(el.text or "").strip() for el in root.iter() if isinstance(el.tag, str)
               and _local(el) == "stringValue" and (el.text or "").strip()}
    return FlowInfo(
        full_name=full_name, label=_text(root, "label"),
        active=active if active is not None else (_text(root, "status") == "Active"),
        trigger_object=trigger,
        stamps_entitlement=any(f == CASE.entitlement_field and obj in (CASE.sobject, None) for obj, f in writes),
        completes_milestones=any(f == "CompletionDate" and obj == CASE.milestone_object for obj, f in writes),
        strings=strings, file=file)


def parse_business_hours_settings(root) -> dict[str, bool]:
    return {n: _bool(_text(el, "active"), True) for el in _kids(root, "businessHours")
            if (n := _text(el, "name"))}


# -- folders --------------------------------------------------------------------------------
def _kind(path: Path) -> tuple[str | None, str]:
    name = path.name
    if name.endswith("-meta.xml"):
        name = name[: -len("-meta.xml")]
    stem, _, suffix = name.rpartition(".")
    return SUFFIXES.get(suffix), unquote(stem)


APEX_COMPLETION = re.compile(r"\bCompletionDate\b")
APEX_STRINGS = re.compile(r"'((?:[^'\\]|\\.)*)'")


def read_folder(folder: str | Path) -> Snapshot:
    """A Snapshot of every entitlement-related file under `folder` (any depth, either format)."""
    root_dir = Path(folder)
    snap = Snapshot(source=str(folder))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    for path in sorted(p for p in root_dir.rglob("*") if p.is_file()):
        kind, stem = _kind(path)
        if kind is None:
            continue
        rel = str(path.relative_to(root_dir))
        if kind == "apex":
            text = path.read_text(encoding="utf-8", errors="replace")
            if APEX_COMPLETION.search(text) and CASE.milestone_object in text:
                snap.apex_completion.append(rel)
                snap.apex_strings.update(APEX_STRINGS.findall(text))
            continue
        if kind == "settings" and stem != "BusinessHours":
            continue
        if kind == "workflow" and stem != CASE.sobject:
            continue
        try:
            root = etree.parse(str(path), parser).getroot()
        except (etree.XMLSyntaxError, OSError) as exc:
            snap.problems.append(f"{rel}: cannot read: {exc}")
            continue
        if kind == "process":
            snap.processes.append(parse_process(root, stem, rel))
        elif kind == "milestone_type":
            snap.milestone_types.add(stem)
        elif kind == "workflow":
            snap.workflow = parse_workflow(root)
        elif kind == "flow":
            snap.flows.append(parse_flow(root, stem, rel))
        elif kind == "settings":
            snap.business_hours = parse_business_hours_settings(root)
    return snap
