"""The README's tiers.yml excerpt is valid, and its set-up commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_yaml_excerpt_validates(run_cli, tmp_path):
    text = (ROOT / "README.md").read_text()
    (block,) = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    path = tmp_path / "tiers.yml"
    path.write_text(block)
    result = run_cli("validate", path)
    assert result.exit_code == 0, result.stderr


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "pip install -e '.[test]' && mypy && python -m pytest"  # mypy: the type check is part of the tests
    assert f"    {command}\n" in readme
    assert command in ci
