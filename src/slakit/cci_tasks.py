"""Thin CumulusCI task adapters so `cci task run slakit_deploy --org uat` and
`cci flow run slakit_release --org uat` run the same functions as the slakit CLI.

Each task reads its options into the same options object the CLI builds (RenderOptions,
DeployOptions, BackfillOptions, SmokeOptions: one declaration and one check per command group,
see slakit.options), calls one slakit function and logs a summary. A bad option is CumulusCI's
`TaskOptionsError` (raised when the task is made, before it runs, as for CumulusCI's own tasks);
other slakit errors become `CumulusCIFailure`s (one clear line each), so `cci` reports them as
failures. Listed in cumulusci.yml (tasks slakit_render, slakit_deploy, slakit_backfill, slakit_smoke).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, List

from cumulusci.core.exceptions import CumulusCIFailure, TaskOptionsError
from cumulusci.core.tasks import BaseTask
from cumulusci.tasks.salesforce import BaseSalesforceTask

from slakit.backfill.options import BackfillOptions
from slakit.deploy.options import DeployOptions
from slakit.render.options import RenderOptions
from slakit.smoke.options import SmokeOptions

if TYPE_CHECKING:
    from slakit.config.project import Project
    from slakit.org.connect import OrgConnection


@contextmanager
def _as_cci_failure() -> Iterator[None]:
    from slakit.errors import SlakitError

    try:
        yield
    except SlakitError as exc:
        raise CumulusCIFailure("\n".join(exc.lines())) from None


@contextmanager
def _as_task_options_error() -> Iterator[None]:
    from slakit.errors import UsageError

    try:
        yield
    except UsageError as exc:
        raise TaskOptionsError("\n".join(exc.lines())) from None


def _project(path: Any) -> Project:
    from slakit.config import load_project

    return load_project(path)


def _read_options(task: BaseTask, options_class: Any) -> Any:
    with _as_task_options_error():
        return options_class.from_task(task.options)


class RenderTiers(BaseTask):
    """Render tiers.yml to a Metadata API folder (schema-validated)."""

    task_options = RenderOptions.task_options()

    def _validate_options(self) -> None:
        super()._validate_options()
        self.opts: RenderOptions = _read_options(self, RenderOptions)

    def _run_task(self) -> None:
        from slakit.render import render_project

        opts = self.opts
        with _as_cci_failure():
            result = render_project(_project(opts.tiers), opts.out, fmt=opts.format)
        self.logger.info(f"Rendered {len(result.files)} files to {result.out_dir}")
        self.return_values = result.as_dict()


class _SlakitOrgTask(BaseSalesforceTask):
    def _conn(self, project: Project) -> OrgConnection:
        from slakit.org.connect import from_cci

        return from_cci(self.org_config, self.project_config, api_version=project.api_version)


class DeployTiers(_SlakitOrgTask):
    """Deploy tiers.yml's metadata (settings first, new process versions where cases are open)."""

    task_options = DeployOptions.task_options()

    def _validate_options(self) -> None:
        super()._validate_options()
        self.opts: DeployOptions = _read_options(self, DeployOptions)

    def _run_task(self) -> None:
        from slakit.deploy.run import deploy_project

        opts = self.opts
        with _as_cci_failure():
            project = _project(opts.tiers)
            result = deploy_project(self._conn(project), project, rendered_dir=opts.rendered_dir,
                                    check_only=opts.check_only, test_level=opts.level,
                                    yes=opts.yes, on_progress=self.logger.info)
        for phase in result.phases:
            self.logger.info(f"{phase['phase']}: {phase['components']} component(s) {phase['status']}")
        self.return_values = result.as_dict()


class BackfillTiers(_SlakitOrgTask):
    """Create missing entitlements for accounts matching each tier (idempotent, journaled)."""

    task_options = BackfillOptions.task_options()

    def _validate_options(self) -> None:
        super()._validate_options()
        self.opts: BackfillOptions = _read_options(self, BackfillOptions)

    def _run_task(self) -> None:
        from slakit.backfill import run_backfill

        opts = self.opts
        with _as_cci_failure():
            project = _project(opts.tiers)
            conn = self._conn(project)
            confirm = (lambda question: True) if opts.yes else None
            report = run_backfill(project, conn.sf, opts, confirm=confirm, org_name=self.org_config.name)
        self.return_values = report.as_dict() if hasattr(report, "as_dict") else {"report": str(report)}
        failed = sum(getattr(t, "failed", 0) or 0 for t in getattr(report, "tiers", []))
        if failed:
            raise CumulusCIFailure(f"backfill: {failed} record(s) failed")


class SmokeTiers(_SlakitOrgTask):
    """Sandbox smoke test with shortened time limits; fails the flow on any failed check."""

    task_options = SmokeOptions.task_options()

    def _validate_options(self) -> None:
        super()._validate_options()
        self.opts: SmokeOptions = _read_options(self, SmokeOptions)

    def _run_task(self) -> None:
        from slakit.smoke import run_smoke, write_junit

        opts = self.opts
        with _as_cci_failure():
            project = _project(opts.tiers)
            report = run_smoke(project, self._conn(project), opts, progress=self.logger.info)
        if opts.junit:
            write_junit(report, opts.junit)
        self.return_values = report.as_dict() if hasattr(report, "as_dict") else {}
        if not getattr(report, "ok", True):
            raise CumulusCIFailure("smoke: some checks failed (see the log or the JUnit file)")


__all__: List[str] = ["RenderTiers", "DeployTiers", "BackfillTiers", "SmokeTiers"]
