"""The imported document put together: tiers in priority order, business hours (used ones defined,
the org default and unused ones `existing: true`), what most milestones share moved to
`defaults:`, the Case fields actions write as `existing_fields`, and the header comment.
"""

from __future__ import annotations

import json
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slakit.config.names import ALWAYS_OPEN_HOURS
from slakit.importer.build import Builder, Built, Note
from slakit.importer.read import Facts, q, text
from slakit.importer.words import comment, flow, holiday, hours_map

SHARED = "what most milestones share (a milestone that says otherwise keeps its own; `[]` = none)"
FIELDS = "Case fields the org's actions write: they exist, slakit never renders them"
DEFAULT_HOURS = "the org's default business hours: referenced, never deployed (hours kept for the simulator and bd units)"


def build(facts: Facts, out: str = "tiers.yml") -> Built:
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
    hours = business_hours(b)
    if hours:
        doc["business_hours"] = hours
    defaults = _factor_defaults(tiers)
    if defaults:
        doc["defaults"] = defaults
        comment(doc, "defaults", [SHARED], 0)
    if b.fields:
        doc["existing_fields"] = CommentedSeq(sorted(b.fields))
        comment(doc, "existing_fields", [FIELDS], 0)
    if not tiers:
        raise_nothing(facts, b.notes)
    doc["tiers"] = tiers
    comment(doc, "tiers", ["order = priority: the first tier matching an account wins"] + left_out, 0)
    doc.yaml_set_start_comment(f"Imported by `slakit import` from {facts.source}.\n"
                               "Review the `slakit import:` comments: each is something the org has that this "
                               f"file does not say.\nThen: slakit validate {out} && slakit plan {out} "
                               "--org NAME --detailed-exitcode")
    return Built(doc, b.notes)


DEFAULT_KEYS = ("warnings", "on_warning", "on_violation", "on_success")
MILESTONE_ORDER = ("name", "time_limit", "business_hours", "recurrence", "applies_when", "start", "completes_when",
                   *DEFAULT_KEYS)


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _factor_defaults(tiers: CommentedSeq) -> CommentedMap:
    """Move what most milestones share to `defaults:` (resolve applies a default to every milestone
    that does not set its own, so the file means the same); a milestone without it then says `[]`."""
    milestones = [ms for t in tiers for ms in t["milestones"]]
    out = CommentedMap()
    for key in DEFAULT_KEYS:
        counts: dict[str, int] = {}
        first: dict[str, Any] = {}
        for ms in milestones:
            if key in ms:
                k = json.dumps(_plain(ms[key]), sort_keys=True, default=str)
                counts[k] = counts.get(k, 0) + 1
                first.setdefault(k, ms[key])
        if not counts:
            continue
        best, n = max(counts.items(), key=lambda kv: kv[1])
        missing = sum(1 for ms in milestones if key not in ms)
        if n < 2 or n <= missing:
            continue
        out[key] = first[best]
        for ms in milestones:
            if key not in ms:
                ms.insert(sum(1 for k in ms if k in MILESTONE_ORDER[:MILESTONE_ORDER.index(key)]), key, flow([]))
            elif json.dumps(_plain(ms[key]), sort_keys=True, default=str) == best:
                del ms[key]
    return out


def raise_nothing(facts: Facts, notes: list[Note]) -> None:
    from slakit.errors import ConfigError

    raise ConfigError(f"nothing in {facts.source} can be written as a tier: {notes[0].what if notes else ''}",
                      hint="every process was left out; see docs/import.md for what tiers.yml can say")


def business_hours(b: Builder) -> CommentedSeq:
    """Used hours defined (the org default as existing, with its hours), unused ones existing."""
    holidays: dict[str, list] = {}
    for el in b.facts.holidays:
        for bh in el.findall(q("businessHours")):
            holidays.setdefault((bh.text or "").strip().lower(), []).append(el)
    out = CommentedSeq()
    known = list(b.facts.hours)  # in the order read (the settings file, or SOQL)
    for h in known:
        if h.name.lower() == ALWAYS_OPEN_HOURS.lower():
            continue  # slakit's 24/7 hours are what a tier without business_hours renders, never named
        used = h.name.lower() in b.used_hours
        item = CommentedMap()
        item["name"] = h.name
        if not used or not h.zone:
            item["existing"] = True
            if used:
                comment(item, "existing", [b.note(f"business_hours[{h.name}]", "no time zone was read: "
                                                      "kept as existing")], 4)
            out.append(item)
            continue
        if h.default:
            item["existing"] = True
            comment(item, "existing", [DEFAULT_HOURS], 4)
        item["time_zone"] = h.zone
        item["hours"] = hours_map(h)
        if not h.active:
            comment(item, "time_zone", [b.note(f"business_hours[{h.name}]",
                                                   "inactive in the org; slakit deploys business hours active")], 4)
        days = CommentedSeq()
        for el in holidays.get(h.name.lower(), []):
            hol, problem = holiday(el)
            if hol is None:
                item.yaml_add_eol_comment(b.note(f"business_hours[{h.name}].holidays", problem or ""),
                                          "hours")
                continue
            days.append(flow(hol) if len(hol) <= 3 else CommentedMap(hol))
        if days and not h.default:
            item["holidays"] = days
        out.append(item)
    for name in sorted(b.used_hours - {h.name.lower() for h in b.facts.hours}):
        display = next((n for n in _hour_names(b.facts) if n.lower() == name), name)
        item = CommentedMap(name=display, existing=True)
        comment(item, "existing", [b.note(f"business_hours[{display}]", "used by a process but not in "
                                              "what was read: kept as existing")], 4)
        out.append(item)
    return out

def _hour_names(facts: Facts) -> list[str]:
    out = []
    for pf in facts.processes:
        for el in [pf.root, *pf.root.findall(q("milestones"))]:
            if text(el, "businessHours"):
                out.append(text(el, "businessHours") or "")
    return out
