"""Milestone actions read back into the format's words: a Case email alert becomes
`email: [recipients]`, a field update `set: {Field: value}`, a task `task: {...}`.

Each translation returns (action, notes): the action as plain data, or None when the format has
no words for it (an outbound message, a flow or Apex action, a field update by formula or
lookup, an alert to a recipient type slakit does not write); notes say what the rendered action
will not keep (the alert's own email template, a task status), so the file's reader is told.
Recipient and assignee types are the Metadata API's WorkflowAlert / WorkflowTask values that
`slakit.render.actions` writes (owner, accountOwner, creator, user, role, group, caseTeam).
"""

from __future__ import annotations

import re
from typing import Any

from slakit.importer.read import q, text

RECIPIENTS = {"owner": "owner", "accountOwner": "account_owner", "creator": "creator"}
PREFIXED = {"user": "user", "role": "role", "group": "group", "caseTeam": "team"}
ASSIGNEES = {"owner": "owner", "accountOwner": "account_owner", "creator": "creator"}
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
TEXT_FORMULA_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


def _alert(el) -> tuple[dict | None, list[str]]:
    out: list[str] = []
    for r in el.findall(q("recipients")):
        kind, who = text(r, "type") or "", text(r, "recipient")
        if kind in RECIPIENTS:
            out.append(RECIPIENTS[kind])
        elif kind in PREFIXED and who:
            out.append(f"{PREFIXED[kind]}:{who}")
        else:
            via = text(r, "field")
            return None, [f"recipient type '{kind}'" + (f" ({via})" if via else "")
                          + " has no recipient word in tiers.yml"]
    out.extend((c.text or "").strip() for c in el.findall(q("ccEmails")) if (c.text or "").strip())
    if not out:
        return None, ["the alert has no recipients"]
    notes = []
    template = text(el, "template")
    if template and not template.startswith("slakit/"):
        notes.append(f"sends the email template {template}; slakit renders its own template")
    return {"email": out}, notes


def _field_update(el) -> tuple[dict | None, list[str]]:
    field_, op = text(el, "field"), text(el, "operation")
    if not field_:
        return None, ["the field update names no field"]
    value: Any
    if op == "Literal":
        literal = text(el, "literalValue")
        value = True if literal == "1" else False if literal == "0" else (literal or "")
    elif op == "Null":
        value = None
    elif op == "Formula":
        formula = (text(el, "formula") or "").strip()
        m = TEXT_FORMULA_RE.match(formula)
        if formula.upper() == "NOW()":
            value = "now"
        elif NUMBER_RE.match(formula):
            value = float(formula) if "." in formula else int(formula)
        elif m:
            value = m.group(1).replace('\\"', '"').replace("\\\\", "\\")
        else:
            return None, [f"sets {field_} by the formula {formula}: tiers.yml sets literals, true/false or now"]
    else:
        lookup = text(el, "lookupValue")
        return None, [f"sets {field_} by {op}" + (f" ({lookup})" if lookup else "")
                      + ": tiers.yml sets literals, true/false or now"]
    return {"set": {field_: value}}, []


def _task(el) -> tuple[dict | None, list[str]]:
    kind, who = text(el, "assignedToType") or "owner", text(el, "assignedTo")
    if kind in ASSIGNEES:
        assign = ASSIGNEES[kind]
    elif kind in ("user", "role") and who:
        assign = f"{kind}:{who}"
    else:
        return None, [f"the task is assigned by '{kind}', which tiers.yml cannot say"]
    task: dict[str, Any] = {"subject": text(el, "subject") or text(el, "fullName") or "Task",
                            "assign_to": assign, "due_in_days": int(text(el, "dueDateOffset") or 0)}
    priority = text(el, "priority") or "Normal"
    if priority != "Normal":
        task["priority"] = priority
    notes = []
    if priority not in ("High", "Normal", "Low"):
        return None, [f"task priority '{priority}' is not High, Normal or Low"]
    status, offset_field = text(el, "status") or "Not Started", text(el, "offsetFromField")
    if status != "Not Started":
        notes.append(f"task status '{status}': slakit creates tasks Not Started")
    if offset_field:
        notes.append(f"due date counted from {offset_field}: slakit counts from the trigger date")
    return {"task": task}, notes


TRANSLATE = {"Alert": _alert, "FieldUpdate": _field_update, "Task": _task}


def translate(kind: str, name: str, element) -> tuple[dict | None, list[str]]:
    """(action, notes) for one milestone action reference `kind` `name` (its workflow element)."""
    if kind not in TRANSLATE:
        what = {"OutboundMessage": "an outbound message", "FlowAction": "a flow action",
                "ApexAction": "an Apex action"}.get(kind, f"a {kind} action")
        return None, [f"{what}: tiers.yml has no such action"]
    if element is None:
        return None, [f"{kind} {name} is not in the Case workflow that was read"]
    return TRANSLATE[kind](element)
