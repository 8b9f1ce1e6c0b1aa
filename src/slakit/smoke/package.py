"""The smoke package: the smoke variant rendered in Metadata API format, then adjusted so that
deploying it cannot change anything the real tiers use.

Rules, by what a component of the smoke rendering shares with the real project's rendering
(same type and member, per the render registry):
- EntitlementProcess, MilestoneType: never shared (the variant renames them; refused if they are).
- Flow: a shared name is renamed `<name>_Smoke`, so the real flow is never overwritten by one that
  only knows the smoke tiers; both run, each on its own processes and milestone types.
- FlexiPage, Layout, EntitlementTemplate, QuickAction: left out (agents' pages are not smoke's);
  ApexClass too (the flow test class is for production deploys; a smoke one would replace it).
- Workflow (the Case workflow file, shared by name): package.xml lists its children instead
  (WorkflowAlert `Case.<name>`, WorkflowFieldUpdate, WorkflowTask, ...), so the deploy adds the
  smoke actions one by one and the real actions in the same file are never replaced.
- Anything else shared (Entitlement settings, the business hours settings entry list, the email
  template folder) is deployed as rendered: the Metadata API adds and updates these, it never
  deletes what a file leaves out, and the smoke rendering of a shared item is the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from slakit.errors import RenderError
from slakit.salesforce import MD_NS
from slakit.smoke.variant import SUFFIX, SmokeVariant

if TYPE_CHECKING:
    from slakit.config.project import Project

NEVER_SHARED = ("EntitlementProcess", "MilestoneType")
RENAMED = ("Flow",)
LEFT_OUT = ("FlexiPage", "Layout", "EntitlementTemplate", "QuickAction", "ApexClass")


@dataclass
class SmokePackage:
    path: Path
    members: dict[str, list[str]]  # package.xml after adjustment
    renamed: dict[str, str] = field(default_factory=dict)  # "Flow:Old" -> "Old_Smoke"
    left_out: list[str] = field(default_factory=list)  # "FlexiPage:Name"
    split: list[str] = field(default_factory=list)  # "Workflow:Case" deployed as its children
    first_response_objects: tuple[str, ...] = ("CaseComment",)  # what the completion flows watch

    def count(self) -> int:
        return sum(len(v) for v in self.members.values())


def _pairs(project: Project) -> dict[tuple[str, str], str]:
    """(type, member) -> mdapi path for every component the project renders."""
    return {key: paths[-1] for key, paths in _paths(project).items()}


def _paths(project: Project) -> dict[tuple[str, str], list[str]]:
    """(type, member) -> every mdapi path of it (an Apex class or email template has two files)."""
    from slakit.render.registry import all_components

    out: dict[tuple[str, str], list[str]] = {}
    for comp in all_components(project):
        out.setdefault((comp.type, comp.member), []).append(comp.mdapi)
        for extra in getattr(comp, "extra_members", ()) or ():
            out.setdefault((comp.type, extra), [comp.mdapi])
    return out


def _default_render(project: Project, out_dir: Path) -> None:
    from slakit.render import render_project

    render_project(project, out_dir, fmt="mdapi")


def build_package(variant: SmokeVariant, out_dir: str | Path, *, render: Callable | None = None) -> SmokePackage:
    """Render `variant.project` into `out_dir` (Metadata API format) and adjust it (see above)."""
    from lxml import etree

    from slakit.deploy.folder import load_folder
    from slakit.render.manifest import MANIFEST

    out = Path(out_dir)
    (render or _default_render)(variant.project, out)
    smoke = _pairs(variant.project)
    smoke_paths = _paths(variant.project)
    real = _pairs(variant.real)
    shared = set(smoke) & set(real)
    for kind, member in sorted(shared):
        if kind in NEVER_SHARED:
            raise RenderError(f"the smoke variant would overwrite the real {kind} '{member}'",
                              hint="rename the tier or milestone that collides with its smoke name")
    pkg_path = out / "package.xml"
    if not pkg_path.is_file():
        raise RenderError(f"rendering the smoke variant produced no package.xml in {out}")
    rendered = load_folder(out)
    (out / MANIFEST).unlink(missing_ok=True)  # the adjusted folder is deployed as it is: facts go in SmokePackage
    tree = etree.parse(str(pkg_path))
    q = f"{{{MD_NS}}}"
    result = SmokePackage(out, {}, first_response_objects=rendered.first_response_objects)
    children: dict[str, list[str]] = {}
    for types in list(tree.getroot().iter(f"{q}types")):
        kind = types.findtext(f"{q}name")
        for mem in list(types.iter(f"{q}members")):
            member = mem.text or ""
            rel = smoke.get((kind, member))
            if kind in LEFT_OUT:
                types.remove(mem)
                for path in smoke_paths.get((kind, member), []):
                    if path and (out / path).is_file() and not any(
                            path in ps for (k, m), ps in smoke_paths.items() if k not in LEFT_OUT):
                        (out / path).unlink()
                result.left_out.append(f"{kind}:{member}")
            elif kind == "Workflow" and (kind, member) in shared and rel and (out / rel).is_file():
                types.remove(mem)
                for child_type, names in rendered.workflow_children.get(member, {}).items():
                    children.setdefault(child_type, []).extend(names)
                result.split.append(f"{kind}:{member}")
            elif kind in RENAMED and (kind, member) in shared and rel:
                new = f"{member}_{SUFFIX}"
                src = out / rel
                dst = src.with_name(src.name.replace(member, new, 1))
                if src.is_file():
                    src.rename(dst)
                mem.text = new
                result.renamed[f"{kind}:{member}"] = new
        if types.find(f"{q}members") is None:
            tree.getroot().remove(types)
        else:
            kept = sorted(types.findall(f"{q}members"), key=lambda m: m.text or "")  # renames can unsort them
            for mem in kept:
                types.remove(mem)
            for i, mem in enumerate(kept):
                types.insert(i, mem)
            result.members[kind] = [m.text or "" for m in kept]
    version = tree.getroot().find(f"{q}version")
    for child_type in sorted(children):
        types = etree.Element(f"{q}types")
        for name in sorted(children[child_type]):
            etree.SubElement(types, f"{q}members").text = name
        etree.SubElement(types, f"{q}name").text = child_type
        if version is not None:
            version.addprevious(types)
        else:
            tree.getroot().append(types)
        result.members[child_type] = sorted(children[child_type])
    etree.indent(tree, space="    ")
    tree.write(str(pkg_path), xml_declaration=True, encoding="UTF-8")
    return result
