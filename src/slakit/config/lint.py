"""Lint: advice on a valid, resolved tiers.yml. Warnings only (`--strict` makes them errors).

Each rule names what will happen in the org and what to write instead; codes are stable
(`lint.d-unit`, `lint.no-warning`, ...) so pipelines can grep them.
"""

from __future__ import annotations

from slakit import clock
from slakit.config.load import Located
from slakit.config.names import ALWAYS_OPEN_HOURS
from slakit.config.project import BusinessHours, EmailAction, Milestone, Project
from slakit.config.resolve import week_spans
from slakit.errors import Problem


def _fmt_minutes(n: float) -> str:
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def explain_d_unit(ms: Milestone, hours: BusinessHours) -> str | None:
    """'2d on 09:00-17:00 is 2,880 business minutes = 6 business days of 8h; did you mean 2bd?'"""
    text = ms.time_limit_text.replace(" ", "")
    if not text.endswith("d") or text.endswith("bd") or not hours.known:
        return None
    spans = week_spans(hours)
    if max(clock.day_lengths(spans), default=0) >= 1440:
        return None
    opens = {s for s in spans if s}
    shown = f"{hours.name}"
    if len(opens) == 1:
        (start, end), = opens
        shown = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    return f"{text} on {shown} is {clock.explain_minutes(ms.time_limit_minutes, spans)}; did you mean {text[:-1]}bd?"


def lint_project(project: Project, doc: Located) -> list[Problem]:
    out: list[Problem] = []

    def warn(path: tuple, message: str, code: str, hint: str | None = None) -> None:
        out.append(doc.problem(path, message, hint=hint, severity="warning", code=code))

    from slakit.config.written import written_fields

    known = written_fields(project.tiers) | set(project.existing_fields)
    emails = any(isinstance(a, EmailAction) for t in project.tiers for ms in t.milestones
                 for a in (*ms.on_warning, *ms.on_violation, *ms.on_success))
    if emails and not project.sender_org_wide:
        warn(("tiers",), "no sender: email alerts go out from the current user (senderType CurrentUser), "
             "not a shared support address", "lint.no-sender",
             "add sender: {org_wide: support@yourcompany.com}, an Organization-Wide Email Address of the org")
    for i, tier in enumerate(project.tiers):
        tpath = ("tiers", i)
        if tier.business_hours is None:
            warn(tpath + ("name",), f"tier '{tier.name}' has no business_hours: its milestones run 24/7 (on the "
                 f"'{ALWAYS_OPEN_HOURS}' business hours slakit deploys)",
                 "lint.no-hours", "set business_hours, or keep it if round-the-clock is meant")
        for j, ms in enumerate(tier.milestones):
            mpath = tpath + ("milestones", j)
            hours = project.hours_for(tier, ms)
            if hours is not None:
                why = explain_d_unit(ms, hours)
                if why:
                    warn(mpath + ("time_limit",), why, "lint.d-unit")
            if not ms.warnings or not ms.on_warning:
                what = "no warnings percentages" if not ms.warnings else "no on_warning actions"
                warn(mpath + ("name",), f"milestone '{ms.name}' has {what}: nobody hears of it before it breaches",
                     "lint.no-warning", "add warnings: [75%] and on_warning (or set them in defaults)")
            for pct in ms.warnings:
                before = ms.time_limit_minutes * (100 - pct) / 100
                if not float(before).is_integer():
                    rounded = ms.warning_offset_minutes(pct)
                    warn(mpath + ("warnings",),
                         f"{pct:g}% of {ms.time_limit_text} fires {_fmt_minutes(before)} minutes before the "
                         f"target; Salesforce counts whole minutes, so it fires {rounded} minutes before "
                         f"(earlier, never later)", "lint.warning-rounded")
            if ms.completes_when is None:
                warn(mpath + ("name",), f"milestone '{ms.name}' has no completes_when: it will never complete "
                     "by itself", "lint.no-completion", "add completes_when (first_response, owner_assigned, "
                     "case_closed or field conditions)")
            for k, c in enumerate(ms.criteria):
                bare = project.target.bare(c.field)
                if bare.endswith("__c") and bare not in known and "." not in bare:
                    warn(mpath + ("applies_when", k, "field"),
                         f"{c.field} is read but not rendered by slakit: the org must have it",
                         "lint.read-field", "list it under existing_fields once it exists in the org")
    from slakit.config.lint_flows import lint_flows

    out.extend(lint_flows(project, doc))
    out.sort(key=lambda p: (p.line or 0, p.col or 0))
    return out
