"""The `slakit` entry point: builds the Typer app from the command modules and is the one place
that turns a `SlakitError` into text on stderr and an exit code.

Command modules only parse options, call one domain function and print. They import their
domain code inside the command body, so `slakit --help` stays fast (no CumulusCI import).
"""

from __future__ import annotations

import importlib
import sys

import typer

from slakit.errors import SlakitError

# Each module exposes `register(app: typer.Typer) -> None`.
COMMAND_MODULES = [
    "slakit.cli.validate",
    "slakit.cli.render",
    "slakit.cli.init",
    "slakit.cli.schema",
    "slakit.cli.simulate",
    "slakit.cli.deploy",
    "slakit.cli.backfill",
    "slakit.cli.smoke",
    "slakit.cli.audit",
]

_state = {"debug": False}


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="slakit",
        help="SLAs as code for Salesforce Entitlement Management.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )

    @app.callback()
    def _root(
        debug: bool = typer.Option(False, "--debug", help="Show a traceback on errors."),
        version: bool = typer.Option(False, "--version", help="Print the version and exit."),
    ) -> None:
        _state["debug"] = debug
        if version:
            from slakit import __version__

            typer.echo(f"slakit {__version__}")
            raise typer.Exit(0)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command group not built yet
            if exc.name == name:
                continue
            raise
        module.register(app)
    return app


def _print_error(exc: SlakitError) -> None:
    from slakit.cli.common import err_console

    for line in exc.lines():
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit codes 0 ok, 1 failed, 2 usage."""
    if argv is not None:
        sys.argv = ["slakit", *argv]
    _state["debug"] = "--debug" in sys.argv[1:]
    app = build_app()
    try:
        app(prog_name="slakit")
    except SlakitError as exc:
        if _state["debug"]:
            raise
        _print_error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # CumulusCI raises real click exceptions Typer does not catch
        if _state["debug"]:
            raise
        kind = type(exc).__name__
        print(f"error: {kind}: {exc} (run with --debug for a traceback)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
