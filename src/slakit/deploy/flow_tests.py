"""Flows in production: run the rendered flow test class, then check the flows are active.

- Production deploys a flow as active only when Apex tests cover it (Tooling API,
  FlowTestCoverage: "To deploy a process or autolaunched flow as active in production orgs, you
  must meet the flow test coverage requirement"), and a package holding an Apex class runs every
  local test unless a test level says otherwise (Metadata API, "Running a Subset of Tests in a
  Deployment"). So the components phase that carries `SlakitFlowTests` deploys with
  RunSpecifiedTests for exactly that class. CumulusCI's Deploy
  task takes that as `test_level: RunSpecifiedTests` plus `specified_tests` (it refuses one
  without the other: cumulusci/tasks/salesforce/Deploy.py, 4.10), sent as DeployOptions
  `testLevel` and `runTests`. An explicit `--test-level` other than RunSpecifiedTests is kept.
- With that setting off, production flows land inactive and nothing stamps or completes. After a
  production deploy, FlowDefinitionView (ApiName, IsActive, ActiveVersionId) tells; a slakit flow
  deployed as Active but without an active version fails the command (exit 1) with the fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slakit.errors import DeployError, Problem
from slakit.org.soql import query_list, soql
from slakit.render.apex import CLASS_NAME

if TYPE_CHECKING:
    from slakit.deploy.metadata import TestLevel
    from simple_salesforce import Salesforce

FIX = ("turn on Setup > Process Automation Settings > 'Deploy processes and flows as active' and deploy again, "
       "or activate the flow in Setup > Flows")


def test_options(phase_members: dict[str, list[str]], *, production: bool,
                 test_level: TestLevel | None) -> tuple[TestLevel | None, list[str]]:
    """(test level, specified tests) for one phase: RunSpecifiedTests with the flow test class on
    production (or when asked for) in the phase that carries it; a phase without it never gets
    RunSpecifiedTests (nothing to specify); any other explicit level is kept."""
    carries = CLASS_NAME in phase_members.get("ApexClass", [])
    if test_level == "RunSpecifiedTests" or (production and test_level is None):
        return ("RunSpecifiedTests", [CLASS_NAME]) if carries else (None, [])
    return test_level, []


def inactive_flows(sf: Salesforce, flows: list[str]) -> list[Problem]:
    """One problem per slakit flow that has no active version in the org."""
    if not flows:
        return []
    rows = query_list(sf, soql("SELECT ApiName, IsActive, ActiveVersionId FROM FlowDefinitionView "
                               "WHERE ApiName IN {}", sorted(flows)), action="reading FlowDefinitionView")
    active = {r["ApiName"] for r in rows if r.get("IsActive") and r.get("ActiveVersionId")}
    return [Problem(f"flow {name} is not active in the org after the deploy", hint=FIX)
            for name in sorted(flows) if name not in active]


def require_active(sf: Salesforce, flows: list[str]) -> None:
    problems = inactive_flows(sf, flows)
    if problems:
        raise DeployError(f"the deploy succeeded but {len(problems)} slakit flow(s) are not active: "
                          "nothing stamps entitlements or completes milestones", problems=problems,
                          hint=FIX)
