"""`run_cli`: run the real `slakit` entry point in-process and capture exit code, stdout, stderr."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys, monkeypatch):
    # rich consoles write to whatever sys.stdout/sys.stderr are at print time (captured here)
    def run(*args: str) -> CliResult:
        from slakit.cli.main import main

        code = 0
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
