"""Golden files: a small config renders exactly to tests/golden/render/expected/ (see README there
for how to regenerate after an intended change)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from slakit.config import load_project
from slakit.render import render_project

HERE = Path(__file__).resolve().parent / "render"
EXPECTED = HERE / "expected"
# not built by slakit.render.context; slakit-manifest.json describes the flows and classes too and
# is pinned instead by tests/unit/test_manifest.py (the manifest's facts == the facts the folder
# reader recovers from the same files)
OTHERS = ("flows", "flexipages", "classes", "package.xml", "slakit-manifest.json")


def ours(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] not in OTHERS}


def test_small_config_matches_golden_files(tmp_path):
    out = tmp_path / "md"
    render_project(load_project(HERE / "tiers.yml"), out)
    got = ours(out)
    if os.environ.get("SLAKIT_UPDATE_GOLDEN"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel, data in got.items():
            (EXPECTED / rel).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / rel).write_bytes(data)
    want = ours(EXPECTED)
    assert sorted(got) == sorted(want)
    for rel in want:
        assert got[rel].decode("utf-8") == want[rel].decode("utf-8"), rel
