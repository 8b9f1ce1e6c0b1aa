"""`slakit init`: a new client project from the bundled templates in `templates/_init/`:
tiers.yml (the commented example), cumulusci.yml (project name, api_version, the render/deploy
tasks and flow), orgs/dev.json (scratch org with Entitlements + ServiceCloud), .gitignore.

Existing files are never overwritten unless `force`; without it nothing is written when any
target exists (all or nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from slakit.errors import SlakitError, UsageError
from slakit.salesforce import DEFAULT_API_VERSION

# target path in the new project -> template under templates/_init/
FILES = {
    "tiers.yml": "_init/tiers.yml",
    "cumulusci.yml": "_init/cumulusci.yml.j2",
    "orgs/dev.json": "_init/orgs/dev.json.j2",
    ".gitignore": "_init/gitignore.j2",
}


@dataclass
class ScaffoldResult:
    root: Path
    written: list[str]
    overwritten: list[str]

    def as_dict(self) -> dict:
        return {"root": str(self.root), "written": self.written, "overwritten": self.overwritten}


def project_name(target: Path, name: str | None) -> str:
    text = name or target.resolve().name
    text = text.strip()
    if not text or not re.fullmatch(r"[\w .\-]+", text):
        raise UsageError(f"'{text}' cannot name a CumulusCI project", field="--name",
                         hint="use letters, digits, spaces, dots, dashes or underscores")
    return text


def render_scaffold(name: str, api_version: str = DEFAULT_API_VERSION) -> dict[str, bytes]:
    from slakit.render.env import environment

    env = environment(None)  # bundled templates only: a new project has no overrides yet
    out = {}
    for target, template in FILES.items():
        if template.endswith(".j2"):
            text = env.get_template(template).render(name=name, api_version=api_version)
        else:
            src, _, _ = env.loader.get_source(env, template)
            text = src
        out[target] = text.encode("utf-8")
    return out


def scaffold(target: str | Path, *, force: bool = False, name: str | None = None) -> ScaffoldResult:
    root = Path(target)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder", file=str(root))
    files = render_scaffold(project_name(root, name))
    existing = [rel for rel in FILES if (root / rel).exists()]
    if existing and not force:
        raise SlakitError(f"{root} already has {', '.join(existing)}; nothing was written",
                          file=str(root), hint="pass --force to overwrite them")
    try:
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    except OSError as exc:
        raise SlakitError(f"cannot write {exc.filename or root}: {exc.strerror}", file=str(root)) from None
    return ScaffoldResult(root, list(FILES), existing)
