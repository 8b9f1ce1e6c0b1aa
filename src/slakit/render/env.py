"""The Jinja environment every rendered file goes through: StrictUndefined (a missing variable is
an error, never an empty string), XML autoescaping (every user string is escaped in `*.xml.j2`
templates; plain-text templates such as email bodies are not), and a loader that looks first in
the user's `templates/` folder beside tiers.yml (per-client overrides), then in slakit's bundled
templates.

Bundled templates live in the top-level `templates/` folder of the repository (mirroring the
Metadata API folders) and ship in the wheel as `slakit/templates`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import slakit

USER_TEMPLATES = "templates"


def bundled_templates_dir() -> Path:
    """`slakit/templates` in a wheel install, `<repo>/templates` in an editable/repo install."""
    pkg = Path(slakit.__file__).resolve().parent
    for candidate in (pkg / "templates", pkg.parent.parent / "templates"):
        if candidate.is_dir():
            return candidate
    from slakit.errors import RenderError

    raise RenderError("slakit's bundled templates are missing",
                      hint=f"looked in {pkg / 'templates'} and {pkg.parent.parent / 'templates'}; reinstall slakit")


def _autoescape(name: str | None) -> bool:
    """Escape for XML in `*.xml.j2` (and string templates); plain text (`*.txt.j2`) is left alone."""
    if not name:
        return True
    base = name[:-3] if name.endswith(".j2") else name
    return base.endswith(".xml")


def xml_bool(value: object) -> str:
    return "true" if value else "false"


def xml_time(minutes: int) -> str:
    """Minutes after local midnight as Salesforce writes a time: 540 -> 09:00:00.000Z; 1440 -> 00:00:00.000Z
    (an end of 00:00 is midnight at the end of the day)."""
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00.000Z"


def api_ge(api_version: str, since: str) -> bool:
    """True when `api_version` is at least `since` ("62.0" >= "57.0"): gate elements by version."""
    return float(api_version) >= float(since)


@lru_cache(maxsize=16)
def _environment(user_dir: str | None):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    paths = [user_dir] if user_dir else []
    paths.append(str(bundled_templates_dir()))
    env = Environment(
        loader=FileSystemLoader(paths, encoding="utf-8"),
        undefined=StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters["xmlbool"] = xml_bool
    env.filters["xmltime"] = xml_time
    env.globals["api_ge"] = api_ge
    return env


def environment(project_root: str | Path | None = None):
    """The environment for a project: user templates from `<project_root>/templates/` first."""
    user_dir = None
    if project_root is not None:
        candidate = Path(project_root) / USER_TEMPLATES
        if candidate.is_dir():
            user_dir = str(candidate.resolve())
    return _environment(user_dir)
