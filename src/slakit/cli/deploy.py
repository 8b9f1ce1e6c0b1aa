"""`slakit deploy` and `slakit plan`: ship the rendered metadata with CumulusCI, or show what a
deploy would change (terraform-style). Domain code: slakit.deploy.run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from slakit.cli.common import console, emit_result, err_console

SYMBOLS = {"add": "+", "change": "~", "version": "^", "unchanged": "="}
DIFF_LINES = 10  # detail lines per component before "... and N more" (--json has them all)


def print_plan(plan) -> None:
    for c in plan.changes:
        if c.action == "unchanged":
            continue
        extra = ""
        if c.action == "version":
            extra = f" v{c.version_from} -> v{c.version_to} ({c.member})"
        line = f"  {SYMBOLS[c.action]} {c.type} {c.name}{extra}"
        if c.detail:
            line += f": {c.detail}"
        console.print(line, markup=False, highlight=False, soft_wrap=True)
        for text in _diff_lines(c.diff):
            console.print(f"      {text}", markup=False, highlight=False, soft_wrap=True)
    n = plan.counts()
    console.print(f"Plan: {n['add']} to add, {n['change']} to change, {n['version']} new process version(s), "
                  f"{n['unchanged']} unchanged.", markup=False, highlight=False)
    for type_, names in plan.kept.items():
        console.print(f"Kept as they are (the deploy merges business hours settings): {type_}: {', '.join(names)}",
                      markup=False, highlight=False, soft_wrap=True)
    for type_, names in plan.ignored.items():
        console.print(f"Left alone (not in tiers.yml): {type_}: {', '.join(names)}", markup=False, highlight=False)
    if not plan.entitlements_enabled:
        console.print("Entitlement Management is off: the deploy turns it on first (settings/Entitlement.settings).",
                      markup=False, highlight=False)


def _show(value) -> str:
    text = " ".join((", ".join(map(str, value)) if isinstance(value, list) else str(value)).split())
    return text if len(text) <= 60 else text[:57] + "..."


def describe(diff: dict) -> str:
    """One difference for people: `path before -> after`, `path added`, `path removed`
    (a top-level item takes a colon: `milestone L2 Dwell: removed`)."""
    path, before, after = diff["path"], diff["before"], diff["after"]
    sep = " " if ": " in path else ": "
    if before is None:
        return f"{path}{sep}added"
    if after is None:
        return f"{path}{sep}removed"
    return f"{path} {_show(before)} -> {_show(after)}"


def _diff_lines(diff: list[dict]) -> list[str]:
    shown = [describe(d) for d in diff[:DIFF_LINES]]
    return shown + ([f"... and {len(diff) - DIFF_LINES} more"] if len(diff) > DIFF_LINES else [])


def register(app: typer.Typer) -> None:
    @app.command()
    def deploy(
        tiers: Optional[Path] = typer.Argument(None, help="The tiers.yml to render and deploy.", show_default=False),
        org: str = typer.Option(..., "--org", help="CumulusCI org name (cci org list, or CUMULUSCI_ORG_<NAME>)."),
        check_only: bool = typer.Option(False, "--check-only", help="Validate only: nothing is saved in the org."),
        test_level: Optional[str] = typer.Option(None, "--test-level",
                                                 help="NoTestRun, RunLocalTests, RunAllTestsInOrg or RunSpecifiedTests."),
        rendered: Optional[Path] = typer.Option(None, "--from", help="Deploy this rendered mdapi folder instead."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before deploying to production."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
    ) -> None:
        """Deploy the rendered metadata with CumulusCI (settings first, then everything else)."""
        from slakit.deploy.options import DeployOptions
        from slakit.deploy.run import deploy_tiers

        opts = DeployOptions(tiers=tiers, rendered_dir=rendered, check_only=check_only, test_level=test_level, yes=yes)
        confirm = (lambda q: typer.confirm(q, default=False, err=True)) if sys.stdin.isatty() else None
        with err_console.status("connecting", spinner="dots") as status:
            result = deploy_tiers(opts.tiers, org, rendered_dir=opts.rendered_dir, check_only=opts.check_only,
                                  test_level=opts.level, yes=opts.yes, confirm=confirm,
                                  on_progress=lambda text: status.update(text))
        if json_out:
            emit_result(result.as_dict())
            return
        if result.plan is not None:
            print_plan(result.plan)
        verb = "validated (check-only)" if opts.check_only else "deployed"
        for p in result.phases:
            console.print(f"{p['phase']}: {p['components']} component(s) {verb}", markup=False, highlight=False)
        for rel in result.cleaned:
            err_console.print(f"warning: removed a 'Case.' prefix from action names in {rel}", markup=False)
        console.print(f"Deploy to {org} succeeded.", markup=False, highlight=False)

    @app.command()
    def plan(
        tiers: Optional[Path] = typer.Argument(None, help="The tiers.yml to compare with the org.", show_default=False),
        org: str = typer.Option(..., "--org", help="CumulusCI org name."),
        rendered: Optional[Path] = typer.Option(None, "--from", help="Compare this rendered mdapi folder instead."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
        detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode",
                                               help="Exit 0 when nothing would change, 2 when something would."),
    ) -> None:
        """Show what `slakit deploy` would add, change, version or leave alone."""
        from slakit.deploy.options import DeployOptions
        from slakit.deploy.run import plan_tiers

        opts = DeployOptions(tiers=tiers, rendered_dir=rendered)
        with err_console.status("reading the org", spinner="dots"):
            result = plan_tiers(opts.tiers, org, rendered_dir=opts.rendered_dir)
        if json_out:
            emit_result(result.as_dict())
        else:
            print_plan(result)
        if detailed_exitcode and result.has_changes:
            raise typer.Exit(2)
