"""Render a project to disk: every component through its template, every XML file checked against
the Metadata API schema, all written to a temporary folder beside the output which then replaces
the output (a failed render leaves the previous output as it was; nothing is half-written).

Formats:
  mdapi   Metadata API format: `<out>/<type folder>/...`, `<out>/package.xml` and, beside it,
          `<out>/slakit-manifest.json` (the package's facts: slakit.render.manifest).
  source  an `sf` project: `<out>/sfdx-project.json` and `<out>/force-app/main/default/...`
          (`--out` is the project root; `cd <out> && sf project deploy start` deploys it).

The output folder belongs to slakit: it is replaced whole. A non-empty folder that slakit did not
write (no marker: package.xml's header comment, or `.slakit-render` for source) is refused
unless `force=True`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from slakit.errors import Problem, RenderError
from slakit.render.manifest import MANIFEST, RenderedPackage
from slakit.render.manifest import build as build_package
from slakit.render.options import Format
from slakit.render.package_xml import MARKER, package_xml

if TYPE_CHECKING:
    from slakit.config.project import Project

SOURCE_PACKAGE_DIR = "force-app"
SOURCE_PREFIX = f"{SOURCE_PACKAGE_DIR}/main/default"
SOURCE_MARKER = ".slakit-render"


@dataclass
class RenderResult:
    out_dir: Path
    fmt: str
    files: list[str]  # relative POSIX paths, sorted
    members: dict[str, list[str]]  # package.xml content: type -> sorted members
    by_type: dict[str, int] = field(default_factory=dict)  # files per metadata type
    validated: bool = True

    def as_dict(self) -> dict:
        return {"out": str(self.out_dir), "format": self.fmt, "validated": self.validated,
                "files": self.files, "files_by_type": self.by_type, "members": self.members}


def render_files(project: Project, fmt: Format = "mdapi", validate: bool = True) -> tuple[dict[str, bytes], dict, dict]:
    """Render in memory: ({relative path: bytes} as written, members by type, files per type)."""
    pkg, files, per_type = _render(project, fmt, validate)
    return files, pkg.members, per_type


def render_package(project: Project, validate: bool = True) -> RenderedPackage:
    """Render in memory (Metadata API format) to the typed hand-off deploy and smoke take."""
    return _render(project, "mdapi", validate)[0]


def _render(project: Project, fmt: Format, validate: bool) -> tuple[RenderedPackage, dict[str, bytes], dict[str, int]]:
    """(package, every file as written: the package's, package.xml and the manifest, files per type)."""
    from slakit.render import xsd
    from slakit.render.env import environment
    from slakit.render.package_xml import members_by_type
    from slakit.render.registry import all_components

    env = environment(project.root)
    files: dict[str, bytes] = {}
    pairs: list[tuple[str, str]] = []
    per_type: Counter = Counter()
    problems: list[Problem] = []
    components = all_components(project)
    written: dict[int, str] = {}  # id(component) -> its path
    for comp in components:
        rel = comp.mdapi if fmt == "mdapi" else comp.source
        if not rel:
            continue
        rel = _safe_rel(rel, comp)
        if fmt == "source":
            rel = f"{SOURCE_PREFIX}/{rel}"
        data = _render_one(env, comp, rel)
        if rel in files:
            if files[rel] != data:
                raise RenderError(f"two components write {rel}", hint=f"{comp.type} {comp.member}")
            continue
        files[rel] = data
        written[id(comp)] = rel
        per_type[comp.type] += 1
        pairs.append((comp.type, comp.member))
        pairs.extend((comp.type, m) for m in comp.extra_members)
        if validate and comp.template.endswith(".xml.j2"):
            problems.extend(xsd.check_bytes(data, rel, comp.xsd_type or comp.type))
    if problems:
        first = problems[0]
        raise RenderError(first.message, file=first.file, line=first.line, problems=problems)
    members = members_by_type(pairs)
    pkg = build_package(components, dict(files), written, members, project.api_version)
    if fmt == "mdapi":
        files["package.xml"] = package_xml(pairs, project.api_version).encode("utf-8")
        if validate:
            xsd.validate_bytes(files["package.xml"], "package.xml", "Package")
        files[MANIFEST] = pkg.manifest_bytes()
    else:
        files["sfdx-project.json"] = _sfdx_project(project.api_version).encode("utf-8")
        files[SOURCE_MARKER] = (f"{MARKER}: this folder is replaced on every render; "
                                "edit tiers.yml, not these files.\n").encode("utf-8")
    return pkg, files, dict(sorted(per_type.items()))


def render_project(project: Project, out_dir: str | Path, fmt: Format = "mdapi", validate: bool = True,
                   force: bool = False) -> RenderResult:
    """Render, validate, then atomically replace `out_dir` with the result."""
    out = Path(out_dir)
    _check_replaceable(out, force)
    files, members, per_type = render_files(project, fmt, validate)
    write_atomically(out, files)
    return RenderResult(out, fmt, sorted(files), members, per_type, validate)


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.slakit-new-", dir=parent))
    except OSError as exc:
        raise RenderError(f"cannot write beside {out}: {exc.strerror}", file=str(out)) from None
    try:
        for rel in sorted(files):
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[rel])
        os.chmod(tmp, 0o755)
        _swap(tmp, out.resolve())
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RenderError(f"cannot write {out}: {exc.strerror or exc}", file=str(out)) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(tmp: Path, out: Path) -> None:
    """Put `tmp` where `out` is; the old output is removed only once the new one is in place."""
    if not out.exists():
        os.replace(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.slakit-old-", dir=out.parent))
    old.rmdir()
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except OSError:
        os.replace(old, out)  # put the previous output back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _check_replaceable(out: Path, force: bool) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise RenderError(f"{out} exists and is not a folder", file=str(out), hint="choose another --out")
    if force or not any(out.iterdir()):
        return
    pkg = out / "package.xml"
    if pkg.is_file() and MARKER in pkg.read_text(encoding="utf-8", errors="replace")[:500]:
        return
    if (out / SOURCE_MARKER).is_file():
        return
    raise RenderError(f"refusing to replace {out}: it holds files slakit did not render", file=str(out),
                      hint="render into a new or empty folder (the output folder is replaced whole), or pass --force")


def _safe_rel(rel: str, comp) -> str:
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or "\\" in rel or not p.parts:
        raise RenderError(f"component {comp.type} {comp.member} has an unsafe path '{rel}'")
    return str(p)


def _render_one(env, comp, rel: str) -> bytes:
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError

    try:
        template = env.get_template(comp.template)
        text = template.render(comp.context)
    except TemplateNotFound as exc:
        raise RenderError(f"template '{exc.name}' not found", file=rel,
                          hint="user templates live in templates/ beside tiers.yml") from None
    except TemplateSyntaxError as exc:
        raise RenderError(f"template syntax error: {exc.message}", file=exc.filename or comp.template,
                          line=exc.lineno) from None
    except UndefinedError as exc:
        where, line = _template_line(exc, comp.template)
        raise RenderError(f"{exc.message} (rendering {rel})", file=where, line=line,
                          hint="a template uses a variable slakit does not provide") from None
    except TemplateError as exc:
        where, line = _template_line(exc, comp.template)
        raise RenderError(f"template error: {exc} (rendering {rel})", file=where, line=line) from None
    return text.encode("utf-8")


def _template_line(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The template file and line an error was raised at (Jinja rewrites tracebacks to point there)."""
    tb = exc.__traceback__
    found: tuple[str, int | None] = (fallback, None)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2") or "/templates/" in name:
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _sfdx_project(api_version: str) -> str:
    doc = {
        "packageDirectories": [{"path": SOURCE_PACKAGE_DIR, "default": True}],
        "name": "slakit-rendered",
        "namespace": "",
        "sourceApiVersion": api_version,
    }
    return json.dumps(doc, indent=2) + "\n"
