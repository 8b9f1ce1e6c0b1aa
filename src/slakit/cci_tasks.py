"""Thin CumulusCI task adapters so `cci task run slakit_deploy --org uat` and
`cci flow run slakit_release --org uat` run the same functions as the slakit CLI.

Each task parses typed options, calls one slakit function and logs a summary. slakit errors
become CumulusCI `CumulusCIFailure`s (one clear line each), so `cci` reports them as failures.
Listed in cumulusci.yml (tasks slakit_render, slakit_deploy, slakit_backfill, slakit_smoke).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, List, Optional

from cumulusci.core.exceptions import CumulusCIFailure
from cumulusci.core.tasks import BaseTask
from cumulusci.tasks.salesforce import BaseSalesforceTask
from cumulusci.utils.options import CCIOptions, Field, ListOfStringsOption

if TYPE_CHECKING:
    from slakit.config.project import Project


@contextmanager
def _as_cci_failure():
    from slakit.errors import SlakitError

    try:
        yield
    except SlakitError as exc:
        raise CumulusCIFailure("\n".join(exc.lines())) from None


def _project(path: str):
    from slakit.config import load_project

    return load_project(path)


class _SlakitOrgTask(BaseSalesforceTask):
    def _conn(self, project: Project):
        from slakit.org.connect import from_cci

        return from_cci(self.org_config, self.project_config, api_version=project.api_version)


class RenderTiers(BaseTask):
    """Render tiers.yml to a Metadata API folder (schema-validated)."""

    class Options(CCIOptions):
        tiers: str = Field("tiers.yml", description="Path of tiers.yml")
        out: str = Field("build/metadata", description="Output folder (replaced whole)")
        format: str = Field("mdapi", description="mdapi or source")

    def _run_task(self):
        from slakit.render import render_project

        opts = self.parsed_options
        with _as_cci_failure():
            result = render_project(_project(opts.tiers), opts.out, fmt=opts.format)
        self.logger.info(f"Rendered {len(result.files)} files to {result.out_dir}")
        self.return_values = result.as_dict()


class DeployTiers(_SlakitOrgTask):
    """Deploy tiers.yml's metadata (settings first, new process versions where cases are open)."""

    class Options(CCIOptions):
        tiers: str = Field("tiers.yml", description="Path of tiers.yml")
        rendered_dir: Optional[str] = Field(None, description="Deploy this rendered mdapi folder (default: render now)")
        check_only: bool = Field(False, description="Validate only")
        test_level: Optional[str] = Field(None, description="NoTestRun, RunLocalTests, RunAllTestsInOrg, RunSpecifiedTests")
        allow_production: bool = Field(False, description="Required to deploy to a production org")

    def _run_task(self):
        from slakit.deploy.run import deploy_project

        opts = self.parsed_options
        with _as_cci_failure():
            project = _project(opts.tiers)
            result = deploy_project(self._conn(project), project, rendered_dir=opts.rendered_dir,
                                    check_only=opts.check_only, test_level=opts.test_level,
                                    yes=opts.allow_production, on_progress=self.logger.info)
        for phase in result.phases:
            self.logger.info(f"{phase['phase']}: {phase['components']} component(s) {phase['status']}")
        self.return_values = result.as_dict()


class BackfillTiers(_SlakitOrgTask):
    """Create missing entitlements for accounts matching each tier (idempotent, journaled)."""

    class Options(CCIOptions):
        tiers: str = Field("tiers.yml", description="Path of tiers.yml")
        tier: Optional[ListOfStringsOption] = Field(None, description="Only these tiers (comma-separated)")
        dry_run: bool = Field(False, description="Plan only, write nothing")
        cases: bool = Field(False, description="Also stamp open cases without an entitlement")
        sla_start: str = Field("now", description="With cases: start stamped cases' clocks now or at their creation")
        batch_size: int = Field(200, description="Records per sObject Collections call (1-200)")
        bulk: str = Field("auto", description="auto, always or never")
        allow_production: bool = Field(False, description="Required to write to a production org")

    def _run_task(self):
        from slakit.backfill import run_backfill

        opts = self.parsed_options
        with _as_cci_failure():
            project = _project(opts.tiers)
            conn = self._conn(project)
            confirm = (lambda question: True) if opts.allow_production else None
            report = run_backfill(project, conn.sf, tiers=list(opts.tier or []) or None, dry_run=opts.dry_run,
                                  cases=opts.cases, batch_size=opts.batch_size, bulk=opts.bulk,
                                  confirm=confirm, org_name=self.org_config.name, sla_start=opts.sla_start)
        self.return_values = report.as_dict() if hasattr(report, "as_dict") else {"report": str(report)}
        failed = sum(getattr(t, "failed", 0) or 0 for t in getattr(report, "tiers", []))
        if failed:
            raise CumulusCIFailure(f"backfill: {failed} record(s) failed")


class SmokeTiers(_SlakitOrgTask):
    """Sandbox smoke test with shortened time limits; fails the flow on any failed check."""

    class Options(CCIOptions):
        tiers: str = Field("tiers.yml", description="Path of tiers.yml")
        tier: Optional[ListOfStringsOption] = Field(None, description="Only these tiers (comma-separated)")
        minutes: int = Field(4, description="Scale each milestone into about this many minutes")
        junit: Optional[str] = Field(None, description="Write JUnit XML here")
        wait_actions: bool = Field(False, description="Also wait for violation field updates and tasks (slow)")
        actions_timeout: int = Field(75 * 60, description="Seconds to wait for actions with wait_actions")
        keep: bool = Field(False, description="Leave the smoke records in the org for a human")

    def _run_task(self):
        from slakit.smoke import run_smoke, write_junit

        opts = self.parsed_options
        with _as_cci_failure():
            project = _project(opts.tiers)
            report = run_smoke(project, self._conn(project), tiers=list(opts.tier or []) or None,
                               minutes=opts.minutes, wait_actions=opts.wait_actions,
                               actions_timeout=opts.actions_timeout, keep=opts.keep, progress=self.logger.info)
        if opts.junit:
            write_junit(report, opts.junit)
        self.return_values = report.as_dict() if hasattr(report, "as_dict") else {}
        if not getattr(report, "ok", True):
            raise CumulusCIFailure("smoke: some checks failed (see the log or the JUnit file)")


__all__: List[str] = ["RenderTiers", "DeployTiers", "BackfillTiers", "SmokeTiers"]
