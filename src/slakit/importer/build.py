"""Facts -> tiers and milestones in the format's words, with what they cannot express kept as
comments at the spot (and listed as `Note`s). The words themselves live in `slakit.importer.words`
(durations, warning percentages, hours), the document around the tiers in `.document`.

Not expressible (kept as comments and listed): milestones without a fixed time
(`minutesCustomClass`), a second milestone of one name in a process, more than 10 milestones,
criteria joined by a boolean filter other than AND, time triggers after the target or without
actions, warnings whose actions differ from the other warnings', actions tiers.yml has no words
for, entry dates other than Case.SlaStartDate (slakit's process start), processes without business
hours (they run on the case's hours; slakit renders such a tier on 24/7 hours), exit criteria other
than Case.IsClosed = true, action names other than the ones slakit renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

from slakit.config.names import ALWAYS_OPEN_HOURS, api_name, join
from slakit.config.project import ACTION_KINDS
from slakit.deploy.versions import split_member
from slakit.importer.actions import translate
from slakit.importer.flows import Automation, read_automation
from slakit.importer.read import Facts, Hours, q, text
from slakit.importer.words import comment, duration, flow, percent_for, term
from slakit.render.context import PROCESS_START_FIELD
from slakit.salesforce import CASE

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
ACTION_WORDS = {k.key: k.word for k in ACTION_KINDS}


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


class Builder:
    def __init__(self, facts: Facts):
        self.facts = facts
        self.auto: Automation = read_automation(facts)
        self.notes: list[Note] = []
        self.hours = {h.name.lower(): h for h in facts.hours}
        self.used_hours: set[str] = set()
        self.fields: set[str] = set()
        self.at: tuple[str, str] = ("", "")  # (tier, milestone) being read

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
        tier, milestone = self.at
        kind = where.rsplit(".", 1)[-1]
        counts: dict[str, int] = {}
        for a, _ in out:
            counts[next(iter(a))] = counts.get(next(iter(a)), 0) + 1
        seen: dict[str, int] = {}
        for a, org_name in out:
            word = next(iter(a))
            seen[word] = seen.get(word, 0) + 1
            ours = join(api_name(tier), api_name(milestone), KIND_WORDS.get(kind, ""),
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
            (key, value), = action.items()  # one kind per action: {"email": [...]}, {"set": {...}}, ...
            if key == "set":
                fname = next(iter(value))
                if fname.endswith("__c"):
                    self.fields.add(fname)
            action[key] = flow(value)
            out.append((CommentedMap(action), name))
        return out

    def milestone(self, tier: str, hours_name: str | None, el, where: str) -> tuple[CommentedMap | None, list[str]]:
        comments: list[str] = []
        self.at = (tier, text(el, "milestoneName") or "")
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
            ms["applies_when"] = CommentedSeq(flow(i) for i in items)
        elif formula:
            ms["applies_when"] = CommentedMap(formula=formula)
        # tiers.yml's default start is `criteria` for a milestone with criteria or a recurrence
        # (config.resolve.default_start), else `process`: say it whenever the org's differs
        can_start_on_criteria = "applies_when" in ms or recurrence != "none"
        if text(el, "useCriteriaStartTime") == "true":
            if can_start_on_criteria:
                ms["start"] = "criteria"
            else:
                comments.append(self.note(where, "useCriteriaStartTime without criteria is not expressed"))
        elif can_start_on_criteria:
            ms["start"] = "process"
        if text(el, "isDisplayedOnLinkedEntity") == "true":
            comments.append(self.note(where, "isDisplayedOnLinkedEntity true: slakit renders it false"))
        cw = self.auto.completes_when(tier, name)
        if cw is not None:
            ms["completes_when"] = cw if isinstance(cw, str) else CommentedSeq(flow(c) for c in cw)
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
                    comments.append(self.note(where, f"{p} of {limit} min fires {o} min before the target "
                                                     "(whole minutes, as in the org)"))
                pcts.append(p)
            acts = self.actions(f"{where}.on_warning", list(refs), comments)
            if pcts and acts:
                ms["warnings"] = flow(pcts)
                ms["on_warning"] = CommentedSeq(acts)
        if violation:
            acts = self.actions(f"{where}.on_violation", violation, comments)
            if acts:
                ms["on_violation"] = CommentedSeq(acts)

    def process(self, pf) -> tuple[CommentedMap | None, list[str]]:
        root, name = pf.root, pf.name
        where = f"tiers[{name}]"
        tier = CommentedMap()
        tier["name"] = name
        comments: list[str] = []
        if text(root, "description"):
            tier["description"] = text(root, "description")
        hours_name = text(root, "businessHours")
        if hours_name and hours_name.lower() == ALWAYS_OPEN_HOURS.lower():
            hours_name = None  # slakit's own 24/7 hours: in tiers.yml, a tier without business_hours
        elif hours_name:
            tier["business_hours"] = hours_name
            self.hours_of(hours_name)
        elif not text(root, "businessHours"):
            comments.append(self.note(where, f"the process has no business hours, so it runs on each case's hours; "
                                             f"slakit renders a tier without hours on '{ALWAYS_OPEN_HOURS}' (24/7)"))
        for child in root:
            tag = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
            if tag and tag not in KNOWN_PROCESS:
                comments.append(self.note(where, f"<{tag}> is not expressed"))
        if text(root, "active") == "false":
            comments.append(self.note(where, "the org's default version is inactive; slakit deploys it active"))
        entry = text(root, "entryStartDateField")
        if entry != PROCESS_START_FIELD:
            comments.append(self.note(where, f"the clock starts at {entry or CASE.field('CreatedDate')}; slakit starts it at "
                                             f"{PROCESS_START_FIELD} (set when the case gets its entitlement)"))
        exits = [(text(c, "field"), text(c, "operation"), text(c, "value"))
                 for c in root.findall(q("exitCriteriaFilterItems"))]
        closed = CASE.field(CASE.closed_field)
        if exits != [(closed, "equals", "true")]:
            shown = " and ".join(f"{f} {o} {v}" for f, o, v in exits) or "none"
            comments.append(self.note(where, f"exit criteria {shown}; slakit exits on {closed} = true"))
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
            ent.insert(0, "accounts", Quoted(guess))
            accounts = self.note(f"{where}.entitlement.accounts", f"entitlement.accounts guessed from the data: "
                                 f"the accounts with {guess} are exactly those holding this process's entitlements")
        else:
            why = f" ({self.facts.accounts_unknown})" if self.facts.accounts_unknown else ""
            accounts = self.note(f"{where}.entitlement.accounts", "entitlement.accounts: which accounts get this "
                                 f"tier (a SOQL WHERE on Account, for backfill) is yours to write{why}")
        family = split_member(pf.member)[0].lower()
        found = self.facts.terms.get(family, self.facts.terms.get(name.lower()))
        said = [accounts]
        if found:
            ent.insert(1 if guess else 0, "term", found)
        elif found is None and not ent.get("template", {}).get("term"):  # a template's term is the term
            reason = self.facts.terms_unknown.get(family) or self.facts.terms_unknown.get(name.lower())
            said.append(self.note(f"{where}.entitlement.term", "entitlement.term: how long an entitlement runs "
                                  f"is not in the metadata ({reason or self.facts.terms_unread}); absent = open-ended"))
        if ent:
            tier["entitlement"] = ent
            comment(tier, "entitlement", said, 4)
        else:
            comments.extend(said)
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
                tpl["term"] = term(days)
            if text(el, "casesPerEntitlement"):
                tpl["cases_per_entitlement"] = int(text(el, "casesPerEntitlement") or 0)
            elif text(el, "isPerIncident") == "true":
                tpl["per_incident"] = True
            ent["template"] = tpl
            break
        return ent


def _all_and(expr: str, n: int) -> bool:
    tokens = expr.upper().replace("(", " ").replace(")", " ").split()
    return all(t == "AND" or t.isdigit() for t in tokens) and sorted(int(t) for t in tokens if t.isdigit()) == list(
        range(1, n + 1))


def _bare(name: str) -> str:
    """An action name as the org wrote it, without the target's prefix (matched exactly)."""
    return CASE.bare(name, ignore_case=False)
