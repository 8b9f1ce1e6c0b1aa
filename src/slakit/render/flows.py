"""The automation that makes an SLA real (phase 3 of the package): record-triggered flows that
stamp `Case.EntitlementId`, complete `CaseMilestone`s, and create entitlements from Closed Won
opportunities. This module turns the resolved `Project` into one `Component` per flow; the XML
lives in templates/flows/*.xml.j2 and the completion rules are worked out in `flows_rules`.

Flows rendered (API names are fixed so re-deploys update the same flow):
  Slakit_Case_Entitlement_Stamping            Case, before save, create + account change
  Slakit_Case_Milestone_Completion            Case, after save, run asynchronously (owner/closed/fields)
  Slakit_EmailMessage_Milestone_Completion    EmailMessage, after save (first response by email)
  Slakit_CaseComment_Milestone_Completion     CaseComment, after save (first response by public comment)
  Slakit_Opportunity_Closed_Won_Entitlements  Opportunity, after save, becomes won

The Milestone Tracker is not rendered as a FlexiPage: docs/flows.md explains why and gives the
two steps to add it to the client's existing Case page.
"""

from __future__ import annotations

from slakit.errors import RenderError
from slakit.render.flows_rules import (
    MIN_FLOW_API,
    case_rules,
    closed_won_tiers,
    formula_string,
    rank_formula,
    first_response_rules,
    stamping_tiers,
    watched_case_fields,
)
from slakit.render.registry import Component

STATUS_DEFAULT = "Active"  # project.extra["flow_status"] = "Draft" renders them inactive

STAMPING = "Slakit_Case_Entitlement_Stamping"
CASE_COMPLETION = "Slakit_Case_Milestone_Completion"
EMAIL_COMPLETION = "Slakit_EmailMessage_Milestone_Completion"
COMMENT_COMPLETION = "Slakit_CaseComment_Milestone_Completion"
CLOSED_WON = "Slakit_Opportunity_Closed_Won_Entitlements"


def _flow(name: str, template: str, context: dict) -> Component:
    return Component(
        type="Flow",
        member=name,
        template=f"flows/{template}",
        mdapi=f"flows/{name}.flow",
        source=f"flows/{name}.flow-meta.xml",
        context=context,
        phase=3,
    )


def _common(project, name: str, label: str, description: str) -> dict:
    status = str(project.extra.get("flow_status", STATUS_DEFAULT)) if project.extra else STATUS_DEFAULT
    if status not in ("Active", "Draft"):
        raise RenderError(f"flow_status '{status}' is not Active or Draft")
    return {"api_version": project.api_version, "name": name, "label": label,
            "description": description, "status": status}


def check_api_version(project) -> None:
    if float(project.api_version) < MIN_FLOW_API:
        raise RenderError(
            f"api_version {project.api_version} is too old for slakit's flows (formula entry conditions "
            f"need {MIN_FLOW_API:.1f} or later)",
            file=project.source, field="api_version", hint=f'set api_version: "{MIN_FLOW_API:.1f}" or later')


def components(project) -> list[Component]:
    check_api_version(project)
    out = [_flow(STAMPING, "entitlement_stamping.flow.xml.j2", {
        **_common(project, STAMPING, "slakit: Case entitlement stamping",
                  "Sets Case.EntitlementId to the account's active entitlement (tier order from tiers.yml) "
                  "on create and when the account changes; never overwrites an entitlement already set."),
        "tiers": stamping_tiers(project),
        "rank_formula": rank_formula(len(project.tiers)),
    })]

    rules = case_rules(project)
    if rules:
        fields = watched_case_fields(rules)
        entry = " || ".join(["ISNEW()", "ISCHANGED({!$Record.EntitlementId})"]
                            + [f"ISCHANGED({{!$Record.{f}}})" for f in fields])
        out.append(_flow(CASE_COMPLETION, "milestone_completion.flow.xml.j2", {
            **_common(project, CASE_COMPLETION, "slakit: milestone completion (Case)",
                      "Completes open case milestones whose completes_when (owner_assigned, case_closed, "
                      "field conditions) holds. Runs asynchronously after commit so milestones created in "
                      "the same transaction exist."),
            "object": "Case", "record_trigger": "CreateAndUpdate", "async_path": True,
            "filter_formula": entry, "filters": [], "requires_change": False,
            "case_id": "$Record.Id", "rules": rules,
        }))

    for obj, name, label, filters, requires_change, filter_formula in (
        ("EmailMessage", EMAIL_COMPLETION, "slakit: first response by email (EmailMessage)",
         [("Incoming", "EqualTo", "boolean", "false"), ("Status", "EqualTo", "string", "3"),
          ("ParentId", "IsNull", "boolean", "false")], True, None),
        ("CaseComment", COMMENT_COMPLETION, "slakit: first response by public comment (CaseComment)",
         [("IsPublished", "EqualTo", "boolean", "true")], True, None),
    ):
        fr = first_response_rules(project, obj)
        if not fr:
            continue
        out.append(_flow(name, "milestone_completion.flow.xml.j2", {
            **_common(project, name, label,
                      "Completes open case milestones whose completes_when is first_response: "
                      + ("an outbound email (Incoming false, Status Sent) on the case."
                         if obj == "EmailMessage" else "a public case comment (IsPublished) by an internal user.")),
            "object": obj, "record_trigger": "CreateAndUpdate", "async_path": False,
            "filter_formula": filter_formula, "filters": filters, "requires_change": requires_change,
            "case_id": "$Record.ParentId", "rules": fr,
        }))

    won = closed_won_tiers(project)
    if won:
        out.append(_flow(CLOSED_WON, "closed_won_entitlements.flow.xml.j2", {
            **_common(project, CLOSED_WON, "slakit: entitlements from Closed Won opportunities",
                      "When an opportunity becomes won, creates the entitlement of every tier whose support "
                      "product (Product2.Family or ProductCode) is on it."),
            "tiers": won,
        }))
    return out


__all__ = ["components", "formula_string", "STAMPING", "CASE_COMPLETION", "EMAIL_COMPLETION",
           "COMMENT_COMPLETION", "CLOSED_WON"]
