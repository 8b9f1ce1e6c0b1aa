"""The options of `slakit deploy` / `slakit plan` and the slakit_deploy task, checked once (see
slakit.options). deploy_project takes the test level as `TestLevel`, made by `level` after the
check: it keeps no check of its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from slakit.deploy.metadata import TEST_LEVELS, TestLevel
from slakit.options import Options, option


@dataclass(frozen=True)
class DeployOptions(Options):
    tiers: Path | None = option(None, flag="tiers", task="tiers", task_default="tiers.yml", help="Path of tiers.yml")
    rendered_dir: Path | None = option(None, flag="--from", task="rendered_dir",
                                       help="Deploy this rendered mdapi folder (default: render now)")
    check_only: bool = option(False, flag="--check-only", task="check_only", help="Validate only")
    test_level: str | None = option(None, flag="--test-level", task="test_level", help=", ".join(TEST_LEVELS))
    yes: bool = option(False, flag="--yes", task="allow_production", help="Required to deploy to a production org")

    def __post_init__(self) -> None:
        if self.tiers is None and self.rendered_dir is None:
            self.refuse("tiers", f"give {'tiers' if self.via == 'task' else 'tiers.yml'} or "
                                 f"{self.spelled('rendered_dir')} DIR")
        if self.test_level is not None:
            self.choose("test_level", TEST_LEVELS)

    @property
    def level(self) -> TestLevel | None:
        """`--test-level` as deploy_project takes it (checked above)."""
        return cast("TestLevel | None", self.test_level)
