"""The typed hand-off from render to deploy and smoke: `RenderedPackage`, built from the components
render produced (never re-parsed from the files it wrote), and its JSON form `slakit-manifest.json`
written beside package.xml, so a folder rendered earlier (`deploy --from DIR`, the cci flow,
smoke's variant) loads the same facts.

What it says, per file: path, metadata type, member (package.xml fullName) and deploy phase
(`Component.phase`: 0 settings, deployed first on their own; 1-3 the rest, in one package). For
the package: its package.xml members and API version; the (object, field) pairs the metadata reads
and the custom fields it creates; whether it turns Entitlement Management on; the workflow children
(WorkflowAlert `Case.<name>`, ...); the flows it deploys Active; the alerts' org-wide sender
addresses; the recipients and task assignees its workflow names; the record a first response
is posted as (what the completion flows watch); each process file's display name.

A folder slakit did not render (no manifest) is read by `slakit.deploy.folder`, the one module that
recovers these facts from the XML.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from slakit.config.project import ACTION_KINDS

MANIFEST = "slakit-manifest.json"
MANIFEST_VERSION = 1
SETTINGS_PHASE = 0  # Component.phase of what deploys first, on its own
WORKFLOW_CHILDREN = {**{k.workflow_tag: k.package_child for k in ACTION_KINDS},  # Workflow tag -> member type
                     "rules": "WorkflowRule", "outboundMessages": "WorkflowOutboundMessage"}
FIRST_RESPONSE_OBJECTS = ("CaseComment", "EmailMessage")  # in order of preference
_DOTTED = re.compile(r"^([A-Za-z]\w*)\.([A-Za-z]\w*)$")  # Object.Field (a model value, not package bytes)


@dataclass(frozen=True)
class PackageFile:
    """One rendered file: where it is, what it deploys, in which phase."""

    path: str
    type: str
    member: str
    phase: int = 1


@dataclass(frozen=True)
class Recipient:
    """A workflow alert recipient or task assignee that names an org record (group/role/user/team)."""

    prefix: str  # group | role | user | team
    value: str
    where: str  # "alert Gold_First_Response_Warning" or "task ..."


@dataclass
class RenderedPackage:
    files: dict[str, bytes]  # relative POSIX path -> bytes (package.xml and the manifest excluded)
    members: dict[str, list[str]]  # package.xml: type -> members
    api_version: str | None
    entries: list[PackageFile] = field(default_factory=list)
    fields_read: set[tuple[str, str]] = field(default_factory=set)
    fields_created: set[tuple[str, str]] = field(default_factory=set)
    enables_entitlements: bool = False
    workflow_children: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # Workflow member -> type -> names
    active_flows: list[str] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    first_response_objects: tuple[str, ...] = ("CaseComment",)
    process_names: dict[str, str] = field(default_factory=dict)  # process file -> display name (<name>)
    from_manifest: bool = True  # False: recovered from a folder slakit did not render

    def entry(self, path: str) -> PackageFile | None:
        for e in self.entries:
            if e.path == path:
                return e
        return None

    def phase_of(self, type_: str, member: str) -> int:
        """The deploy phase of a package.xml member (its file's, else its type's; 1 if unknown)."""
        same_type = [e for e in self.entries if e.type == type_]
        for e in same_type:
            if e.member == member:
                return e.phase
        return same_type[0].phase if same_type else 1

    def facts(self) -> dict[str, Any]:
        """The manifest document (deterministic: every list sorted)."""
        return {
            "slakit_manifest": MANIFEST_VERSION,
            "api_version": self.api_version,
            "files": [{"path": e.path, "type": e.type, "member": e.member, "phase": e.phase}
                      for e in sorted(self.entries, key=lambda e: (e.path, e.type, e.member))],
            "members": {t: sorted(ms) for t, ms in sorted(self.members.items())},
            "fields_read": [list(p) for p in sorted(self.fields_read)],
            "fields_created": [list(p) for p in sorted(self.fields_created)],
            "enables_entitlements": self.enables_entitlements,
            "workflow_children": {w: {t: sorted(ns) for t, ns in sorted(c.items())}
                                  for w, c in sorted(self.workflow_children.items())},
            "active_flows": sorted(self.active_flows),
            "senders": sorted(self.senders),
            "recipients": [[r.prefix, r.value, r.where] for r in
                           sorted(self.recipients, key=lambda r: (r.where, r.prefix, r.value))],
            "first_response_objects": list(self.first_response_objects),
            "process_names": dict(sorted(self.process_names.items())),
        }

    def manifest_bytes(self) -> bytes:
        return (json.dumps(self.facts(), indent=2) + "\n").encode("utf-8")


def from_manifest(doc: dict[str, Any], files: dict[str, bytes]) -> RenderedPackage:
    """A RenderedPackage from a `slakit-manifest.json` document and the folder's files."""
    return RenderedPackage(
        files=files,
        members={t: list(ms) for t, ms in doc["members"].items()},
        api_version=doc.get("api_version"),
        entries=[PackageFile(f["path"], f["type"], f["member"], int(f["phase"])) for f in doc["files"]],
        fields_read={(o, f) for o, f in doc["fields_read"]},
        fields_created={(o, f) for o, f in doc["fields_created"]},
        enables_entitlements=bool(doc["enables_entitlements"]),
        workflow_children={w: {t: list(ns) for t, ns in c.items()} for w, c in doc["workflow_children"].items()},
        active_flows=list(doc["active_flows"]),
        senders=list(doc["senders"]),
        recipients=[Recipient(p, v, w) for p, v, w in doc["recipients"]],
        first_response_objects=tuple(doc["first_response_objects"]),
        process_names=dict(doc["process_names"]),
    )


def first_response_objects(watched: Iterable[str]) -> tuple[str, ...]:
    """The record a first response is posted as: a public CaseComment when a flow starts on
    CaseComment, else an outbound EmailMessage when one starts on EmailMessage, else CaseComment."""
    found = set(watched)
    for obj in FIRST_RESPONSE_OBJECTS:
        if obj in found:
            return (obj,)
    return ("CaseComment",)


def created_fields(members: dict[str, list[str]]) -> set[tuple[str, str]]:
    """(object, field) of every CustomField member ("Case.SLA_Breached__c")."""
    return {(obj, fld) for obj, _, fld in (m.partition(".") for m in members.get("CustomField", []) if "." in m)}


def build(components: Iterable[Any], files: dict[str, bytes], paths: dict[int, str],
          members: dict[str, list[str]], api_version: str | None) -> RenderedPackage:
    """The package's facts from the components that rendered it (`paths`: id(component) -> the
    path it was written to; components not written in this format are absent)."""
    pkg = RenderedPackage(files, members, api_version, fields_created=created_fields(members))
    workflows: dict[str, dict[str, list[str]]] = {}
    watched: list[str] = []
    for comp in components:
        rel = paths.get(id(comp))
        if rel is None:
            continue
        pkg.entries.append(PackageFile(rel, comp.type, comp.member, comp.phase))
        ctx = comp.context
        if comp.type == "Settings" and comp.member == "Entitlement":
            pkg.enables_entitlements = bool(ctx.get("enable_entitlements"))
        elif comp.type == "EntitlementProcess":
            pkg.process_names[rel] = str(ctx.get("tier") or "")
            for name in [ctx.get("entry_start_field"), ctx.get("exit_field")] + [
                    c["field"] for m in ctx.get("milestones", ()) for c in m.get("criteria", ())]:
                found = _DOTTED.match(str(name or ""))
                if found:
                    pkg.fields_read.add((found.group(1), found.group(2)))
        elif comp.type == "Workflow":
            obj = comp.member
            pkg.fields_read.update((obj, f["field"]) for f in ctx.get("field_updates", ()))
            children = workflows.setdefault(obj, {})
            for kind in ACTION_KINDS:  # the template's list per kind (its pool) -> the kind's member type
                names = [f"{obj}.{a['name']}" for a in ctx.get(kind.pool, ())]
                if names:
                    children.setdefault(kind.package_child, []).extend(names)
            if ctx.get("alerts") and ctx.get("sender"):
                pkg.senders.append(str(ctx["sender"]))
            pkg.recipients.extend(_recipients(ctx))
        elif comp.type == "Flow":
            watched.append(str(ctx.get("object") or ""))
            if ctx.get("status") == "Active":
                pkg.active_flows.append(comp.member)
    pkg.workflow_children = workflows
    pkg.first_response_objects = first_response_objects(watched)
    return pkg


# Metadata API WorkflowAlert recipient types / task assignee types that name an org record
RECIPIENT_PREFIX = {"group": "group", "role": "role", "user": "user", "caseTeam": "team"}


def _recipients(ctx: dict[str, Any]) -> list[Recipient]:
    out = []
    for alert in ctx.get("alerts", ()):
        for r in alert.get("recipients", ()):
            prefix = RECIPIENT_PREFIX.get(r.get("type") or "")
            if prefix and r.get("recipient"):
                out.append(Recipient(prefix, r["recipient"], f"alert {alert['name']}"))
    for task in ctx.get("tasks", ()):
        if task.get("assigned_to_type") in ("user", "role") and task.get("assigned_to"):
            out.append(Recipient(task["assigned_to_type"], task["assigned_to"], f"task {task['name']}"))
    return out
