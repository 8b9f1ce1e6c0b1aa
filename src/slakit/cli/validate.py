"""`slakit validate`: errors and lint for a tiers.yml, file:line:col precise."""

from __future__ import annotations

from pathlib import Path

import typer

from slakit.cli.common import console, emit_json, print_problems
from slakit.org.redact import redact


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        tiers: Path = typer.Argument(..., help="The tiers.yml to check.", show_default=False),
        strict: bool = typer.Option(False, "--strict", help="Treat lint warnings as errors."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
    ) -> None:
        """Validate tiers.yml: every error and lint warning, one line each (exit 1 on errors)."""
        from slakit.config import check

        result = check(tiers)
        failed = bool(result.errors) or (strict and bool(result.warnings))
        print_problems(result.errors + result.warnings)  # stderr, with --json too (pipelines' logs)
        if json_out:
            project = result.project
            blocking = result.errors or (result.warnings if failed else [])
            doc: dict = {"ok": not failed}
            if failed:  # the failure envelope every command prints, then validate's own keys
                doc.update({"exit_code": 1, "error": redact(" ".join(blocking[0].format().split())),
                            "problems": [p.as_dict() for p in blocking]})
            doc.update({
                "file": str(tiers),
                "valid": not failed,
                "errors": [p.as_dict() for p in result.errors],
                "warnings": [p.as_dict() for p in result.warnings],
                "tiers": [t.name for t in project.tiers] if project else [],
            })
            emit_json(doc)
        else:
            if result.project and not failed:
                n_ms = sum(len(t.milestones) for t in result.project.tiers)
                console.print(f"{tiers}: valid ({len(result.project.tiers)} tiers, {n_ms} milestones, "
                              f"{len(result.warnings)} warnings)", markup=False)
            elif result.project and failed:
                console.print(f"{tiers}: {len(result.warnings)} lint warnings fail --strict", markup=False)
        if failed:
            raise typer.Exit(1)
