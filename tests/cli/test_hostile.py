"""tiers.yml from a stranger (issue 15): every hostile shape ends in exit 1 with its located line,
in a child process under a timeout and a memory cap, and the process never crashes (a negative
return code is a signal: a segfault, or the kernel killing it).

The small shapes live in tests/data/hostile/NAME.yml with their exact lines in NAME.expected
(`{file}` standing for the path); the big ones (deep nesting, oversized files) are generated here.
The expected lines follow docs/tiers-format.md ("Limits") and the positions are counted from the
files themselves, not taken from running slakit.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "hostile"
CORPUS = sorted(HOSTILE.glob("*.yml"))
TIMEOUT = 60  # seconds: generous for a shared machine; each case takes well under one (benchmarks/)
MEMORY = 1024 * 1024 * 1024  # 1 GiB of address space: the alias bomb used to take 1.8 GB in 30 s
TAIL = "tiers:\n  - name: Gold\n    milestones:\n      - {name: First Response, time_limit: 4h}\n"


def _cap_memory() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def slakit(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUMULUSCI_")}
    env.update({"PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""), "COLUMNS": "400"})
    if cwd is not None:
        env["HOME"] = str(cwd)  # a hermetic CumulusCI home: no org is known, none is needed
    result = subprocess.run([sys.executable, "-m", "slakit.cli.main", *argv], capture_output=True, text=True,
                            timeout=TIMEOUT, preexec_fn=_cap_memory, env=env, cwd=cwd, check=False)
    assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr[-500:]}"
    assert "Traceback" not in result.stderr, result.stderr
    return result


def errors(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip() and "warning:" not in line]


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_hostile_file_yields_its_expected_line(path):
    expected = path.with_suffix(".expected").read_text().replace("{file}", str(path)).splitlines()
    result = slakit("validate", str(path))
    assert result.returncode == 1
    assert errors(result) == expected


def test_corpus_covers_the_issue():
    assert len(CORPUS) >= 20


def _deep_flow(n: int) -> str:
    return "x-deep: " + "[" * n + "]" * n + "\n" + TAIL


def _deep_map_flow(n: int) -> str:
    return "x-deep: " + "{a: " * n + "}" * n + "\n" + TAIL


def _deep_block(n: int) -> str:  # one space more per level
    return "x-deep:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(n)) + " " * (n + 1) + "v\n" + TAIL


def _compact_block(n: int) -> str:  # `- - - - x`: two characters per level
    return "x-deep:\n" + "- " * n + "x\n" + TAIL


def _alias_chain(n: int) -> str:  # each anchor one level deeper than the last: cheap text, deep data
    return "x-a0: &a0 [1]\n" + "".join(f"x-a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, n)) + TAIL


def _quoted_continuation(n: int) -> str:  # an apostrophe inside a plain scalar must not hide what follows
    return "x-a: it is\n  'not a quote\nx-b: " + "[" * n + "]" * n + "\n" + TAIL


GENERATED = {
    # name: (text, line, col, message)
    "deep_flow_50000": (_deep_flow(50_000), 1, 72, "collections nest deeper than 64 levels"),
    "deep_flow_mapping_20000": (_deep_map_flow(20_000), 1, 261, "collections nest deeper than 64 levels"),
    "deep_block_1500": (_deep_block(1_500), 65, 65, "collections nest deeper than 64 levels"),
    "compact_block_20000": (_compact_block(20_000), 2, 127, "collections nest deeper than 64 levels"),
    "alias_chain_200": (_alias_chain(200), 65, 8, "aliases nest collections deeper than 64 levels"),
    "quoted_continuation": (_quoted_continuation(20_000), 3, 69, "collections nest deeper than 64 levels"),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_killer_is_refused_at_its_line(name, tmp_path):
    text, line, col, message = GENERATED[name]
    path = tmp_path / "tiers.yml"
    path.write_text(text)
    result = slakit("validate", str(path))
    assert result.returncode == 1
    (only,) = errors(result)
    assert only.startswith(f"{path}:{line}:{col}: {message}"), only


def test_a_file_over_5_mb_is_not_read(tmp_path):
    path = tmp_path / "tiers.yml"
    path.write_text(TAIL + "x-padding: |\n" + ("  " + "x" * 98 + "\n") * 53_000)  # 5.3 MB
    assert path.stat().st_size > 5 * 1024 * 1024
    result = slakit("validate", str(path))
    assert result.returncode == 1
    assert errors(result) == [f"{path}: the file is larger than 5 MB (a tiers.yml is a few kilobytes: is this "
                              "the right file?)"]


def test_a_file_just_under_the_limits_is_valid(tmp_path):
    """The limits leave room: 64 levels of nesting and 4.9 MB are still read."""
    path = tmp_path / "tiers.yml"
    path.write_text("x-deep: " + "[" * 63 + "]" * 63 + "\n" + TAIL + "x-padding: |\n" + ("  " + "x" * 98 + "\n") * 50_000)
    result = slakit("validate", str(path))
    assert result.returncode == 0, result.stderr


# every command that reads tiers.yml: the killers are refused before anything else happens
COMMANDS = {
    "validate": ["validate", "{tiers}"],
    "render": ["render", "{tiers}", "--out", "out"],
    "simulate": ["simulate", "{tiers}", "--opened", "2026-02-06T16:30-05:00"],
    "plan": ["plan", "{tiers}", "--org", "uat"],
    "deploy": ["deploy", "{tiers}", "--org", "uat"],
    "backfill": ["backfill", "{tiers}", "--org", "uat", "--dry-run"],
    "smoke": ["smoke", "{tiers}", "--org", "uat"],
    "audit": ["audit", "{tiers}", "--org", "uat"],
    "at-risk": ["at-risk", "{tiers}", "--org", "uat"],
    "report": ["report", "{tiers}", "--org", "uat"],
    "backtest": ["backtest", "{tiers}", "--org", "uat"],
    "audit --metadata": ["audit", "{tiers}", "--metadata", str(ROOT / "tests" / "fakes" / "rendered" / "acceptance")],
}


@pytest.mark.parametrize("shape", ["alias_bomb", "deep_flow"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_refuses_the_killers_with_one_line(name, shape, tmp_path):
    tiers = tmp_path / "tiers.yml"
    if shape == "alias_bomb":
        shutil.copy(HOSTILE / "alias_bomb.yml", tiers)
        where = "tiers.yml:7:6: aliases expand to more than 100,000 extra nodes"
    else:
        tiers.write_text(_deep_flow(50_000))
        where = "tiers.yml:1:72: collections nest deeper than 64 levels"
    result = slakit(*[a.format(tiers="tiers.yml") for a in COMMANDS[name]], "--json", cwd=tmp_path)
    assert result.returncode == 1
    (only,) = errors(result)
    assert only.startswith(where), only
    assert json.loads(result.stdout)["ok"] is False
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_cci_render_task_refuses_the_bomb(tmp_path, monkeypatch):
    from cumulusci.core.config import BaseProjectConfig, TaskConfig, UniversalConfig
    from cumulusci.core.exceptions import CumulusCIFailure

    from slakit.cci_tasks import RenderTiers

    shutil.copy(HOSTILE / "alias_bomb.yml", tmp_path / "tiers.yml")
    monkeypatch.chdir(tmp_path)
    project = BaseProjectConfig(UniversalConfig(), config={"project": {"package": {"api_version": "62.0"}}})
    task = RenderTiers(project, TaskConfig({"options": {"tiers": "tiers.yml", "out": "out"}}))
    with pytest.raises(CumulusCIFailure) as caught:
        task()
    assert str(caught.value).startswith("tiers.yml:7:6: aliases expand to more than 100,000 extra nodes")
    assert not (tmp_path / "out").exists()
