"""The Apex test class that covers slakit's flows (`classes/SlakitFlowTests.cls` + -meta.xml).

In production, a flow deploys as active only when Apex tests cover it ("To deploy a process or
autolaunched flow as active in production orgs, you must meet the flow test coverage requirement
for your org. At least one Apex test must cover ...": Tooling API, FlowTestCoverage). So slakit renders one @isTest class that fires every rendered flow through
its real trigger: an account with an entitlement on the first tier's process and a case on it
(stamping), closing the case (Case completion), an outbound EmailMessage and a public CaseComment
(first response), and a won opportunity with the tier's support product (Closed Won), each only
when that flow is rendered. `slakit deploy` runs it with RunSpecifiedTests on production.

- Only with flows rendered Active: draft flows (`automation: {flows: draft}`) deploy inactive,
  need no coverage, and would not run in the test.
- The class asserts nothing a flow writes (Case.EntitlementId, the Closed Won Entitlement): with
  "Deploy processes and flows as active" off, production deploys the flows inactive, a test that
  asserted their effects would fail and roll the whole deploy back with a test failure instead of
  slakit's FlowDefinitionView check and its fix. Coverage needs the flows run, not asserted; what
  they do is proven by `slakit smoke` in a sandbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slakit.render import flows as F
from slakit.render.registry import Component

if TYPE_CHECKING:
    from slakit.config.project import Project

CLASS_NAME = "SlakitFlowTests"


def apex_string(text: str) -> str:
    """An Apex string literal's content: backslash and single quote escaped."""
    return str(text).replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")


def components(project: Project) -> list[Component]:
    if not project.tiers or F.flow_status(project) != "Active":
        return []
    rendered = {c.member: c for c in F.components(project)}
    won = rendered.get(F.CLOSED_WON)
    won_tier = won.context["tiers"][0] if won is not None else None
    ctx = {
        "api_version": project.api_version,
        "class_name": CLASS_NAME,
        "tier": apex_string(project.tiers[0].name),
        "case_completion": F.CASE_COMPLETION in rendered,
        "email_completion": F.EMAIL_COMPLETION in rendered,
        "comment_completion": F.COMMENT_COMPLETION in rendered,
        "closed_won": None if won_tier is None else {
            "family": apex_string(won_tier["product_family"] or ""),
            "code": apex_string((won_tier["product_codes"] or [""])[0]),
        },
        "flows": sorted(rendered),
    }
    return [
        Component("ApexClass", CLASS_NAME, "classes/flow_tests.cls.j2", f"classes/{CLASS_NAME}.cls",
                  f"classes/{CLASS_NAME}.cls", ctx, phase=3),
        Component("ApexClass", CLASS_NAME, "classes/flow_tests.cls-meta.xml.j2", f"classes/{CLASS_NAME}.cls-meta.xml",
                  f"classes/{CLASS_NAME}.cls-meta.xml", ctx, phase=3),
    ]
