"""Milestone actions as workflow metadata: every `email`, `set` and `task` action of every
milestone becomes a Case email alert, field update or task with a unique, stable name derived from
tier + milestone + kind (`Gold_L2_Dwell_Violation_Task`, capped at Salesforce's 40 characters with
a short hash when cut). Also plans the email templates the alerts send (one per milestone name and
kind, in the `slakit` folder) and the custom Case fields the actions write.

Names are bare (`Gold_First_Response_Warning_Email`), never `Case.`-prefixed: that is how the
entitlement process references them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, assert_never

from slakit.config.names import join
from slakit.config.project import ACTION_KINDS, EmailAction, SetAction, TaskAction, field_type, kind_of
from slakit.config.written import renders_field

if TYPE_CHECKING:
    from slakit.config.project import Project

EMAIL_FOLDER = "slakit"
KINDS = (("on_warning", "Warning"), ("on_success", "Success"), ("on_violation", "Violation"))
TYPE_OF = {k.key: k.action_type for k in ACTION_KINDS}  # kind -> milestone action type
RECIPIENT_TYPES = {"owner": "owner", "account_owner": "accountOwner", "creator": "creator"}
PREFIXED_RECIPIENTS = {"user": "user", "role": "role", "group": "group", "team": "caseTeam"}
ASSIGNEE_TYPES = {"owner": "owner", "account_owner": "accountOwner", "creator": "creator"}


@dataclass
class ActionPlan:
    refs: dict[tuple[str, str, str], list[dict]] = field(default_factory=dict)  # (tier, milestone, kind)
    # the workflow's action contexts per kind's pool ("alerts", "field_updates", "tasks"), the template's lists
    children: dict[str, list[dict]] = field(default_factory=lambda: {k.pool: [] for k in ACTION_KINDS})
    email_templates: dict[str, dict] = field(default_factory=dict)  # developer name -> context
    fields: dict[str, dict] = field(default_factory=dict)  # API name -> context

    def actions_for(self, tier, milestone, kind: str) -> list[dict]:
        return self.refs.get((tier.api_name, milestone.api_name, kind), [])


class _Names:
    """Hands out unique names per action type (Salesforce scopes workflow action names by type)."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = {}

    def take(self, type_: str, *parts: str) -> str:
        used = self.used.setdefault(type_, set())
        name = join(*parts)
        n = 2
        while name.lower() in used:
            name = join(*parts, str(n))
            n += 1
        used.add(name.lower())
        return name


def plan_actions(project: Project) -> ActionPlan:
    plan = ActionPlan()
    names = _Names()
    field_types: dict[str, tuple[str, str]] = {}  # field -> (type, where)
    for tier in project.tiers:
        for ms in tier.milestones:
            for attr, kind in KINDS:
                actions = getattr(ms, attr)
                counts: dict[str, int] = {}
                for a in actions:
                    counts[a.kind] = counts.get(a.kind, 0) + 1
                seen: dict[str, int] = {}
                refs = []
                for a in actions:
                    spec = kind_of(a)
                    seen[a.kind] = seen.get(a.kind, 0) + 1
                    word = spec.word + (str(seen[a.kind]) if counts[a.kind] > 1 else "")
                    name = names.take(spec.action_type, tier.api_name, ms.api_name, kind, word)
                    label = f"{tier.name} / {ms.name}: {kind.lower()}"
                    match a:
                        case EmailAction():
                            child = _alert(name, label, a, _email_template(plan, project, ms, kind))
                        case SetAction():
                            _note_field(project, a, field_types, f"{tier.name} / {ms.name} {attr}")
                            child = _field_update(name, label, a, project)
                        case TaskAction():
                            child = _task(name, label, a)
                        case _:
                            assert_never(a)
                    plan.children[spec.pool].append(child)
                    refs.append({"name": name, "type": spec.action_type})
                plan.refs[(tier.api_name, ms.api_name, kind)] = refs
    for fname, (ftype, _) in sorted(field_types.items()):
        plan.fields[fname] = _custom_field(fname, ftype)
    for lst in plan.children.values():
        lst.sort(key=lambda d: d["name"])
    return plan


def _alert(name: str, label: str, a: EmailAction, template: str) -> dict:
    recipients, cc = [], []
    for r in a.recipients:
        if r in RECIPIENT_TYPES:
            recipients.append({"type": RECIPIENT_TYPES[r], "recipient": None})
        elif ":" in r and r.split(":", 1)[0] in PREFIXED_RECIPIENTS:
            prefix, value = r.split(":", 1)
            recipients.append({"type": PREFIXED_RECIPIENTS[prefix], "recipient": value})
        else:
            cc.append(r)
    return {"name": name, "description": f"{label} email"[:255], "recipients": recipients, "cc_emails": cc,
            "template": f"{EMAIL_FOLDER}/{template}"}


def _email_template(plan: ActionPlan, project: Project, ms, kind: str) -> str:
    dev = join(ms.api_name, kind, max_len=80)
    if dev not in plan.email_templates:
        plan.email_templates[dev] = {
            "developer_name": dev,
            "label": f"SLA {kind.lower()}: {ms.name}"[:80],
            "milestone": ms.name,
            "kind": kind,
            "api_version": project.api_version,
        }
    return dev


def is_now(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() == "now"


def _note_field(project: Project, a: SetAction, field_types: dict, where: str) -> None:
    if a.value is None or not renders_field(project, a.field):
        return
    # one type per field is checked by config.resolve; the first writer names it
    field_types.setdefault(a.field, (field_type(a.value), where))


def _field_update(name: str, label: str, a: SetAction, project: Project) -> dict:
    value = a.value
    shown = "blank" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    out = {"name": name, "label": f"{label}: set {a.field}"[:80], "field": a.field,
           "description": f"{label}: set {a.field} to {shown}"[:255], "formula": None, "literal": None}
    if value is None:
        out["operation"] = "Null"
    elif isinstance(value, bool):
        out["operation"], out["literal"] = "Literal", "1" if value else "0"
    elif is_now(value):
        out["operation"], out["formula"] = "Formula", "NOW()"
    elif isinstance(value, (int, float)):
        out["operation"], out["formula"] = "Formula", repr(value)
    elif renders_field(project, a.field):  # our Text field: a formula text literal
        text = str(value).replace("\\", "\\\\").replace('"', '\\"')
        out["operation"], out["formula"] = "Formula", f'"{text}"'
    else:  # an org field written with a literal (picklists such as Status, Priority)
        out["operation"], out["literal"] = "Literal", str(value)
    return out


def _task(name: str, label: str, a: TaskAction) -> dict:
    assign = a.assign_to or "owner"
    if assign in ASSIGNEE_TYPES:
        kind, to = ASSIGNEE_TYPES[assign], None
    else:
        prefix, to = assign.split(":", 1)
        kind = prefix  # user | role
    return {"name": name, "description": f"{label} task"[:255], "assigned_to_type": kind, "assigned_to": to,
            "due": a.due_in_days or 0, "priority": a.priority or "Normal", "subject": a.subject}


def _custom_field(name: str, ftype: str) -> dict:
    base = name[:-3] if name.endswith("__c") else name
    label = base.replace("_", " ").strip() or name
    return {"name": name, "label": label[:40], "type": ftype,
            "description": f"Written by slakit milestone actions ({ftype})"}
