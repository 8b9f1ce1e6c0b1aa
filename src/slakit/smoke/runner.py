"""`run_smoke`: the whole smoke run, from the sandbox guard to the cleanup.

    guard (sandbox or scratch org only) -> smoke variant -> render + deploy it -> look up the
    smoke processes, business hours, a Case queue and a closed status -> per tier: a tagged
    account, its entitlement on the smoke process, two cases -> checks (stamped, milestones,
    targets, business hours) -> complete milestones through their real triggers -> wait past the
    targets -> violations -> (--wait-actions) poll for action side effects -> cleanup.

Every phase works on all tiers at once (one collection call per object, one query per read), so
the API calls grow with the number of steps, not with waiting. A failure in one tier marks that
tier broken (an `error` check; its remaining checks are reported as skipped) and the others go on.
Cleanup runs on success, failure and Ctrl-C (`keep=True` leaves the records and says where).

Time is read through `now()` and spent through `sleep()`, both injectable.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from slakit.errors import SlakitError, UsageError
from slakit.salesforce import CASE
from slakit.smoke.fixtures import TAG, Fixtures, new_run_id
from slakit.smoke.checks import planned_names
from slakit.smoke.phases import Phases, TierRun
from slakit.smoke.options import SmokeOptions
from slakit.smoke.report import Check, SmokeReport
from slakit.smoke.variant import smoke_variant

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.config.project import Project
    from slakit.org.connect import OrgConnection


class SmokeInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run; `report` holds what was checked and what the cleanup did."""

    def __init__(self, report: SmokeReport):
        super().__init__("interrupted")
        self.report = report


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class _CallCounter:
    """Counts HTTP responses on the client's session (every REST call the run makes)."""

    def __init__(self, sf: Salesforce):
        self.n = 0
        self.hooks = None
        session = getattr(sf, "session", None)
        if session is not None:
            self.hooks = session.hooks.setdefault("response", [])
            self.hooks.append(self._hook)

    def _hook(self, response, *args, **kwargs):
        self.n += 1
        return response

    def detach(self) -> None:
        if self.hooks is not None and self._hook in self.hooks:
            self.hooks.remove(self._hook)


def _default_deploy(conn: OrgConnection | Salesforce, say: Callable[[str], None]) -> Callable[[Path], Any]:
    """Deploy through `slakit.deploy` (CumulusCI's Deploy task, preflight, process versions)."""
    from slakit.org.connect import OrgConnection

    if not isinstance(conn, OrgConnection) or conn.org_config is None:
        raise UsageError("smoke needs an org connection from slakit.org.connect (or a deploy callable)")

    def deploy(path: Path):
        from slakit.deploy.run import deploy_project

        # the org was checked to be a sandbox: no production confirmation to ask for
        return deploy_project(conn, None, rendered_dir=path, yes=True, on_progress=say)

    return deploy


def run_smoke(project: Project, conn_or_sf: OrgConnection | Salesforce, opts: SmokeOptions | None = None, *,
              deploy: Callable[[Path], Any] | None = None,
              now: Callable[[], dt.datetime] | None = None, sleep: Callable[[float], None] | None = None,
              progress: Callable[[str], None] | None = None, render: Callable | None = None,
              run_id: str | None = None) -> SmokeReport:
    """Smoke-test `project`'s tiers in a sandbox as `opts` (the checked SmokeOptions: tiers,
    minutes, wait_actions, actions_timeout, keep; None = its defaults) say; see the module docstring.
    Raises GuardError for production, UsageError for an unknown tier, DeployError when the smoke
    variant does not deploy, SmokeInterrupted (after cleaning up) on Ctrl-C; everything else ends
    up in the report."""
    from slakit.org.connect import OrgConnection
    from slakit.org.guard import require_sandbox

    conn: OrgConnection | None = None
    if isinstance(conn_or_sf, OrgConnection):
        conn, sf = conn_or_sf, conn_or_sf.sf
    else:
        sf = conn_or_sf
    now = now or _utcnow
    sleep = sleep or time.sleep
    say = progress or (lambda message: None)
    opts = opts or SmokeOptions()
    variant = smoke_variant(project, opts)
    say("checking that the org is a sandbox")
    info = require_sandbox(sf, action="slakit smoke")
    _require_real_deploy(sf, project, variant, conn.name if conn is not None else None)
    deploy = deploy or _default_deploy(conn_or_sf, say)
    run_id = run_id or new_run_id(now())
    chosen = list(variant.tier_names)
    report = SmokeReport(
        run_id=run_id, tag=f"{TAG} {run_id}",
        org={"id": info.get("Id"), "name": info.get("Name"), "type": info.get("OrganizationType"),
             "sandbox": bool(info.get("IsSandbox"))},
        tiers=chosen, processes=dict(variant.tier_names),
        limits={t: {s.real: s.minutes for s in variant.milestones if s.tier == t} for t in chosen},
        notes=list(variant.notes),
    )
    report.started = now()
    counter = _CallCounter(sf)
    fixtures = Fixtures(sf, run_id, report.cleanup)
    phases = Phases(sf, variant, report, fixtures, now=now, sleep=sleep, say=say)
    try:
        _deploy(variant, deploy, render, report, say, phases)
        phases.run(wait_actions=opts.wait_actions, actions_timeout=opts.actions_timeout)
    except KeyboardInterrupt:
        report.interrupted = True
        say("interrupted: cleaning up")
        raise SmokeInterrupted(report) from None
    finally:
        try:
            _finish(phases, fixtures, report, opts.keep, say)
        finally:
            counter.detach()
            report.api_calls = counter.n
            report.finished = now()
    return report


def _require_real_deploy(sf: Salesforce, project: Project, variant, org_name: str | None) -> None:
    """The smoke variant reuses the Case fields `slakit deploy` renders for the tiers' actions
    (SLA_Breached__c ...), so a sandbox nobody deployed to would fail the smoke deploy on them:
    stop first with one line naming them and the command to run."""
    from slakit.errors import OrgError
    from slakit.org.soql import field_names
    from slakit.config.written import rendered_fields

    rendered = sorted(rendered_fields(project, [project.tier(t) for t in variant.tier_names]))
    if not rendered:
        return
    present = {f.lower() for f in field_names(sf, CASE.sobject)}
    missing = [CASE.field(f) for f in rendered if f.lower() not in present]
    if missing:
        org = org_name or "<org>"
        raise OrgError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in the org yet: smoke "
                       f"reuses the fields slakit deploy creates",
                       hint=f"run `slakit deploy {project.source} --org {org}` first, then smoke")


def _deploy(variant, deploy, render, report: SmokeReport, say, phases: Phases) -> None:
    from slakit.smoke.package import build_package

    with tempfile.TemporaryDirectory(prefix="slakit-smoke-") as tmp:
        say(f"rendering the smoke variant ({', '.join(variant.process_names())})")
        package = build_package(variant, Path(tmp) / "package", render=render)
        phases.first_response_objects = package.first_response_objects
        say(f"deploying {package.count()} smoke components")
        started = time.monotonic()
        deploy(package.path)
        detail = f"{package.count()} components: processes {', '.join(variant.process_names())}"
        if package.renamed:
            detail += "; renamed " + ", ".join(f"{k} -> {v}" for k, v in package.renamed.items())
        report.add(Check("", "deploy the smoke variant", "pass", observed=detail,
                         seconds=time.monotonic() - started))


def _finish(phases: Phases, fixtures: Fixtures, report: SmokeReport, keep: bool, say) -> None:
    for tr in phases.tiers:
        _skip_rest(report, tr)
    if not phases.touched:
        return
    if keep:
        fixtures.keep()
        report.add(Check("", "cleanup", "skip", observed=f"{len(report.cleanup.left)} records kept",
                         message=f"--keep: find them by the tag '{report.tag}'"))
        return
    say("cleaning up the smoke records")
    try:
        fixtures.remove()
    except KeyboardInterrupt:
        report.cleanup.errors.append("cleanup interrupted")
        report.interrupted = True
    except SlakitError as exc:
        report.cleanup.errors.append(exc.message)
    c = report.cleanup
    ok = not c.errors and not c.left
    report.add(Check("", "cleanup", "pass" if ok else "fail",
                     expected="every record the run created deleted",
                     observed=f"{len(c.deleted)} deleted, {len(c.left)} left" + (f": {', '.join(c.left[:10])}" if c.left else ""),
                     message=None if ok else "; ".join(c.errors[:5]) or f"find them by the tag '{report.tag}'"))


def _skip_rest(report: SmokeReport, tr: TierRun) -> None:
    done = {c.name for c in report.for_tier(tr.plan.tier)}
    reason = f"not run: {tr.broken}" if tr.broken else "not reached"
    for name, why in planned_names(tr.plan, tr.skips, tr.alone_skips):
        if name not in done:
            report.add(Check(tr.plan.tier, name, "skip", message=why or reason))
            done.add(name)


def smoke_tiers(opts: SmokeOptions, org: str, **kwargs) -> SmokeReport:
    """Load tiers.yml at `opts.tiers`, connect to `org` through CumulusCI's keychain, run
    `run_smoke` with `opts` (`kwargs` are run_smoke's other keywords)."""
    from slakit.config import load_project
    from slakit.org.connect import connect_project

    project = load_project(opts.tiers)
    smoke_variant(project, opts)  # an unknown tier or a clashing name fails before the org is read
    say = kwargs.get("progress") or (lambda message: None)
    say(f"connecting to {org}")
    conn = connect_project(org, project)
    return run_smoke(project, conn, opts, **kwargs)
