"""The metadata checks of the audit, over a `Snapshot` (no I/O): the same code judges a folder
(`audit --metadata`) and the metadata read from a live org (`audit --org`).

Each check returns Findings with numbers and the fix. Conventions (named here, documented in
docs/audit.md):
- A warning action is an action on a time trigger with a negative `timeLength`.
- A flow completes milestones when it writes CaseMilestone.CompletionDate; it covers the
  milestones whose names it mentions as text constants, or every milestone when it mentions none
  (a generic "complete open milestones" flow). Apex that sets CompletionDate counts the same way.
- The stamping flow is an active flow that writes Case.EntitlementId.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slakit.audit.findings import FAIL, PASS, SKIP, WARN, Finding
from slakit.audit.metadata import Snapshot
from slakit.config.names import ALWAYS_OPEN_HOURS, api_name
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from slakit.config.project import Project


def _key(name: str) -> str:
    return api_name(name).lower()


def _tier_for(project: Project | None, process_name: str):
    if project is None:
        return None
    for t in project.tiers:
        if t.name.lower() == process_name.lower():
            return t
    return None


def check_processes_present(snap: Snapshot) -> list[Finding]:
    n, active = len(snap.processes), len(snap.active_processes())
    if not n:
        return [Finding("processes.present", FAIL, "no entitlement processes found", numbers={"processes": 0},
                        fix="retrieve or render EntitlementProcess metadata into the folder (or deploy the tiers)")]
    status = PASS if active else WARN
    return [Finding("processes.present", status, f"{n} entitlement process version(s), {active} active",
                    numbers={"processes": n, "active": active},
                    fix=None if active else "activate the entitlement processes (active: true)")]


def check_business_hours(snap: Snapshot) -> list[Finding]:
    """Business hours named by active processes and their milestones exist and are active."""
    refs: dict[str, list[str]] = {}
    for p in snap.active_processes():
        if p.business_hours:
            refs.setdefault(p.business_hours, []).append(p.name)
        for m in p.milestones:
            if m.business_hours:
                refs.setdefault(m.business_hours, []).append(f"{p.name} / {m.name}")
    if not refs:
        return [Finding("hours.exist", PASS, "no business hours referenced by active processes",
                        numbers={"referenced": 0})]
    if snap.business_hours is None:
        return [Finding("hours.exist", SKIP, f"{len(refs)} business hours referenced; their records are not in "
                        "the source", numbers={"referenced": len(refs)}, details=sorted(refs),
                        fix="retrieve settings/BusinessHours.settings as well to check them")]
    known = {k.lower(): v for k, v in snap.business_hours.items()}
    missing = sorted(n for n in refs if n.lower() not in known)
    inactive = sorted(n for n in refs if known.get(n.lower()) is False)
    details = [f"missing: {n} (used by {', '.join(refs[n])})" for n in missing]
    details += [f"inactive: {n} (used by {', '.join(refs[n])})" for n in inactive]
    numbers = {"referenced": len(refs), "missing": len(missing), "inactive": len(inactive)}
    if missing or inactive:
        return [Finding("hours.exist", FAIL, f"{len(missing)} missing and {len(inactive)} inactive of "
                        f"{len(refs)} business hours referenced", numbers=numbers, details=details,
                        fix="create/activate the business hours (Setup > Business Hours) or deploy them "
                        "from tiers.yml")]
    return [Finding("hours.exist", PASS, f"all {len(refs)} referenced business hours exist and are active",
                    numbers=numbers)]


def _subject(snap: Snapshot, p) -> str:
    """The process's name, with its version when several active versions share that name."""
    same = [q for q in snap.active_processes() if q.name == p.name]
    return f"{p.name} v{p.version}" if len(same) > 1 and p.version else p.name


def check_process_hours(snap: Snapshot, project: Project | None = None) -> list[Finding]:
    out = []
    for p in snap.active_processes():
        if p.business_hours:
            out.append(Finding("process.hours", PASS, f"runs on {p.business_hours}", subject=_subject(snap, p)))
            continue
        tier = _tier_for(project, p.name)
        if tier is not None and tier.business_hours is None:
            # a process without businessHours runs on the case's hours, not 24/7 (issue 11 item 9)
            out.append(Finding("process.hours", WARN, "no business hours on the process: tiers.yml means 24/7, "
                               "but milestones use the case's business hours (often the org default)",
                               subject=_subject(snap, p),
                               fix=f"redeploy with slakit deploy: it puts the tier on '{ALWAYS_OPEN_HOURS}'"))
        else:
            out.append(Finding("process.hours", WARN, "no business hours on the process: milestones use the "
                               "case's business hours (often the org default)", subject=_subject(snap, p),
                               fix="set businessHours on the process, or state 24/7 in tiers.yml"))
    return out


def check_warnings(snap: Snapshot) -> list[Finding]:
    out = []
    for p in snap.active_processes():
        bare = [m.name for m in p.milestones if not m.warning_actions]
        silent = [m.name for m in p.milestones if not m.warning_actions and not m.violation_actions]
        numbers = {"milestones": len(p.milestones), "without_warnings": len(bare), "without_actions": len(silent)}
        if not bare:
            out.append(Finding("process.warnings", PASS, f"all {len(p.milestones)} milestones warn before the "
                               "target", subject=_subject(snap, p), numbers=numbers))
            continue
        what = f"{len(bare)} of {len(p.milestones)} milestones have no warning action"
        if silent:
            what += f" ({len(silent)} have no action at all)"
        out.append(Finding("process.warnings", WARN, what + ": agents learn of a breach only after it",
                           subject=_subject(snap, p), numbers=numbers, details=bare,
                           fix="add warnings (e.g. warnings: [50%, 75%]) with on_warning actions"))
    return out


def _coverage(snap: Snapshot) -> tuple[set[str], bool, list[str]]:
    """(milestone keys covered by name, whether a generic completer exists, completer names)."""
    names = {_key(n): n for n in snap.milestone_types}
    for p in snap.processes:
        names.update({_key(m.name): m.name for m in p.milestones})
    covered: set[str] = set()
    generic = False
    completers = []
    sources = [(f.full_name, f.strings) for f in snap.flows if f.active and f.completes_milestones]
    if snap.apex_completion:
        sources.append(("Apex: " + ", ".join(snap.apex_completion), snap.apex_strings))
    for label, strings in sources:
        completers.append(label)
        hits = {k for k, n in names.items() if n in strings or k in {_key(s) for s in strings}}
        covered |= hits
        generic = generic or not hits
    return covered, generic, completers


def check_completion(snap: Snapshot) -> list[Finding]:
    milestones = sorted({m.name for p in snap.active_processes() for m in p.milestones})
    if not milestones:
        return []
    covered, generic, completers = _coverage(snap)
    missing = [] if generic else [m for m in milestones if _key(m) not in covered]
    inactive = [f.full_name for f in snap.flows if f.completes_milestones and not f.active]
    numbers = {"milestones": len(milestones), "without_completion": len(missing), "completion_flows": len(completers)}
    if missing:
        msg = f"{len(missing)} of {len(milestones)} milestones have no completion automation: they can only violate"
        if inactive:
            msg += f" (inactive completion flows: {', '.join(sorted(inactive))})"
        return [Finding("milestones.completion", FAIL, msg, numbers=numbers, details=missing,
                        fix="give each milestone completes_when in tiers.yml and deploy its flow, or activate "
                        "the completion flow")]
    return [Finding("milestones.completion", PASS, f"all {len(milestones)} milestones are completed by "
                    f"{', '.join(completers)}", numbers=numbers)]


def check_stamping(snap: Snapshot) -> list[Finding]:
    stampers = [f for f in snap.flows if f.stamps_entitlement]
    active = [f.full_name for f in stampers if f.active]
    if active:
        return [Finding("flow.stamping", PASS, f"stamping flow active: {', '.join(sorted(active))}",
                        numbers={"active": len(active)})]
    if stampers:
        names = ", ".join(sorted(f.full_name for f in stampers))
        return [Finding("flow.stamping", FAIL, f"stamping flow present but not active: {names}",
                        numbers={"active": 0, "inactive": len(stampers)},
                        fix="activate the flow (Setup > Flows) or redeploy it with status Active")]
    stamp = CASE.field(CASE.entitlement_field)
    return [Finding("flow.stamping", FAIL, f"no flow sets {stamp}: new cases get no entitlement, so no "
                    "milestones start", numbers={"active": 0},
                    fix="deploy slakit's stamping flow (slakit deploy) or add entitlement auto-assignment")]


def check_unused_types(snap: Snapshot) -> list[Finding]:
    if not snap.milestone_types:
        return []
    used = {_key(m.name) for p in snap.processes for m in p.milestones}
    unused = sorted(t for t in snap.milestone_types if _key(t) not in used)
    numbers = {"types": len(snap.milestone_types), "unused": len(unused)}
    if unused:
        return [Finding("milestone_types.unused", WARN, f"{len(unused)} of {len(snap.milestone_types)} milestone "
                        "types are used by no entitlement process", numbers=numbers, details=unused,
                        fix="delete them, or add them to a tier")]
    return [Finding("milestone_types.unused", PASS, f"all {len(snap.milestone_types)} milestone types are used",
                    numbers=numbers)]


def check_action_refs(snap: Snapshot) -> list[Finding]:
    refs = [(p, m, a) for p in snap.processes for m in p.milestones for a in m.all_actions()]
    if not refs:
        return []
    prefixed = sorted({f"{p.name} / {m.name}: {a.type} {a.name}" for p, m, a in refs if a.name.startswith(CASE.prefix)})
    missing = sorted({f"{p.name} / {m.name}: {a.type} {a.name}" for p, m, a in refs
                      if not a.name.startswith(CASE.prefix) and (snap.workflow is None or not snap.workflow.has(a))})
    numbers = {"references": len(refs), "prefixed": len(prefixed), "missing": len(missing)}
    out = []
    if prefixed:
        out.append(Finding("actions.prefix", FAIL, f"{len(prefixed)} action references carry a '{CASE.prefix}' prefix "
                           "(processes name workflow actions bare)", numbers=numbers, details=prefixed,
                           fix=f"reference the action by its name alone (Gold_Warn, not {CASE.prefix}Gold_Warn)"))
    if missing:
        obj = CASE.sobject
        where = f"no {obj} workflow in the source" if snap.workflow is None else f"not in the {obj} workflow"
        out.append(Finding("actions.exist", FAIL, f"{len(missing)} action references point to actions {where}",
                           numbers=numbers, details=missing,
                           fix=f"deploy/retrieve workflows/{obj}.workflow with those actions, or drop the references"))
    if not out:
        out.append(Finding("actions.exist", PASS, f"all {len(refs)} action references resolve in the Case workflow",
                           numbers=numbers))
    return out


def check_readable(snap: Snapshot) -> list[Finding]:
    if not snap.problems:
        return []
    return [Finding("source.readable", WARN, f"{len(snap.problems)} files could not be read",
                    numbers={"unreadable": len(snap.problems)}, details=snap.problems,
                    fix="fix or re-retrieve those files")]


def metadata_checks(snap: Snapshot, project: Project | None = None) -> list[Finding]:
    out = check_processes_present(snap) + check_readable(snap)
    if not snap.processes:
        return out
    return (out + check_business_hours(snap) + check_process_hours(snap, project) + check_warnings(snap)
            + check_completion(snap) + check_stamping(snap) + check_unused_types(snap) + check_action_refs(snap))
