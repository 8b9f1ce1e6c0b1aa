"""A rendered Metadata API folder as deployable phases.

Salesforce resolves references inside one deploy for most types, but a process cannot name
business hours or use entitlement objects that a settings change in the same package is only
about to create. So settings (Entitlement, BusinessHours) deploy first, on their own, and every
other component follows in one package (the Metadata API orders fields, milestone types,
workflow, processes, templates and flows within it). Each phase is a folder with its own
package.xml listing exactly its members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from slakit.config.project import ACTION_KINDS
from slakit.errors import DeployError
from slakit.salesforce import CASE, MD_NS

TYPE_FOLDERS = {
    "Settings": "settings", "CustomField": "objects", "CustomObject": "objects", "MilestoneType": "milestoneTypes",
    "EmailTemplate": "email", "Workflow": "workflows", **{k.package_child: "workflows" for k in ACTION_KINDS},
    "WorkflowRule": "workflows",
    "EntitlementProcess": "entitlementProcesses", "EntitlementTemplate": "entitlementTemplates",
    "Flow": "flows", "FlexiPage": "flexipages", "BusinessHoursEntry": "settings", "ApexClass": "classes",
}
PHASES = [("settings", {"settings"}), ("components", None)]  # None = everything else


@dataclass
class Phase:
    name: str
    files: dict[str, bytes] = field(default_factory=dict)  # relative POSIX path -> bytes
    members: dict[str, list[str]] = field(default_factory=dict)

    def write(self, out: Path, api_version: str) -> Path:
        from slakit.render.package_xml import package_xml

        for rel, data in self.files.items():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        pairs = [(t, m) for t, ms in self.members.items() for m in ms]
        (out / "package.xml").write_text(package_xml(pairs, api_version), encoding="utf-8")
        return out

    def count(self) -> int:
        return sum(len(v) for v in self.members.values())


def read_folder(path: str | Path) -> tuple[dict[str, bytes], dict[str, list[str]], str | None]:
    """({rel path: bytes}, package.xml members by type, package.xml version) of a rendered folder."""
    root = Path(path)
    manifest = root / "package.xml"
    if not manifest.is_file():
        raise DeployError(f"{root} has no package.xml", hint="render with --format mdapi")
    tree = etree.parse(str(manifest))
    members: dict[str, list[str]] = {}
    for types in tree.getroot().findall(f"{{{MD_NS}}}types"):
        name = types.findtext(f"{{{MD_NS}}}name")
        members[name] = [m.text for m in types.findall(f"{{{MD_NS}}}members")]
    version = tree.getroot().findtext(f"{{{MD_NS}}}version")
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
             if p.is_file() and p.name != "package.xml"}
    return files, members, version


def entitlement_settings_enables(files: dict[str, bytes]) -> bool:
    """True when the folder deploys Entitlement settings with enableEntitlements true."""
    for rel, data in files.items():
        if rel.lower() == "settings/entitlement.settings":
            return re.search(rb"<enableEntitlements>\s*true\s*</enableEntitlements>", data) is not None
    return False


def clean_action_names(files: dict[str, bytes]) -> list[str]:
    """Strip a `Case.` prefix from milestone action references, time-trigger `actions` and
    `successActions` alike (Salesforce rejects it). Returns the files changed."""
    changed = []
    for rel in list(files):
        if rel.startswith("entitlementProcesses/"):
            new = re.sub(rb"(<(?:actions|successActions)>\s*<name>)" + re.escape(CASE.prefix.encode()), rb"\1",
                         files[rel])
            if new != files[rel]:
                files[rel] = new
                changed.append(rel)
    return changed


def split_phases(files: dict[str, bytes], members: dict[str, list[str]]) -> list[Phase]:
    """Ordered non-empty phases; each file and each package.xml member lands in exactly one."""
    phases = [Phase(name) for name, _ in PHASES]

    def phase_of_folder(folder: str) -> Phase:
        for phase, (_, folders) in zip(phases, PHASES):
            if folders is None or folder in folders:
                return phase
        return phases[-1]

    for rel, data in files.items():
        phase_of_folder(rel.split("/", 1)[0]).files[rel] = data
    for type_, names in members.items():
        folder = TYPE_FOLDERS.get(type_, "")
        phase = phase_of_folder(folder) if folder else phases[-1]
        phase.members.setdefault(type_, []).extend(names)
    return [p for p in phases if p.files or p.members]
