"""The `slakit` entry point: builds the Typer app from the command modules and is the one place
that turns a `SlakitError` into text on stderr and an exit code.

Command modules only parse options, call one domain function and print. They import their
domain code inside the command body, so `slakit --help` stays fast (no CumulusCI import).

Contract kept here for every command: an error is one line on stderr (tokens redacted; `--debug`
adds the traceback), exit 1 failed / 2 usage / 130 Ctrl-C; with `--json`, a failure that printed
no JSON document yet prints one (`{"ok": false, "exit_code", "error", "problems"}`) on stdout.
Click's usage errors are turned into one line too (click runs with standalone_mode=False).
"""

from __future__ import annotations

import functools
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
    "slakit.cli.import_cmd",
    "slakit.cli.backtest",
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

    def _version(value: bool) -> None:
        if value:
            from slakit import __version__

            typer.echo(f"slakit {__version__}")
            raise typer.Exit(0)

    @app.callback()
    def _root(
        debug: bool = typer.Option(False, "--debug", help="Show a traceback on errors."),
        version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True,
                                     callback=_version),
    ) -> None:
        _state["debug"] = debug

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


class Interrupted(Exception):
    """Ctrl-C inside a command (Typer would turn KeyboardInterrupt into a silent exit 130)."""


def _interruptible(callback):
    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except KeyboardInterrupt as exc:
            raise Interrupted() from exc

    return run


def _command(app: typer.Typer):
    """The click group behind `app`, every command's callback guarded against Ctrl-C."""
    group = typer.main.get_command(app)
    for command in getattr(group, "commands", {}).values():
        if command.callback is not None:
            command.callback = _interruptible(command.callback)
    return group


def _say(line: str) -> None:
    """One line on stderr: whitespace collapsed, tokens redacted."""
    from slakit.org.redact import redact

    sys.stderr.write(redact(" ".join(str(line).split())) + "\n")
    sys.stderr.flush()


def _json_error(json_mode: bool, exit_code: int, lines: list[str], problems: list[dict] | None = None) -> None:
    """With --json, a failure that printed no JSON yet still leaves one document on stdout."""
    from slakit.cli.common import emit_json, json_emitted
    from slakit.org.redact import redact

    if not json_mode or json_emitted():
        return

    def clean(value):
        if isinstance(value, str):
            return redact(" ".join(value.split()))
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    emit_json(clean({
        "ok": False,
        "exit_code": exit_code,
        "error": lines[0] if lines else "",
        "problems": problems if problems is not None else [{"severity": "error", "message": x} for x in lines],
    }))


def _traceback(exc: BaseException) -> None:
    """--debug: the traceback, with tokens redacted."""
    import traceback

    from slakit.org.redact import redact

    sys.stderr.write(redact("".join(traceback.format_exception(exc))))
    sys.stderr.flush()


def _usage_line(exc) -> str:
    text = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        text = f"{text} (see '{ctx.command_path} --help')"
    return text


def _click():
    """The click Typer runs on: Typer >= 0.20 vendors it as `typer._click`, older Typer uses click."""
    try:
        return importlib.import_module("typer._click")
    except ImportError:  # pragma: no cover
        return importlib.import_module("click")


def _wants_json(args: list[str]) -> bool:
    head = args[: args.index("--")] if "--" in args else args
    return "--json" in head


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit codes 0 ok, 1 failed, 2 usage, 130 interrupted."""
    click = _click()
    from slakit.cli.common import reset_run_state

    if argv is not None:
        sys.argv = ["slakit", *argv]
    args = sys.argv[1:]
    _state["debug"] = "--debug" in args
    json_mode = _wants_json(args)
    reset_run_state()
    try:
        code = _command(build_app()).main(args=args, prog_name="slakit", standalone_mode=False)
    except SlakitError as exc:
        if _state["debug"]:
            _traceback(exc)
        for line in exc.lines():
            _say(line)
        _json_error(json_mode, exc.exit_code, exc.lines(), [p.as_dict() for p in exc.problems])
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:  # bare `slakit`: the help, exit 2 as click does
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.ClickException as exc:  # bad options (2), click file errors (1)
        line = _usage_line(exc)
        _say(line)
        _json_error(json_mode, exc.exit_code, [line])
        sys.exit(exc.exit_code)
    except (Interrupted, KeyboardInterrupt, typer.Abort) as exc:
        aborted = isinstance(exc, typer.Abort)  # end of input at a prompt
        line = "aborted: no answer to the prompt" if aborted else "interrupted"
        sys.stderr.write("\n")
        _say(line)
        _json_error(json_mode, 1 if aborted else 130, [line])
        sys.exit(1 if aborted else 130)
    except Exception as exc:  # CumulusCI raises real click exceptions Typer does not catch
        if _state["debug"]:
            _traceback(exc)
        line = f"error: {type(exc).__name__}: {exc}" + ("" if _state["debug"] else " (run with --debug for a traceback)")
        _say(line)
        _json_error(json_mode, 1, [" ".join(line.split())])
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
