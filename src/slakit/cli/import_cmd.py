"""`slakit import`: write tiers.yml from an org (`--org NAME`) or a retrieved metadata folder
(`--metadata DIR`) that already has entitlement processes. Domain code: slakit.importer."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from slakit.cli.common import console, emit_json, err_console


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        org: Optional[str] = typer.Option(None, "--org", help="CumulusCI org name to read (read only)."),
        metadata: Optional[Path] = typer.Option(None, "--metadata", help="A retrieved metadata folder instead "
                                                "of an org (mdapi or source format)."),
        out: Path = typer.Option(Path("tiers.yml"), "--out", help="Where to write the tiers file."),
        force: bool = typer.Option(False, "--force", help="Replace --out if it exists."),
        as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout: the tiers document "
                                     "and what was kept as comments."),
    ) -> None:
        """Write tiers.yml from the entitlement processes an org (or a metadata folder) already has."""
        from slakit.errors import UsageError
        from slakit.importer import import_folder, import_org, write_tiers

        if bool(org) == bool(metadata):
            raise UsageError("give exactly one of --org NAME or --metadata DIR", field="--org")
        if out.exists() and not force:  # fail before reading the org
            raise UsageError(f"{out} exists", field="--out", hint="pass --force to replace it, or pick another --out")
        if metadata is not None:
            result = import_folder(metadata, str(out))
        else:
            from slakit.org.connect import connect_project

            conn = connect_project(str(org), None)
            with err_console.status(f"reading org {org}..."):
                result = import_org(conn, str(out))
        write_tiers(result, out, force=force)
        if as_json:
            emit_json(result.as_dict())
            return
        console.print(f"Wrote {out}: {len(result.as_dict()['tiers'].get('tiers', []))} tier(s) from {result.source}.",
                      markup=False, highlight=False)
        if result.notes:
            console.print(f"Kept as comments ({len(result.notes)}): what the org has that tiers.yml does not say:",
                          markup=False, highlight=False)
            for n in result.notes:
                console.print(f"  {n.where}: {n.what}", markup=False, highlight=False, soft_wrap=True)
        console.print(f"Next: slakit validate {out} && slakit plan {out} --org {org or 'NAME'} --detailed-exitcode",
                      markup=False, highlight=False)
