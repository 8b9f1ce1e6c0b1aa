"""BusinessHours settings are merged into what the org holds, never replace it.

`settings/BusinessHours.settings` as rendered lists only the business hours and holidays of
tiers.yml. Deploying it as is can remove the org's other holidays (admins report that a
BusinessHoursSettings deploy drops holidays it does not list: issue 11), and Holiday links to
business hours are not readable through SOQL (only the metadata lists them, as `<businessHours>`
under each `<holidays>`: retrieved BusinessHours.settings in fpintelandgraf/alpinedemo). So at
deploy time the org's settings are retrieved and the deployed file is their union:

- business hours: ours replace the org's entry of the same name (its `default` flag is kept: a
  deploy never moves the org default); every other org entry is deployed unchanged;
- holidays: ours replace the org's holiday of the same name, with the business hours it was
  linked to kept (links are a union); every other org holiday is deployed unchanged, links and all.

`holiday_changes` is the same comparison for `slakit plan`: each holiday of ours as add, change
(what differs) or unchanged, and what the org has that the deploy keeps as it is.
"""

from __future__ import annotations

import copy
from typing import Any

from lxml import etree

from slakit.render.xsd import validate_bytes
from slakit.salesforce import MD_NS

_Q = f"{{{MD_NS}}}"
PATH = "settings/BusinessHours.settings"
# Holiday children, in schema (xsd:sequence) order
_HOLIDAY_ORDER = ["activityDate", "businessHours", "description", "endTime", "isRecurring", "name",
                  "recurrenceDayOfMonth", "recurrenceDayOfWeek", "recurrenceDayOfWeekMask", "recurrenceEndDate",
                  "recurrenceInstance", "recurrenceInterval", "recurrenceMonthOfYear", "recurrenceStartDate",
                  "recurrenceType", "startTime"]


def _parse(data: bytes):
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True))


def _by_name(root, tag: str) -> dict[str, Any]:
    return {(el.findtext(f"{_Q}name") or ""): el for el in root.findall(f"{_Q}{tag}")}


def _links(holiday) -> list[str]:
    return [(el.text or "").strip() for el in holiday.findall(f"{_Q}businessHours")]


def _with_links(holiday, links: list[str]):
    """A copy of `holiday` linked to exactly `links`, children in schema order."""
    out = copy.deepcopy(holiday)
    for el in out.findall(f"{_Q}businessHours"):
        out.remove(el)
    at = next((i for i, c in enumerate(out) if etree.QName(c).localname in _HOLIDAY_ORDER
               and _HOLIDAY_ORDER.index(etree.QName(c).localname) > 1), len(out))
    for k, name in enumerate(links):
        el = etree.Element(f"{_Q}businessHours")
        el.text = name
        out.insert(at + k, el)
    return out


def merge_settings(org: bytes | None, ours: bytes) -> bytes:
    """The BusinessHoursSettings to deploy: the org's, with ours merged in (see module doc)."""
    if not org:
        return ours
    org_root, our_root = _parse(org), _parse(ours)
    theirs_bh, ours_bh = _by_name(org_root, "businessHours"), _by_name(our_root, "businessHours")
    theirs_h, ours_h = _by_name(org_root, "holidays"), _by_name(our_root, "holidays")
    out = etree.Element(f"{_Q}BusinessHoursSettings", nsmap={None: MD_NS})
    for name, el in list(theirs_bh.items()) + [(n, e) for n, e in ours_bh.items() if n not in theirs_bh]:
        mine = ours_bh.get(name)
        if mine is None:
            out.append(copy.deepcopy(el))
            continue
        entry = copy.deepcopy(mine)
        was_default, flag = el.findtext(f"{_Q}default"), entry.find(f"{_Q}default")
        if was_default == "true" and flag is not None:
            flag.text = "true"  # never move the org default
        out.append(entry)
    for name, el in list(theirs_h.items()) + [(n, e) for n, e in ours_h.items() if n not in theirs_h]:
        mine = ours_h.get(name)
        if mine is None:
            out.append(copy.deepcopy(el))
            continue
        kept = _links(theirs_h[name]) if name in theirs_h else []
        out.append(_with_links(mine, kept + [n for n in _links(mine) if n not in kept]))
    etree.indent(out, space="    ")
    data = etree.tostring(out, xml_declaration=True, encoding="UTF-8") + b"\n"
    validate_bytes(data, PATH, expect="BusinessHoursSettings")
    return data


def _fields(holiday) -> dict[str, str]:
    return {etree.QName(c).localname: (c.text or "").strip() for c in holiday
            if etree.QName(c).localname != "businessHours"}


def holiday_changes(org: bytes | None, ours: bytes) -> tuple[list[tuple[str, str, list[dict]]], dict[str, list[str]]]:
    """([(holiday name, add|change|unchanged, diff)], {"BusinessHours": [...], "Holiday": [...]} kept)."""
    our_root = _parse(ours)
    org_root = _parse(org) if org else None
    theirs_h = _by_name(org_root, "holidays") if org_root is not None else {}
    theirs_bh = _by_name(org_root, "businessHours") if org_root is not None else {}
    changes: list[tuple[str, str, list[dict]]] = []
    for name, mine in _by_name(our_root, "holidays").items():
        old = theirs_h.get(name)
        if old is None:
            changes.append((name, "add", []))
            continue
        a, b = _fields(old), _fields(mine)
        diff = [{"path": k, "before": a.get(k), "after": b.get(k)} for k in _HOLIDAY_ORDER
                if k in a.keys() | b.keys() and a.get(k) != b.get(k)]
        diff += [{"path": f"business hours {n}", "before": None, "after": n}
                 for n in _links(mine) if n not in _links(old)]
        changes.append((name, "change" if diff else "unchanged", diff))
    ours_bh = _by_name(our_root, "businessHours")
    kept = {"BusinessHours": sorted(n for n in theirs_bh if n not in ours_bh),
            "Holiday": sorted(n for n in theirs_h if n not in _by_name(our_root, "holidays"))}
    return changes, {k: v for k, v in kept.items() if v}
