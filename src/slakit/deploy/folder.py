"""The one reader of a rendered Metadata API folder: `load_folder(dir) -> RenderedPackage`.

A folder slakit rendered carries `slakit-manifest.json` (slakit.render.manifest) beside its
package.xml: its facts are loaded as render wrote them, nothing is re-parsed. A folder without one
(rendered by hand, by another tool, or by a slakit before the manifest), or one whose files no
longer match its manifest (edited since), has its facts recovered here, and only here, from the XML:
each file's type by its folder (`TYPE_FOLDERS`) and package.xml, the fields it reads and creates,
whether it turns Entitlement Management on, the workflow children, the flows deployed Active, the
alerts' senders and named recipients, the objects the completion flows watch, the processes' names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

from slakit.config.project import ACTION_KINDS
from slakit.errors import DeployError
from slakit.render.manifest import (MANIFEST, RECIPIENT_PREFIX, SETTINGS_PHASE, WORKFLOW_CHILDREN, PackageFile,
                                    Recipient, RenderedPackage, created_fields, first_response_objects,
                                    from_manifest)
from slakit.salesforce import MD_NS

TYPE_FOLDERS = {
    "Settings": "settings", "CustomField": "objects", "CustomObject": "objects", "MilestoneType": "milestoneTypes",
    "EmailTemplate": "email", "Workflow": "workflows", **{k.package_child: "workflows" for k in ACTION_KINDS},
    "WorkflowRule": "workflows",
    "EntitlementProcess": "entitlementProcesses", "EntitlementTemplate": "entitlementTemplates",
    "Flow": "flows", "FlexiPage": "flexipages", "BusinessHoursEntry": "settings", "ApexClass": "classes",
}
SETTINGS_FOLDERS = {"settings"}  # deployed first, on their own (deploy.package)
_FIELD_REF = re.compile(rb"<(?:field|entryStartDateField)>\s*([A-Za-z]\w*)\.([A-Za-z]\w*)\s*</")
_WF_FIELD = re.compile(rb"<fieldUpdates>.*?<field>\s*(\w+)\s*</field>", re.S)
_SENDER = re.compile(rb"<senderAddress>\s*([^<\s]+)\s*</senderAddress>")
_ENABLES = re.compile(rb"<enableEntitlements>\s*true\s*</enableEntitlements>")
_ACTIVE = re.compile(rb"<status>\s*Active\s*</status>")
_MD = f"{{{MD_NS}}}"


def load_folder(path: str | Path) -> RenderedPackage:
    """The package in a rendered folder (files, package.xml members and version, facts)."""
    root = Path(path)
    manifest = root / "package.xml"
    if not manifest.is_file():
        raise DeployError(f"{root} has no package.xml", hint="render with --format mdapi")
    tree = etree.parse(str(manifest))
    members: dict[str, list[str]] = {}
    for types in tree.getroot().findall(f"{_MD}types"):
        name = types.findtext(f"{_MD}name") or ""
        members[name] = [m.text or "" for m in types.findall(f"{_MD}members")]
    version = tree.getroot().findtext(f"{_MD}version")
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
             if p.is_file() and p.name != "package.xml" and p.relative_to(root).as_posix() != MANIFEST}
    facts = root / MANIFEST
    if facts.is_file():
        try:
            doc = json.loads(facts.read_text(encoding="utf-8"))
            pkg = from_manifest(doc, files)
        except (ValueError, KeyError, TypeError):
            pkg = None  # not a manifest this slakit reads: recover the facts from the files
        if pkg is not None and {e.path for e in pkg.entries} == set(files):
            pkg.members, pkg.api_version = members, version or pkg.api_version
            return pkg
    return derive(files, members, version)


def derive(files: dict[str, bytes], members: dict[str, list[str]], version: str | None) -> RenderedPackage:
    """The facts of a package slakit did not describe, recovered from its XML."""
    pkg = RenderedPackage(files, members, version, from_manifest=False, fields_created=created_fields(members))
    watched: list[str] = []
    for rel, data in files.items():
        main = rel[: -len("-meta.xml")] if rel.endswith("-meta.xml") else rel
        type_, member = type_of(main, members)
        folder = rel.split("/", 1)[0]
        pkg.entries.append(PackageFile(rel, type_, member, SETTINGS_PHASE if folder in SETTINGS_FOLDERS else 1))
        pkg.fields_read.update((o.decode(), f.decode()) for o, f in _FIELD_REF.findall(data))
        if rel.lower() == "settings/entitlement.settings":
            pkg.enables_entitlements = _ENABLES.search(data) is not None
        if folder == "workflows" and rel.endswith(".workflow"):
            obj = rel.split("/", 1)[1].split(".", 1)[0]
            pkg.fields_read.update((obj, f.decode()) for f in _WF_FIELD.findall(data))
            pkg.senders.extend(a.decode() for a in _SENDER.findall(data))
            pkg.workflow_children[obj] = _workflow_children(data, obj)
            if rel == "workflows/Case.workflow":
                pkg.recipients.extend(_recipients(data))
        if folder == "entitlementProcesses" and rel.endswith(".entitlementProcess"):
            pkg.process_names[rel] = etree.fromstring(data).findtext(f"{_MD}name") or ""
        if folder == "flows" and rel.endswith(".flow"):
            if _ACTIVE.search(data):
                pkg.active_flows.append(rel[len("flows/"):-len(".flow")])
            watched.extend(_flow_objects(data))
    pkg.senders = sorted(set(pkg.senders))
    pkg.first_response_objects = first_response_objects(watched)
    return pkg


def type_of(path: str, members: dict[str, list[str]]) -> tuple[str, str]:
    """(metadata type, file stem) of a file, by its folder and package.xml."""
    folder, _, rest = path.partition("/")
    stem = rest.rsplit(".", 1)[0]
    for type_, fold in TYPE_FOLDERS.items():
        if fold == folder and stem in members.get(type_, []):
            return type_, stem
    for type_, fold in TYPE_FOLDERS.items():
        if fold == folder and type_ in members:
            return type_, stem
    return folder, stem


def _workflow_children(data: bytes, obj: str) -> dict[str, list[str]]:
    """{WorkflowAlert: ["Case.X", ...], ...} for the actions and rules in a workflow file."""
    out: dict[str, list[str]] = {}
    for el in etree.fromstring(data):
        tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
        name = el.findtext(f"{_MD}fullName")
        if tag in WORKFLOW_CHILDREN and name:
            out.setdefault(WORKFLOW_CHILDREN[tag], []).append(f"{obj}.{name}")
    return out


def _recipients(data: bytes) -> list[Recipient]:
    """Alert recipients and task assignees of a Case.workflow that name org records."""
    root = etree.fromstring(data)
    out = []
    for alert in root.findall(f"{_MD}alerts"):
        for r in alert.findall(f"{_MD}recipients"):
            prefix = RECIPIENT_PREFIX.get(r.findtext(f"{_MD}type") or "")
            value = r.findtext(f"{_MD}recipient")
            if prefix and value:
                out.append(Recipient(prefix, value, f"alert {alert.findtext(f'{_MD}fullName')}"))
    for task in root.findall(f"{_MD}tasks"):
        prefix = task.findtext(f"{_MD}assignedToType")
        value = task.findtext(f"{_MD}assignedTo")
        if prefix in ("user", "role") and value:
            out.append(Recipient(prefix, value, f"task {task.findtext(f'{_MD}fullName')}"))
    return out


def _flow_objects(data: bytes) -> list[str]:
    """The objects a flow starts on (`<start><object>`)."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError:
        return []
    return [el.findtext("{*}object") or "" for el in root.iter("{*}start")]
