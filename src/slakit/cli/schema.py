"""`slakit schema`: the JSON Schema of tiers.yml for editors (yaml-language-server)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def schema(
        json_out: bool = typer.Option(False, "--json", help="Accepted for pipelines: the output is always one "
                                      "JSON document."),
    ) -> None:
        """Print the JSON Schema of tiers.yml (add `# yaml-language-server: $schema=tiers.schema.json`)."""
        from slakit.cli.common import emit_json
        from slakit.config.schema import json_schema

        emit_json(json_schema())
