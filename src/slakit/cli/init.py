"""`slakit init`: scaffold a client project (tiers.yml, cumulusci.yml, orgs/dev.json, .gitignore)."""

from __future__ import annotations

from pathlib import Path

import typer

from slakit.cli.common import console, emit_result


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        folder: Path = typer.Argument(..., help="Folder of the new project (created if missing).",
                                      show_default=False),
        name: str = typer.Option(None, "--name", help="CumulusCI project name (default: the folder name)."),
        force: bool = typer.Option(False, "--force", help="Overwrite files that already exist."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
    ) -> None:
        """Scaffold tiers.yml, cumulusci.yml, orgs/dev.json and .gitignore (never overwrites without --force)."""
        from slakit.render.scaffold import scaffold

        result = scaffold(folder, force=force, name=name)
        if json_out:
            emit_result(result.as_dict())
            return
        for rel in result.written:
            note = " (overwritten)" if rel in result.overwritten else ""
            console.print(f"  {folder / rel}{note}", markup=False, highlight=False)
        console.print(f"Next: edit {folder / 'tiers.yml'}, then `slakit validate {folder / 'tiers.yml'}` and "
                      f"`slakit render {folder / 'tiers.yml'} --out {folder / 'build/metadata'}`.",
                      markup=False, highlight=False)
