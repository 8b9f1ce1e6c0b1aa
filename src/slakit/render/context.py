"""Builder of every non-flow metadata file: turns the resolved `Project` into `Component`s
(settings, business hours, milestone types, custom fields, email templates, the Case workflow,
entitlement processes, entitlement templates), each with the variables its template needs.
Templates decide layout; this module decides content (names, numbers, references).

File names: names Salesforce takes as the fullName itself (milestone types, processes,
entitlement templates) keep the user's text, encoded the way the Metadata API writes such names
(`slakit.config.names.encode_full_name`: "&" -> "%26", "(" -> "%28", "__" -> "%5F%5F").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slakit.config.names import ALWAYS_OPEN_HOURS, encode_full_name, process_full_name
from slakit.render.actions import EMAIL_FOLDER, plan_actions
from slakit.render.hours import holiday_entries, hours_entries
from slakit.render.registry import Component
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from slakit.config.project import Project

RECURRENCE = {"none": "none", "independent": "recursIndependently", "sequential": "recursChained"}


def file_name(text: str) -> str:
    """A fullName as a file name: 'R&D "Tier" <1>' -> 'R%26D %22Tier%22 %3C1%3E'."""
    return encode_full_name(text)


def components(project: Project) -> list[Component]:
    plan = plan_actions(project)
    target = project.target
    base = {"api_version": project.api_version, "target": target}
    out: list[Component] = [
        Component("Settings", "Entitlement", "settings/Entitlement.settings.xml.j2",
                  "settings/Entitlement.settings", "settings/Entitlement.settings-meta.xml",
                  {**base, "enable_entitlements": True}, phase=0, xsd_type="EntitlementSettings"),
    ]
    hours = hours_entries(project)
    if hours:
        out.append(Component("Settings", "BusinessHours", "settings/BusinessHours.settings.xml.j2",
                             "settings/BusinessHours.settings", "settings/BusinessHours.settings-meta.xml",
                             {**base, "business_hours": hours, "holidays": holiday_entries(project)},
                             phase=0, xsd_type="BusinessHoursSettings"))
    out.extend(_fields(project, plan, base))
    out.extend(_milestone_types(project, base))
    out.extend(_emails(plan, base))
    if any(plan.children.values()):
        obj = target.sobject  # the template keeps its name (a user's templates/ may override it)
        out.append(Component("Workflow", obj, "workflows/Case.workflow.xml.j2", f"workflows/{obj}.workflow",
                             f"workflows/{obj}.workflow-meta.xml",
                             {**base, **plan.children, "sender": getattr(project, "sender_org_wide", None)}))
    for tier in project.tiers:
        out.append(_process(project, tier, plan, base))
    for tier in project.tiers:
        if tier.entitlement.template is not None:
            out.append(_entitlement_template(tier, base))
    return out


def _fields(project: Project, plan, base) -> list[Component]:
    if not plan.fields:
        return []
    fields = list(plan.fields.values())
    obj = project.target.sobject
    members = [project.target.field(f["name"]) for f in fields]
    out = [Component("CustomField", members[0], "objects/Case.object.xml.j2", f"objects/{obj}.object", "",
                     {**base, "fields": fields}, xsd_type="CustomObject", extra_members=tuple(members[1:]))]
    for f, member in zip(fields, members):
        out.append(Component("CustomField", member, "objects/field.xml.j2", "",
                             f"objects/{obj}/fields/{f['name']}.field-meta.xml", {**base, "field": f}))
    return out


def _milestone_types(project: Project, base) -> list[Component]:
    used: dict[str, list[str]] = {}  # one recurrence per name is checked by config.resolve
    for tier in project.tiers:
        for ms in tier.milestones:
            used.setdefault(ms.name, []).append(tier.name)
    out = []
    for ms in project.milestone_types():
        fname = file_name(ms.name)
        ctx = {**base, "name": ms.name, "recurrence": RECURRENCE[ms.recurrence],
               "description": f"{ms.name}: used by {', '.join(used[ms.name])} (rendered by slakit)"[:255]}
        out.append(Component("MilestoneType", fname, "milestoneTypes/milestoneType.xml.j2",
                             f"milestoneTypes/{fname}.milestoneType",
                             f"milestoneTypes/{fname}.milestoneType-meta.xml", ctx))
    return out


def _emails(plan, base) -> list[Component]:
    if not plan.email_templates:
        return []
    out = [Component("EmailTemplate", EMAIL_FOLDER, "email/folder.xml.j2", f"email/{EMAIL_FOLDER}-meta.xml",
                     f"email/{EMAIL_FOLDER}.emailFolder-meta.xml",
                     {**base, "folder": EMAIL_FOLDER, "label": "slakit SLA alerts"}, xsd_type="EmailFolder")]
    for dev in sorted(plan.email_templates):
        ctx = {**base, **plan.email_templates[dev]}
        member = f"{EMAIL_FOLDER}/{dev}"
        out.append(Component("EmailTemplate", member, "email/template.email-meta.xml.j2",
                             f"email/{member}.email-meta.xml", f"email/{member}.email-meta.xml", ctx))
        out.append(Component("EmailTemplate", member, "email/template.email.txt.j2",
                             f"email/{member}.email", f"email/{member}.email", ctx))
    return out


# Where every rendered process starts its clock (EntitlementProcess.entryStartDateField).
PROCESS_START_FIELD = CASE.field(CASE.start_field)
PROCESS_EXIT_FIELD = CASE.field(CASE.closed_field)  # exit criteria: the case is closed (equals true)


def _process(project: Project, tier, plan, base) -> Component:
    milestones = []
    for ms in tier.milestones:
        warn = plan.actions_for(tier, ms, "Warning")
        triggers: list[dict] = []
        if warn:
            offsets = sorted({ms.warning_offset_minutes(p) for p in ms.warnings}, reverse=True)
            triggers.extend({"time_length": -o, "actions": warn} for o in offsets if o > 0)
        violation = plan.actions_for(tier, ms, "Violation")
        if violation:
            triggers.append({"time_length": 0, "actions": violation})
        milestones.append({
            "name": ms.name,
            "business_hours": ms.business_hours,
            "criteria": [{"field": project.target.qualified(c.field), "operation": c.operator, "value": c.value}
                         for c in ms.criteria],
            "formula": ms.criteria_formula,
            "minutes": ms.time_limit_minutes,
            "success": plan.actions_for(tier, ms, "Success"),
            "triggers": triggers,
            "use_criteria_start": ms.start == "criteria",
        })
    full = file_name(process_full_name(tier.name))
    ctx = {**base, "tier": tier.name, "description": tier.description,
           "business_hours": tier.business_hours or ALWAYS_OPEN_HOURS,
           # the process starts at Case.SlaStartDate (Entitlement Process Start Time): Salesforce
           # sets it when the case gets its entitlement (at creation for stamped new cases), and
           # `backfill --cases` can set it, so old open cases do not start already violated
           "entry_start_field": project.target.field(project.target.start_field),
           "exit_field": project.target.field(project.target.closed_field), "milestones": milestones}
    return Component("EntitlementProcess", full, "entitlementProcesses/entitlementProcess.xml.j2",
                     f"entitlementProcesses/{full}.entitlementProcess",
                     f"entitlementProcesses/{full}.entitlementProcess-meta.xml", ctx, phase=2)


def _entitlement_template(tier, base) -> Component:
    ent = tier.entitlement
    tpl = ent.template
    name = file_name(ent.name_for(tier.name))
    # CasesPerEntitlement "is only available if IsPerIncident is true" (EntitlementTemplate object
    # reference): a case limit makes the template per-incident, and no limit is written without it.
    per_incident = tpl.per_incident or tpl.cases_per_entitlement is not None
    ctx = {**base, "business_hours": tier.business_hours,
           "cases": tpl.cases_per_entitlement if per_incident else None,
           "process": tier.name, "per_incident": per_incident, "term_days": tpl.term_days, "type": ent.type}
    return Component("EntitlementTemplate", name, "entitlementTemplates/entitlementTemplate.xml.j2",
                     f"entitlementTemplates/{name}.entitlementTemplate",
                     f"entitlementTemplates/{name}.entitlementTemplate-meta.xml", ctx, phase=2)
