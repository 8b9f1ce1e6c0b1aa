"""`slakit render`: tiers.yml -> schema-valid Metadata API files (mdapi folder + package.xml, or
an `sf` source-format project), written atomically."""

from __future__ import annotations

from pathlib import Path

import typer

from slakit.cli.common import console, emit_result


def register(app: typer.Typer) -> None:
    @app.command()
    def render(
        tiers: Path = typer.Argument(..., help="The tiers.yml to render.", show_default=False),
        out: Path = typer.Option(Path("build/metadata"), "--out", "-o",
                                 help="Output folder; replaced whole on every render."),
        fmt: str = typer.Option("mdapi", "--format", "-f",
                                help="mdapi (folder + package.xml) or source (sf project: sfdx-project.json + "
                                     "force-app/main/default)."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
        no_validate: bool = typer.Option(False, "--no-validate",
                                         help="Skip the Metadata API schema check (faster; not for deploys)."),
        force: bool = typer.Option(False, "--force",
                                   help="Replace --out even if it holds files slakit did not render."),
    ) -> None:
        """Render every metadata file the tiers need (validated against the Metadata API schema)."""
        from slakit.render.options import RenderOptions

        opts = RenderOptions(tiers=tiers, out=out, fmt=fmt, validate=not no_validate, force=force)
        from slakit.config import load_project
        from slakit.render import render_project

        project = load_project(opts.tiers)
        result = render_project(project, opts.out, fmt=opts.format, validate=opts.validate, force=opts.force)
        if json_out:
            emit_result({"tiers": str(tiers), **result.as_dict()})
            return
        from rich.table import Table

        table = Table(title=None, show_edge=False, box=None, pad_edge=False)
        table.add_column("type")
        table.add_column("files", justify="right")
        for type_, n in result.by_type.items():
            table.add_row(type_, str(n))
        console.print(table)
        checked = "schema-valid" if result.validated else "not validated (--no-validate)"
        console.print(f"{len(result.files)} files, {checked}, written to {result.out_dir} ({fmt})",
                      markup=False, highlight=False)
