"""Rendering: the resolved project -> Metadata API files (context builders, Jinja templates,
schema validation, atomic writer). Entry point:

    from slakit.render import render_project
    result = render_project(project, "build/metadata", fmt="mdapi")   # or fmt="source"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slakit.config.project import Project
    from slakit.render.options import Format


def render_project(project: Project, out_dir, fmt: Format = "mdapi", validate: bool = True, force: bool = False):
    """Render every component, validate it against the Metadata API schema, and atomically
    replace `out_dir`. Returns a `RenderResult`; raises `RenderError`."""
    from slakit.render.writer import render_project as _render

    return _render(project, out_dir, fmt=fmt, validate=validate, force=force)


def __getattr__(name: str):
    if name in ("RenderResult", "render_files"):
        from slakit.render import writer

        return getattr(writer, name)
    raise AttributeError(name)


__all__ = ["render_project", "RenderResult", "render_files"]
