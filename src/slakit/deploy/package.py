"""A rendered package as deployable phases.

Salesforce resolves references inside one deploy for most types, but a process cannot name
business hours or use entitlement objects that a settings change in the same package is only
about to create. So settings (Entitlement, BusinessHours: `Component.phase` 0) deploy first, on
their own, and every other component follows in one package (the Metadata API orders fields,
milestone types, workflow, processes, templates and flows within it). Each phase is a folder with
its own package.xml listing exactly its members.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from slakit.render.manifest import SETTINGS_PHASE, RenderedPackage

PHASES = ("settings", "components")  # Component.phase 0, then everything else


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


def split_phases(pkg: RenderedPackage) -> list[Phase]:
    """Ordered non-empty phases; each file and each package.xml member lands in exactly one."""
    settings, components = (Phase(name) for name in PHASES)
    for rel, data in pkg.files.items():
        entry = pkg.entry(rel)
        (settings if entry is not None and entry.phase == SETTINGS_PHASE else components).files[rel] = data
    for type_, names in pkg.members.items():
        for name in names:
            first = _member_phase(pkg, type_, name) == SETTINGS_PHASE
            (settings if first else components).members.setdefault(type_, []).append(name)
    return [p for p in (settings, components) if p.files or p.members]


def _member_phase(pkg: RenderedPackage, type_: str, member: str) -> int:
    """A member's phase: its file's (or its type's) in the package; a type no file carries (a
    child type such as BusinessHoursEntry) goes by its folder."""
    from slakit.deploy.folder import SETTINGS_FOLDERS, TYPE_FOLDERS

    if any(e.type == type_ for e in pkg.entries):
        return pkg.phase_of(type_, member)
    return SETTINGS_PHASE if TYPE_FOLDERS.get(type_) in SETTINGS_FOLDERS else 1
