"""`slakit --help` and every `slakit CMD --help` render and stay light: building the CLI and
rendering any help imports no CumulusCI, plotly or lxml."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

COMMANDS = ["validate", "render", "init", "schema", "simulate", "plan", "deploy", "backfill", "smoke", "audit",
            "at-risk", "report", "import", "backtest"]
HEAVY = ("cumulusci", "plotly", "lxml")


def test_building_the_cli_imports_no_cumulusci():
    code = (
        "import sys\n"
        "from slakit.cli.main import build_app\n"
        "build_app()\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_help_renders_without_heavy_imports():
    """Every help screen, one after the other in one fresh interpreter, through the real entry point:
    none of them (nor all of them together) imports a heavy library."""
    code = (
        "import contextlib, io, json, sys\n"
        "from slakit.cli.main import main\n"
        "seen = []\n"
        "for argv in json.loads(sys.argv[1]):\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        try:\n"
        "            main(argv)\n"
        "        except SystemExit as exc:\n"
        "            seen.append([argv, exc.code, out.getvalue().splitlines()[0]])\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
        "print(json.dumps({'seen': seen, 'heavy': heavy}))\n"
    )
    screens = [["--help"]] + [[name, "--help"] for name in COMMANDS]
    run = subprocess.run([sys.executable, "-c", code, json.dumps(screens)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["heavy"] == []
    assert [(argv, code) for argv, code, _ in doc["seen"]] == [(argv, 0) for argv in screens]
    for argv, _, first in doc["seen"]:
        assert first.startswith("Usage: slakit " + (argv[0] + " " if len(argv) > 1 else "")), first


def test_help_lists_every_command(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert sorted(listed) == sorted(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_renders(run_cli, name):
    result = run_cli(name, "--help")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Usage: slakit {name} ") and result.stderr == ""
    assert "--json" in result.stdout  # every command offers --json for pipelines


def test_version(run_cli):
    from slakit import __version__

    result = run_cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"slakit {__version__}\n")


def test_bare_slakit_prints_the_help(run_cli):
    result = run_cli()
    assert result.exit_code == 2 and "Commands:" in result.stderr + result.stdout


def test_unknown_option_is_usage_error(run_cli):
    result = run_cli("validate", "--nope")
    assert result.exit_code == 2
    assert result.stderr.strip() == "No such option: --nope (see 'slakit validate --help')"


def test_unknown_command_is_usage_error(run_cli):
    result = run_cli("deplyo")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "deplyo" in result.stderr
