"""The automation that makes an SLA real (phase 3 of the package): record-triggered flows that
stamp `Case.EntitlementId`, complete `CaseMilestone`s, and create entitlements from Closed Won
opportunities. This module turns the resolved `Project` into one `Component` per flow; the XML
lives in templates/flows/*.xml.j2 and the completion rules are worked out in `flows_rules`.

Flows rendered (API names are fixed so re-deploys update the same flow):
  Slakit_Case_Entitlement_Stamping            Case, before save, create + account change
  Slakit_Case_Milestone_Completion            Case, after save on update, immediately (owner/closed/fields)
  Slakit_Case_Milestone_Completion_On_Entry   Case, after save, after commit, when the case enters a process
  Slakit_EmailMessage_Milestone_Completion    EmailMessage, after save (first response by email)
  Slakit_CaseComment_Milestone_Completion     CaseComment, after save (first response by public comment)
  Slakit_Opportunity_Closed_Won_Entitlements  Opportunity, after save, becomes won

The Milestone Tracker is not rendered as a FlexiPage: docs/flows.md explains why and gives the
two steps to add it to the client's existing Case page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from slakit.config.project import Project

STATUS_DEFAULT = "Active"  # project.extra["flow_status"] = "Draft" renders them inactive

STAMPING = "Slakit_Case_Entitlement_Stamping"
CASE_COMPLETION = "Slakit_Case_Milestone_Completion"
CASE_ENTRY_COMPLETION = "Slakit_Case_Milestone_Completion_On_Entry"

# CompletionDate is the event's own time, not the time the flow runs (the asynchronous path can run
# seconds or minutes later): the close (ClosedDate) for milestones the close completes, else the save
# that made the rule hold (LastModifiedDate; CreatedDate on create); the email's MessageDate; the
# comment's CreatedDate. The template never lets it fall before the milestone's StartDate.
CASE_EVENT_TIME = "{!$Record.LastModifiedDate}"
CASE_CLOSED_EVENT_TIME = ("IF(AND(CONTAINS({!Closed_Type_Ids}, {!Each_Case_Milestone.MilestoneTypeId}), "
                          "NOT(ISBLANK({!$Record.ClosedDate}))), {!$Record.ClosedDate}, {!$Record.LastModifiedDate})")
EVENT_TIME = {"EmailMessage": "BLANKVALUE({!$Record.MessageDate}, {!$Record.CreatedDate})",
              "CaseComment": "{!$Record.CreatedDate}"}
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


def flow_status(project: Project) -> str:
    """`Active` (the default) or `Draft` (`automation: {flows: draft}`): how the flows are rendered."""
    status = str(project.extra.get("flow_status", STATUS_DEFAULT)) if project.extra else STATUS_DEFAULT
    if status not in ("Active", "Draft"):
        raise RenderError(f"flow_status '{status}' is not Active or Draft")
    return status


def _common(project: Project, name: str, label: str, description: str) -> dict:
    status = flow_status(project)
    return {"api_version": project.api_version, "name": name, "label": label,
            "description": description, "status": status, "target": project.target}


def check_api_version(project: Project) -> None:
    if float(project.api_version) < MIN_FLOW_API:
        raise RenderError(
            f"api_version {project.api_version} is too old for slakit's flows (formula entry conditions "
            f"need {MIN_FLOW_API:.1f} or later)",
            file=project.source, field="api_version", hint=f'set api_version: "{MIN_FLOW_API:.1f}" or later')


def components(project: Project) -> list[Component]:
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
        closes = any(r["kind"] == "case_closed" for r in rules)
        case_time = {"event_time": CASE_CLOSED_EVENT_TIME if closes else CASE_EVENT_TIME,
                     "event_time_description": "ClosedDate for milestones the close completes, else the save "
                     "that made the rule hold" if closes else "the save that made the rule hold"}
        # Updates: the immediate after-save path, so milestones complete in the same transaction,
        # before the entitlement rules run the process exit (Case.IsClosed).
        out.append(_flow(CASE_COMPLETION, "milestone_completion.flow.xml.j2", {
            **_common(project, CASE_COMPLETION, "slakit: milestone completion (Case)",
                      "Completes open case milestones whose completes_when (owner_assigned, case_closed, "
                      "field conditions) holds, in the save that makes it hold (before the process exit)."),
            "object": project.target.sobject, "record_trigger": "Update", "async_path": False,
            "filter_formula": " || ".join(f"ISCHANGED({{!$Record.{f}}})" for f in fields) or None,
            "filters": [], "requires_change": False, "case_id": "$Record.Id", "rules": rules, **case_time,
        }))
        # A case that enters a process (created, or given an entitlement) has no CaseMilestones until
        # the entitlement rules run after the after-save flows: complete those after commit.
        out.append(_flow(CASE_ENTRY_COMPLETION, "milestone_completion.flow.xml.j2", {
            **_common(project, CASE_ENTRY_COMPLETION, "slakit: milestone completion on entry (Case)",
                      "Completes the milestones of a case that enters an entitlement process (created, or "
                      "given an entitlement) whose completes_when already holds. Runs after commit, once "
                      "the milestones exist."),
            "object": project.target.sobject, "record_trigger": "CreateAndUpdate", "async_path": True,
            "filter_formula": "ISNEW() || ISCHANGED({!$Record.EntitlementId})", "filters": [],
            "requires_change": False, "case_id": "$Record.Id", "rules": rules, **case_time,
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
            "case_id": "$Record.ParentId", "rules": fr, "event_time": EVENT_TIME[obj],
            "event_time_description": "when the email was sent (MessageDate)" if obj == "EmailMessage"
            else "when the comment was posted (CreatedDate)",
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


__all__ = ["components", "flow_status", "formula_string", "STAMPING", "CASE_COMPLETION", "CASE_ENTRY_COMPLETION", "EMAIL_COMPLETION",
           "COMMENT_COMPLETION", "CLOSED_WON"]
