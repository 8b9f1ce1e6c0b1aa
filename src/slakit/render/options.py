"""The options of `slakit render` and the slakit_render task, checked once (see slakit.options).

The renderer takes the format as `Format`, which only `RenderOptions.format` (after the check)
and literal callers produce: it keeps no check of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from slakit.options import Options, option

Format = Literal["mdapi", "source"]
FORMATS: tuple[Format, ...] = ("mdapi", "source")


@dataclass(frozen=True)
class RenderOptions(Options):
    tiers: Path = option(Path("tiers.yml"), flag="tiers", task="tiers", help="Path of tiers.yml")
    out: Path = option(Path("build/metadata"), flag="--out", task="out", help="Output folder (replaced whole)")
    fmt: str = option("mdapi", flag="--format", task="format", help="mdapi or source")
    validate: bool = option(True, flag="--no-validate", task=None, help="Check every file against the schema")
    force: bool = option(False, flag="--force", task=None, help="Replace --out even if slakit did not render it")

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            name = self.spelled("fmt")
            self.refuse("fmt", f"{name} '{self.fmt}' is not mdapi or source")

    @property
    def format(self) -> Format:
        """`--format` as the renderer takes it (checked above)."""
        return cast(Format, self.fmt)
