"""`slakit --help` lists the commands and stays light: building the CLI imports no CumulusCI."""

from __future__ import annotations

import subprocess
import sys


def test_building_the_cli_imports_no_cumulusci():
    code = (
        "import sys\n"
        "from slakit.cli.main import build_app\n"
        "build_app()\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('cumulusci', 'plotly', 'lxml'))\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_lists_commands(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in ("validate", "schema"):
        assert command in result.stdout


def test_unknown_option_is_usage_error(run_cli):
    result = run_cli("validate", "--nope")
    assert result.exit_code == 2
