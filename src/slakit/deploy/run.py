"""`deploy_project` and `plan_project`: the functions `slakit deploy`/`plan` and the cci tasks call.

deploy: guard production (needs yes=True or confirm() -> True), render in memory to a
`RenderedPackage` (or load a folder rendered earlier: `slakit.deploy.folder`), then the named
edits of `slakit.deploy.edits` around preflight and plan: strip `Case.` action prefixes, preflight,
plan and publish new process versions where open cases hold the old one, merge the org's business
hours and holidays into settings/BusinessHours.settings, then deploy each phase with
CumulusCI in order. On production the phase carrying the flow test class runs it
(RunSpecifiedTests), and afterwards every slakit flow must be active (`slakit.deploy.flow_tests`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from slakit.deploy import edits as E
from slakit.deploy import flow_tests as FT
from slakit.deploy import hours_merge as HM
from slakit.deploy import plan as P
from slakit.deploy.folder import load_folder
from slakit.deploy.metadata import Progress, TestLevel, deploy_folder, retrieve
from slakit.deploy.package import split_phases
from slakit.deploy.preflight import require, run_preflight
from slakit.errors import GuardError
from slakit.render.manifest import RenderedPackage
from slakit.salesforce import DEFAULT_API_VERSION

if TYPE_CHECKING:
    from slakit.config.project import Project
    from slakit.org.connect import OrgConnection


@dataclass
class DeployResult:
    org: str
    check_only: bool
    phases: list[dict] = field(default_factory=list)
    plan: P.Plan | None = None
    cleaned: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"org": self.org, "check_only": self.check_only, "status": "Succeeded", "phases": self.phases,
                "plan": self.plan.as_dict() if self.plan else None, "action_names_cleaned": self.cleaned}


def rendered(project: Project | None = None, rendered_dir: str | Path | None = None) -> tuple[RenderedPackage, str]:
    """(package, api_version): `project` rendered in memory, or the folder rendered earlier."""
    if rendered_dir is None:
        from slakit.render.writer import render_package

        assert project is not None, "render needs a project when no rendered folder is given"
        pkg = render_package(project)
    else:
        pkg = load_folder(rendered_dir)
    return pkg, (getattr(project, "api_version", None) or pkg.api_version or DEFAULT_API_VERSION)


def _plan(conn: OrgConnection, pkg: RenderedPackage, api_version: str) -> P.Plan:
    state = P.read_org(conn.sf)
    current = retrieve(conn, P.retrieve_members(state, pkg.members), api_version=api_version)
    return P.build_plan(state, pkg, current)


def plan_project(conn: OrgConnection, project: Project | None = None, *,
                 rendered_dir: str | Path | None = None) -> P.Plan:
    pkg, api_version = rendered(project, rendered_dir)
    return _plan(conn, pkg, api_version)


def _prefixed(say: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    return lambda text: say(f"{prefix}: {text}")


def guard_production(conn: OrgConnection, *, yes: bool, confirm: Callable[[str], bool] | None) -> dict:
    from slakit.org.guard import confirm_production, org_info

    info = org_info(conn.sf)
    question = f"'{info.get('Name')}' is a PRODUCTION org. Deploy to it?"
    if yes or confirm_production(info, question, confirm, action="deploy to"):
        return info
    raise GuardError(f"refusing to deploy to production org '{info.get('Name')}': the answer was no",
                     hint="pass --yes (pipelines) or answer yes at the prompt")


def deploy_project(conn: OrgConnection, project: Project | None = None, *, rendered_dir: str | Path | None = None,
                   check_only: bool = False,
                   test_level: TestLevel | None = None, yes: bool = False, confirm: Callable[[str], bool] | None = None,
                   on_progress: Progress | None = None) -> DeployResult:
    info = guard_production(conn, yes=yes or check_only, confirm=confirm)
    production = info.get("IsSandbox") is False
    say = on_progress or (lambda text: None)
    with tempfile.TemporaryDirectory(prefix="slakit-deploy-") as work:
        work_dir = Path(work)
        pkg, api_version = rendered(project, rendered_dir)
        result = DeployResult(conn.name, check_only, cleaned=E.strip_case_prefix(pkg))
        say("preflight")
        pf = run_preflight(conn.sf, pkg, project, check_only=check_only)
        require(pf)
        if pf.entitlements_enabled:
            say("planning")
            result.plan = _plan(conn, pkg, api_version)
            E.publish_versions(result.plan, pkg)
        if HM.PATH in pkg.files:
            say("reading the org's business hours settings")
            org_hours = retrieve(conn, {"Settings": ["BusinessHours"]}, api_version=api_version).get(HM.PATH)
            E.merge_business_hours(pkg, org_hours)
        for i, phase in enumerate(split_phases(pkg), 1):
            folder = phase.write(work_dir / f"phase{i}-{phase.name}", api_version)
            level, tests = FT.test_options(phase.members, production=production, test_level=test_level)
            say(f"deploying {phase.name} ({phase.count()} components)")
            deploy_folder(conn, folder, api_version=api_version, check_only=check_only, test_level=level,
                          specified_tests=tests, on_progress=_prefixed(say, phase.name))
            result.phases.append({"phase": phase.name, "components": phase.count(), "status": "Succeeded",
                                  **({"test_level": level, "tests": tests} if tests else {})})
        if production and not check_only:
            say("checking the flows are active")
            FT.require_active(conn.sf, pkg.active_flows)
    return result


def _load(tiers: str | Path | None, org: str, rendered_dir):
    from slakit.config import load_project
    from slakit.org.connect import connect_project

    project = load_project(tiers) if tiers else None
    api_version = getattr(project, "api_version", None) or DEFAULT_API_VERSION
    if project is None and rendered_dir is not None:
        api_version = load_folder(rendered_dir).api_version or api_version
    return project, connect_project(org, project, api_version=api_version)


def deploy_tiers(tiers, org: str, **options) -> DeployResult:
    """Load tiers.yml, connect to `org`, deploy (see `deploy_project` for options)."""
    project, conn = _load(tiers, org, options.get("rendered_dir"))
    return deploy_project(conn, project, **options)


def plan_tiers(tiers, org: str, *, rendered_dir=None) -> P.Plan:
    project, conn = _load(tiers, org, rendered_dir)
    return plan_project(conn, project, rendered_dir=rendered_dir)
