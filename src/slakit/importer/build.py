"""Facts -> a tiers.yml document (ruamel round-trip `CommentedMap`) and the list of what it could
not express, kept as comments at the spot.

Words chosen (docs/import.md): time limits in `bd` when they divide into whole business days of
the governing hours (the clock's `business_day_minutes`; not on 24/7 hours), else `h`, else `m`;
warnings as the percentage whose offset (`clock.warning_offset_minutes`) maps back to the org's
minutes exactly; actions through `slakit.importer.actions`; business hours no process uses, and
the org's default hours, as `existing: true` (a deploy never rewrites them). Everything is
written per milestone (no `defaults:`), so each milestone reads as the org has it.

Not expressible (kept as comments and listed): milestones without a fixed time
(`minutesCustomClass`), a second milestone of one name in a process, more than 10 milestones,
criteria joined by a boolean filter other than AND, time triggers after the target or without
actions, warnings whose actions differ from the other warnings', actions tiers.yml has no words
for, entry dates other than Case.CreatedDate, exit criteria other than Case.IsClosed = true.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

from slakit.clock import business_day_minutes, warning_offset_minutes
from slakit.config.names import api_name, join
from slakit.deploy.versions import split_member
from slakit.importer.actions import translate
from slakit.importer.flows import Automation, read_automation
from slakit.importer.read import DAYS, Facts, Hours, q, text

RECURRENCE = {"recursIndependently": "independent", "recursChained": "sequential"}
UNITS = {"Minutes": 1, "Hours": 60, "Days": 1440}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
KNOWN_PROCESS = {"SObjectType", "active", "businessHours", "description", "entryStartDateField",
                 "exitCriteriaFilterItems", "milestones", "name", "versionMaster", "versionNumber", "versionNotes",
                 "isVersionDefault", "isRecordTypeApplied", "fullName"}
KNOWN_MILESTONE = {"businessHours", "milestoneCriteriaFilterItems", "milestoneCriteriaFormula", "criteriaBooleanFilter",
                   "milestoneName", "minutesToComplete", "successActions", "timeTriggers", "useCriteriaStartTime",
                   "isDisplayedOnLinkedEntity", "minutesCustomClass"}
MAX_MILESTONES = 10
YAML11_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~", ""}  # read as non-strings somewhere
KIND_WORDS = {"on_warning": "Warning", "on_violation": "Violation", "on_success": "Success"}
ACTION_WORDS = {"email": "Email", "set": "Set", "task": "Task"}


@dataclass
class Note:
    where: str
    what: str

    def as_dict(self) -> dict:
        return {"where": self.where, "what": self.what}


@dataclass
class Built:
    document: CommentedMap
    notes: list[Note] = field(default_factory=list)


def _safe(value: Any) -> Any:
    """Strings a flow collection could misread (`group:X`, `a, b`, `#1`) double-quoted."""
    if isinstance(value, str) and not isinstance(value, Quoted) and (
            any(ch in value for ch in ':#,[]{}&*!|>\'"@`') or value[:1] == "%" or value != value.strip()
            or value.lower() in YAML11_WORDS):
        return Quoted(value)
    return value


def _flow(data: Any) -> Any:
    """Short maps and lists in flow style ({field: ..., operator: ...}, [owner])."""
    if isinstance(data, dict):
        cm = CommentedMap((k, _safe(v)) for k, v in data.items())
        cm.fa.set_flow_style()
        return cm
    cs = CommentedSeq(_safe(v) for v in data)
    cs.fa.set_flow_style()
    return cs


def _comment(cm: CommentedMap, key: str, lines: list[str], indent: int) -> None:
    if lines:
        cm.yaml_set_comment_before_after_key(key, before="\n".join(lines), indent=indent)


# -- units -------------------------------------------------------------------------------------
def _week(hours: Hours | None) -> list[tuple[int, int] | None] | None:
    if hours is None or not hours.zone:
        return None
    out: list[tuple[int, int] | None] = []
    for d in DAYS:
        w = hours.days.get(d)
        if w is None:
            out.append(None)
            continue
        s, e = (int(x[:2]) * 60 + int(x[3:5]) for x in w)
        out.append((s, 1440 if e == 0 else e))
    return out


def duration(minutes: int, hours: Hours | None) -> str:
    """'1bd' where whole business days of `hours` (not 24/7), else '4h', else '90m'."""
    week = _week(hours)
    if week is not None and not all(w == (0, 1440) for w in week):
        try:
            day = business_day_minutes(week)
        except ValueError:
            day = 0
        if day and minutes % day == 0:
            return f"{minutes // day}bd"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def percent_for(limit: int, offset: int) -> str | None:
    """The warning percentage that fires `offset` minutes before a `limit`-minute target: the
    exact one when it has at most two decimals (20% of 10m = 8 min), else the roundest one the
    clock rounds to those minutes (75% of 30m fires 7.5 -> 8 min before, as slakit deploys it)."""
    if not 0 < offset < limit:
        return None
    exact = 100.0 * (limit - offset) / limit
    below = 100.0 * (limit - offset + 1) / limit  # percentages up to here round to `offset`
    candidates = [round(exact, 2)] if abs(round(exact, 2) - exact) < 1e-9 else []
    for step in (25, 10, 5, 1, 0.5, 0.1, 0.01):
        candidates.append(round(math.ceil(exact / step - 1e-9) * step, 2))
    for p in candidates:
        if 0 < p < min(below, 100) and warning_offset_minutes(limit, p) == offset:
            return f"{p:g}%"
    return None


def _window(w: tuple[str, str] | None) -> str:
    if w is None:
        return "closed"
    s, e = w
    if s == e == "00:00":
        return "24h"
    return Quoted(f"{s}-{'24:00' if e == '00:00' else e}")


def hours_map(h: Hours) -> CommentedMap:
    days = {d: _window(h.days.get(d)) for d in DAYS}
    out = CommentedMap()
    if len(set(days.values())) == 1:
        out["every_day"] = days["monday"]
        return out
    weekdays = {days[d] for d in DAYS[:5]}
    if len(weekdays) == 1 and days["monday"] != "closed":
        out["weekdays"] = days["monday"]
        rest: tuple[str, ...] = DAYS[5:]
    else:
        rest = DAYS
    for d in rest:
        if days[d] != "closed":
            out[d] = days[d]
    return out


def _holiday(el) -> tuple[dict | None, str | None]:
    name = text(el, "name") or "Holiday"
    item: dict[str, Any] = {"name": name}
    start, end = text(el, "startTime"), text(el, "endTime")
    if text(el, "isRecurring") == "true":
        rtype = text(el, "recurrenceType")
        month = (text(el, "recurrenceMonthOfYear") or "").lower()
        if rtype == "RecursYearly" and month in MONTHS and text(el, "recurrenceDayOfMonth"):
            year = int((text(el, "recurrenceStartDate") or "2000")[:4])
            try:
                item["date"] = dt.date(year, MONTHS.index(month) + 1, int(text(el, "recurrenceDayOfMonth") or 1))
            except ValueError:
                return None, f"holiday {name}: no such day"
            item["recurs"] = "yearly"
        elif rtype == "RecursYearlyNth" and month in MONTHS:
            item["recurs"] = _flow({"instance": (text(el, "recurrenceInstance") or "").lower(),
                                    "weekday": (text(el, "recurrenceDayOfWeek") or "").lower(), "month": month})
        else:
            return None, f"holiday {name} recurs {rtype}: tiers.yml has one-off, yearly and nth-weekday holidays"
    elif text(el, "activityDate"):
        item["date"] = dt.date.fromisoformat((text(el, "activityDate") or "")[:10])
    else:
        return None, f"holiday {name} has no date"
    if start and end and not (start[:5] == "00:00" and end[:5] == "00:00"):
        item["time"] = Quoted(f"{start[:5]}-{'24:00' if end[:5] == '00:00' else end[:5]}")
    return item, None


# -- processes ---------------------------------------------------------------------------------
class Builder:
    def __init__(self, facts: Facts):
        self.facts = facts
        self.auto: Automation = read_automation(facts)
        self.notes: list[Note] = []
        self.hours = {h.name.lower(): h for h in facts.hours}
        self.used_hours: set[str] = set()
        self.fields: set[str] = set()

    def note(self, where: str, what: str) -> str:
        self.notes.append(Note(where, what))
        return f"slakit import: {what}"

    def hours_of(self, name: str | None) -> Hours | None:
        if name is None:
            return None
        self.used_hours.add(name.lower())
        return self.hours.get(name.lower())

    def actions(self, where: str, refs: list[tuple[str, str]], comments: list[str]) -> list:
        out = self._actions(where, refs, comments)
        self._renamed(where, out, comments)
        return [a for a, _ in out]

    def _renamed(self, where: str, out: list, comments: list[str]) -> None:
        """Say where slakit's action names (render.actions: tier_milestone_kind_word) differ from the org's."""
        tier, _, rest = where.partition("].milestones[")
        milestone, _, kind = rest.partition("].")
        counts: dict[str, int] = {}
        for a, _ in out:
            counts[next(iter(a))] = counts.get(next(iter(a)), 0) + 1
        seen: dict[str, int] = {}
        for a, org_name in out:
            word = next(iter(a))
            seen[word] = seen.get(word, 0) + 1
            ours = join(api_name(tier.removeprefix("tiers[")), api_name(milestone), KIND_WORDS.get(kind, ""),
                        ACTION_WORDS[word] + (str(seen[word]) if counts[word] > 1 else ""))
            if ours != org_name:
                comments.append(self.note(where, f"{org_name} is rendered as slakit's {ours} (the org's own "
                                                 "action stays in the Case workflow, unused)"))

    def _actions(self, where: str, refs: list[tuple[str, str]], comments: list[str]) -> list:
        out = []
        for kind, name in sorted(refs, key=lambda r: (r[0], r[1])):
            element = self.facts.workflow.get((kind, name))
            action, notes = translate(kind, name, element)
            for n in notes:
                comments.append(self.note(where, f"{kind} {name}: {n}"))
            if action is None:
                continue
            if "set" in action:
                fname = next(iter(action["set"]))
                if fname.endswith("__c"):
                    self.fields.add(fname)
                action["set"] = _flow(action["set"])
            elif "email" in action:
                action["email"] = _flow(action["email"])
            else:
                action["task"] = _flow(action["task"])
            out.append((CommentedMap(action), name))
        return out

    def milestone(self, tier: str, hours_name: str | None, el, where: str) -> tuple[CommentedMap | None, list[str]]:
        comments: list[str] = []
        name = text(el, "milestoneName") or ""
        ms = CommentedMap()
        ms["name"] = name
        for child in el:
            tag = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
            if tag and tag not in KNOWN_MILESTONE:
                comments.append(self.note(where, f"<{tag}> is not expressed"))
        if text(el, "minutesCustomClass") or not text(el, "minutesToComplete"):
            cls = text(el, "minutesCustomClass")
            return None, [self.note(where, f"milestone {name}: its time comes from the Apex class {cls} "
                                           "(minutesCustomClass); tiers.yml has fixed time limits" if cls else
                                    f"milestone {name} has no minutesToComplete")]
        minutes = int(text(el, "minutesToComplete") or 0)
        own_hours = text(el, "businessHours")
        governing = self.hours_of(own_hours or hours_name)
        ms["time_limit"] = duration(minutes, governing)
        if own_hours:
            ms["business_hours"] = own_hours
        recurrence = RECURRENCE.get(self.facts.milestone_types.get(name, "none"), "none")
        if recurrence != "none":
            ms["recurrence"] = recurrence
        items = [{"field": text(c, "field") or "", "operator": text(c, "operation") or "equals",
                  "value": text(c, "value") or ""} for c in el.findall(q("milestoneCriteriaFilterItems"))]
        boolean = text(el, "criteriaBooleanFilter")
        if boolean and not _all_and(boolean, len(items)):
            return None, [self.note(where, f"milestone {name}: criteria joined by '{boolean}'; tiers.yml "
                                           "criteria must all hold (applies_when)")]
        if boolean:
            comments.append(self.note(where, f"criteriaBooleanFilter '{boolean}' is dropped (all criteria "
                                             "must hold, which is what it says)"))
        formula = text(el, "milestoneCriteriaFormula")
        if items and formula:
            return None, [self.note(where, f"milestone {name} has both criteria items and a formula")]
        if items:
            ms["applies_when"] = CommentedSeq(_flow(i) for i in items)
        elif formula:
            ms["applies_when"] = CommentedMap(formula=formula)
        if text(el, "useCriteriaStartTime") == "true":
            if "applies_when" in ms:
                ms["start"] = "criteria"
            else:
                comments.append(self.note(where, "useCriteriaStartTime without criteria is not expressed"))
        if text(el, "isDisplayedOnLinkedEntity") == "true":
            comments.append(self.note(where, "isDisplayedOnLinkedEntity true: slakit renders it false"))
        cw = self.auto.completes_when(tier, name)
        if cw is not None:
            ms["completes_when"] = cw if isinstance(cw, str) else CommentedSeq(_flow(c) for c in cw)
        self.triggers(ms, el, minutes, where, comments)
        success = [(text(a, "type") or "", _bare(text(a, "name") or "")) for a in el.findall(q("successActions"))]
        if success:
            acts = self.actions(f"{where}.on_success", success, comments)
            if acts:
                ms["on_success"] = CommentedSeq(acts)
        return ms, comments

    def triggers(self, ms: CommentedMap, el, limit: int, where: str, comments: list[str]) -> None:
        warnings: dict[tuple, list[int]] = {}
        violation: list[tuple[str, str]] = []
        for t in el.findall(q("timeTriggers")):
            length = int(text(t, "timeLength") or 0) * UNITS.get(text(t, "workflowTimeTriggerUnit") or "Minutes", 1)
            refs = tuple(sorted((text(a, "type") or "", _bare(text(a, "name") or "")) for a in t.findall(q("actions"))))
            if not refs:
                comments.append(self.note(where, f"a time trigger at {length} min has no actions (not kept)"))
            elif length > 0:
                names = ", ".join(n for _, n in refs)
                comments.append(self.note(where, f"actions {length} min after the target ({names}): tiers.yml "
                                                 "violation actions run at the target"))
            elif length == 0:
                violation.extend(refs)
            else:
                warnings.setdefault(refs, []).append(-length)
        if warnings:
            refs, offsets = max(warnings.items(), key=lambda kv: len(kv[1]))
            for other, offs in warnings.items():
                if other is not refs:
                    comments.append(self.note(where, f"warning at {', '.join(f'-{o}' for o in offs)} min runs "
                                                     f"{', '.join(n for _, n in other)}: tiers.yml warnings share "
                                                     "one action list"))
            pcts = []
            for o in sorted(set(offsets), reverse=True):
                p = percent_for(limit, o)
                if p is None:
                    comments.append(self.note(where, f"warning {o} min before a {limit} min target is not a "
                                                     "percentage of it"))
                    continue
                if abs(limit * (100 - float(p[:-1])) / 100 - o) > 1e-9:
                    comments.append(f"slakit import: {p} of {limit} min fires {o} min before the target "
                                    "(whole minutes, as in the org)")
                pcts.append(p)
            acts = self.actions(f"{where}.on_warning", list(refs), comments)
            if pcts and acts:
                ms["warnings"] = _flow(pcts)
                ms["on_warning"] = CommentedSeq(acts)
        if violation:
            acts = self.actions(f"{where}.on_violation", violation, comments)
            if acts:
                ms["on_violation"] = CommentedSeq(acts)
        elif "warnings" not in ms:
            pass

    def process(self, pf) -> tuple[CommentedMap | None, list[str]]:
        root, name = pf.root, pf.name
        where = f"tiers[{name}]"
        tier = CommentedMap()
        tier["name"] = name
        comments: list[str] = []
        if text(root, "description"):
            tier["description"] = text(root, "description")
        hours_name = text(root, "businessHours")
        if hours_name:
            tier["business_hours"] = hours_name
            self.hours_of(hours_name)
        for child in root:
            tag = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
            if tag and tag not in KNOWN_PROCESS:
                comments.append(self.note(where, f"<{tag}> is not expressed"))
        if text(root, "active") == "false":
            comments.append(self.note(where, "the org's default version is inactive; slakit deploys it active"))
        entry = text(root, "entryStartDateField")
        if entry and entry != "Case.CreatedDate":
            comments.append(self.note(where, f"the clock starts at {entry}; slakit starts it at Case.CreatedDate"))
        exits = [(text(c, "field"), text(c, "operation"), text(c, "value"))
                 for c in root.findall(q("exitCriteriaFilterItems"))]
        if exits != [("Case.IsClosed", "equals", "true")]:
            shown = " and ".join(f"{f} {o} {v}" for f, o, v in exits) or "none"
            comments.append(self.note(where, f"exit criteria {shown}; slakit exits on Case.IsClosed = true"))
        milestones = CommentedSeq()
        seen: set[str] = set()
        for i, el in enumerate(root.findall(q("milestones"))):
            mname = text(el, "milestoneName") or ""
            mwhere = f"{where}.milestones[{mname}]"
            if mname.lower() in seen:
                comments.append(self.note(mwhere, f"a second milestone {mname} ({text(el, 'minutesToComplete')} "
                                                  "min) in one process: tiers.yml has one milestone per name"))
                continue
            if len(milestones) == MAX_MILESTONES:
                comments.append(self.note(mwhere, f"milestone {mname}: beyond tiers.yml's 10 milestones"))
                continue
            ms, ms_comments = self.milestone(name, hours_name, el, mwhere)
            if ms is None:
                comments.extend(ms_comments)
                continue
            seen.add(mname.lower())
            milestones.append(ms)
            if ms_comments:
                milestones.yaml_set_comment_before_after_key(len(milestones) - 1, before="\n".join(ms_comments),
                                                             indent=6)
        if not milestones:
            return None, comments + [self.note(where, f"process {name}: no milestone tiers.yml can express; "
                                                      "the tier is left out")]
        tier["milestones"] = milestones
        ent = self.entitlement(name, hours_name, where)
        guess = self.facts.accounts.get(split_member(pf.member)[0].lower()) or self.facts.accounts.get(name.lower())
        if guess:
            ent.insert(0, "accounts", guess)
            accounts = self.note(f"{where}.entitlement.accounts", f"entitlement.accounts guessed from the data: "
                                 f"the accounts with {guess} are exactly those holding this process's entitlements")
        else:
            why = f" ({self.facts.accounts_unknown})" if self.facts.accounts_unknown else ""
            accounts = self.note(f"{where}.entitlement.accounts", "entitlement.accounts: which accounts get this "
                                 f"tier (a SOQL WHERE on Account, for backfill) is yours to write{why}")
        if ent:
            tier["entitlement"] = ent
            _comment(tier, "entitlement", [accounts], 4)
        else:
            comments.append(accounts)
        return tier, comments

    def entitlement(self, tier: str, hours_name: str | None, where: str) -> CommentedMap:
        ent = CommentedMap()
        for tname, el in sorted(self.facts.templates.items()):
            if (text(el, "entitlementProcess") or "").lower() != tier.lower():
                continue
            if (text(el, "businessHours") or None) != hours_name:
                ent.yaml_set_start_comment(self.note(where, f"entitlement template {tname} uses business hours "
                                                            f"{text(el, 'businessHours')}; slakit renders it with "
                                                            "the tier's"), indent=6)
            if tname != f"{tier} Support":
                ent["name"] = tname
            if text(el, "type"):
                ent["type"] = text(el, "type")
            tpl = CommentedMap()
            if text(el, "term"):
                days = int(text(el, "term") or 0)
                tpl["term"] = _term(days)
            if text(el, "casesPerEntitlement"):
                tpl["cases_per_entitlement"] = int(text(el, "casesPerEntitlement") or 0)
            elif text(el, "isPerIncident") == "true":
                tpl["per_incident"] = True
            ent["template"] = tpl
            break
        return ent


    def business_hours(self) -> CommentedSeq:
        holidays: dict[str, list] = {}
        for el in self.facts.holidays:
            for bh in el.findall(q("businessHours")):
                holidays.setdefault((bh.text or "").strip().lower(), []).append(el)
        out = CommentedSeq()
        known = sorted(self.facts.hours, key=lambda h: (h.name.lower() not in self.used_hours, h.name.lower()))
        for h in known:
            used = h.name.lower() in self.used_hours
            item = CommentedMap()
            item["name"] = h.name
            if not used or not h.zone:
                item["existing"] = True
                if used:
                    _comment(item, "existing", [self.note(f"business_hours[{h.name}]", "no time zone was read: "
                                                          "kept as existing")], 4)
                out.append(item)
                continue
            if h.default:
                item["existing"] = True
                _comment(item, "existing", ["the org's default business hours: referenced, never deployed "
                                            "(hours kept for the simulator and bd units)"], 4)
            item["time_zone"] = h.zone
            item["hours"] = hours_map(h)
            if not h.active:
                _comment(item, "time_zone", [self.note(f"business_hours[{h.name}]",
                                                       "inactive in the org; slakit deploys business hours active")], 4)
            days = CommentedSeq()
            for el in holidays.get(h.name.lower(), []):
                hol, problem = _holiday(el)
                if hol is None:
                    item.yaml_add_eol_comment(self.note(f"business_hours[{h.name}].holidays", problem or ""),
                                              "hours")
                    continue
                days.append(_flow(hol) if len(hol) <= 3 else CommentedMap(hol))
            if days and not h.default:
                item["holidays"] = days
            out.append(item)
        for name in sorted(self.used_hours - {h.name.lower() for h in self.facts.hours}):
            display = next((n for n in self._hour_names() if n.lower() == name), name)
            item = CommentedMap(name=display, existing=True)
            _comment(item, "existing", [self.note(f"business_hours[{display}]", "used by a process but not in "
                                                  "what was read: kept as existing")], 4)
            out.append(item)
        return out

    def _hour_names(self) -> list[str]:
        out = []
        for pf in self.facts.processes:
            for el in [pf.root, *pf.root.findall(q("milestones"))]:
                if text(el, "businessHours"):
                    out.append(text(el, "businessHours") or "")
        return out


def _all_and(expr: str, n: int) -> bool:
    tokens = expr.upper().replace("(", " ").replace(")", " ").split()
    return all(t == "AND" or t.isdigit() for t in tokens) and sorted(int(t) for t in tokens if t.isdigit()) == list(
        range(1, n + 1))


def _bare(name: str) -> str:
    return name[5:] if name.startswith("Case.") else name


def _term(days: int) -> str:
    """EntitlementTemplate.term (days) in the format's words: 365 -> '12 months' (resolve reads a
    month as a twelfth of 365 days), else 'N days'."""
    for n in range(1, 121):
        if round(n * 365 / 12) == days:
            return f"{n} month{'s' if n > 1 else ''}"
    return f"{days} days"


def build(facts: Facts) -> Built:
    b = Builder(facts)
    order = {name.lower(): i for i, name in enumerate(b.auto.tier_order)}
    procs = sorted(facts.processes, key=lambda p: (order.get(p.name.lower(), len(order)), p.name.lower()))
    tiers = CommentedSeq()
    left_out: list[str] = []
    for pf in procs:
        tier, comments = b.process(pf)
        if tier is None:
            left_out.extend(comments)
            continue
        tiers.append(tier)
        if comments:
            tiers.yaml_set_comment_before_after_key(len(tiers) - 1, before="\n".join(comments), indent=2)
    for t in facts.templates:
        el = facts.templates[t]
        target = (text(el, "entitlementProcess") or "").lower()
        if not any(str(tier["name"]).lower() == target for tier in tiers):
            left_out.append(b.note(f"entitlement template {t}", f"entitlement template {t} belongs to no "
                                                                 "imported tier (not kept)"))
    doc = CommentedMap()
    doc["api_version"] = facts.api_version or "62.0"
    if b.auto.status == "Draft":
        doc["automation"] = CommentedMap(flows="draft")
    hours = b.business_hours()
    if hours:
        doc["business_hours"] = hours
    if b.fields:
        doc["existing_fields"] = CommentedSeq(sorted(b.fields))
        _comment(doc, "existing_fields", ["Case fields the org's actions write: they exist, slakit never "
                                          "renders them"], 0)
    if not tiers:
        raise_nothing(facts, b.notes)
    doc["tiers"] = tiers
    _comment(doc, "tiers", ["order = priority: the first tier matching an account wins"] + left_out, 0)
    doc.yaml_set_start_comment(f"Imported by `slakit import` from {facts.source}.\n"
                               "Review the `slakit import:` comments: each is something the org has that this "
                               "file does not say.\nThen: slakit validate tiers.yml && slakit plan tiers.yml "
                               "--org NAME --detailed-exitcode")
    return Built(doc, b.notes)


def raise_nothing(facts: Facts, notes: list[Note]) -> None:
    from slakit.errors import ConfigError

    raise ConfigError(f"nothing in {facts.source} can be written as a tier: {notes[0].what if notes else ''}",
                      hint="every process was left out; see docs/import.md for what tiers.yml can say")
