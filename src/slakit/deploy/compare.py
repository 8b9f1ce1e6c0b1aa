"""Is what the org holds the same as what we render? Content comparison of Metadata API files.

A retrieve never gives back the bytes a deploy sent: Salesforce writes every field it stores,
including defaults our templates leave out (`isDisplayedOnLinkedEntity` false on milestones,
`trackHistory` false on fields, every EntitlementSettings flag), may order repeated elements its
own way, and adds version bookkeeping. So both sides are parsed and brought to one canonical form
before comparing:

- comments and whitespace between elements dropped, text stripped, CRLF read as LF;
- elements that are empty, or hold the default Salesforce stores when the element is omitted
  (DEFAULTS, per metadata type: e.g. `uiType` Aloha on email templates), dropped;
- version bookkeeping of processes (versionMaster, versionNumber, versionNotes,
  isVersionDefault; the display name, which the plan matches by NameNorm) ignored;
- `Case.` prefixes on milestone action names dropped (Salesforce implies the object);
- time trigger lengths in Hours/Days read as Minutes;
- repeated elements whose order Salesforce does not use compared as sets (UNORDERED): actions
  and time triggers of a milestone, filter items without a boolean filter, workflow actions,
  object fields, flow elements (connectors name them; the order in the file means nothing).
  Milestones keep their order (it is the order users see), and so does anything not listed.

Containers deployed by named children (Workflow, CustomObject) compare only the children we
render: other Case alerts or fields in the org are not ours and a deploy leaves them alone.
Settings compare only the flags we set: a settings deploy changes only what the file names.

`differences(org, ours)` is that same comparison, saying what differs: a list of
`{"path", "before", "after"}` walked over the two canonical trees (repeated elements matched by
what names them: milestoneName, the trigger's time, fullName, name, a filter's field), so
whatever the canonical form ignores is never reported. `same()` is `not differences()`.
"""

from __future__ import annotations

import difflib

from lxml import etree

from slakit.salesforce import CASE, MD_NS

_Q = f"{{{MD_NS}}}"

# root type -> {element: values meaning "the default Salesforce stores when the element is omitted"}
DEFAULTS: dict[str, dict[str, set[str]]] = {
    "EntitlementProcess": {"isRecordTypeApplied": {"false"}, "isDisplayedOnLinkedEntity": {"false"},
                           "useCriteriaStartTime": {"false"}},
    "MilestoneType": {"recurrenceType": {"none"}},
    "EntitlementTemplate": {"isPerIncident": {"false"}},
    "CustomObject": {"externalId": {"false"}, "required": {"false"}, "unique": {"false"}, "caseSensitive": {"false"},
                     "trackFeedHistory": {"false"}, "trackHistory": {"false"}, "trackTrending": {"false"}},
    "Workflow": {"protected": {"false"}, "notifyAssignee": {"false"}, "reevaluateOnChange": {"false"},
                 "useDeadLetterQueue": {"false"}},
    "Flow": {"areMetricsLoggedToDataCloud": {"false"}, "environments": {"Default"},
             "doesRequireRecordChangedToMeetCriteria": {"false"}},
    # a retrieve writes uiType Aloha (Classic) on the text templates we render without it
    # (Metadata API EmailTemplate: uiType Aloha | SFX; retrieved text templates carry Aloha)
    "EmailTemplate": {"uiType": {"Aloha"}},
}
IGNORED = {"EntitlementProcess": {"versionMaster", "versionNumber", "versionNotes", "isVersionDefault", "name"}}
# (root type, parent element) -> child elements compared as a set; "*" = every child of that parent
UNORDERED: dict[tuple[str, str], set[str]] = {
    ("EntitlementProcess", "milestones"): {"timeTriggers", "successActions", "milestoneCriteriaFilterItems"},
    ("EntitlementProcess", "timeTriggers"): {"actions"},
    ("EntitlementProcess", "EntitlementProcess"): {"exitCriteriaFilterItems"},
    ("Workflow", "Workflow"): {"*"},
    ("Workflow", "alerts"): {"recipients", "ccEmails"},
    ("CustomObject", "CustomObject"): {"fields"},
    ("Flow", "Flow"): {"*"},
}
BOOLEAN_FILTERS = {"milestoneCriteriaFilterItems": "criteriaBooleanFilter",
                   "exitCriteriaFilterItems": "exitCriteriaBooleanFilter"}
CONTAINERS = {"Workflow", "CustomObject"}  # deployed child by child (fullName)
UNIT_MINUTES = {"Minutes": 1, "Hours": 60, "Days": 1440}
NAMES = ("milestoneName", "fullName", "name", "field")  # what names a repeated element
LABELS = {"milestones": "milestone", "actions": "action", "successActions": "success action",
          "milestoneCriteriaFilterItems": "criteria", "exitCriteriaFilterItems": "exit criteria",
          "fieldUpdates": "field update", "alerts": "alert", "tasks": "task", "rules": "rule", "fields": "field"}


def _local(el) -> str:
    return etree.QName(el).localname


def _parse(data: bytes):
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True, remove_pis=True,
                             resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def _trigger_minutes(trigger) -> None:
    length, unit = trigger.find(f"{_Q}timeLength"), trigger.find(f"{_Q}workflowTimeTriggerUnit")
    if length is None or unit is None or (unit.text or "").strip() not in UNIT_MINUTES:
        return
    try:
        length.text = str(int((length.text or "0").strip()) * UNIT_MINUTES[unit.text.strip()])
    except ValueError:
        return
    unit.text = "Minutes"


def _clean(el, kind: str) -> None:
    """Bottom-up: drop ignored/default/empty elements, normalise text, sort unordered children."""
    defaults, ignored = DEFAULTS.get(kind, {}), IGNORED.get(kind, set())
    for child in list(el):
        if not isinstance(child.tag, str):
            el.remove(child)
            continue
        name = _local(child)
        if el is child.getroottree().getroot() and name in ignored:
            el.remove(child)
            continue
        _clean(child, kind)
        text = (child.text or "").replace("\r\n", "\n").strip()
        child.text = text if len(child) == 0 else None
        child.tail = None
        if len(child) == 0 and (text == "" or text in defaults.get(name, ())):
            el.remove(child)
    if kind == "EntitlementProcess":
        if _local(el) == "timeTriggers":
            _trigger_minutes(el)
        if _local(el) == "actions":
            nm = el.find(f"{_Q}name")
            if nm is not None and nm.text:
                nm.text = CASE.bare(nm.text, ignore_case=False)
    _sort(el, kind)


def _loose(el, kind: str) -> set[str]:
    """Child tags of `el` whose order means nothing (compared as a set)."""
    unordered = UNORDERED.get((kind, _local(el)), set())
    present = {_local(c) for c in el}
    return {t for t in present if ("*" in unordered or t in unordered)
            and not (t in BOOLEAN_FILTERS and BOOLEAN_FILTERS[t] in present)}


def _sort(el, kind: str) -> None:
    loose = _loose(el, kind)
    if not loose:
        return
    first: dict[str, int] = {}
    for i, c in enumerate(el):
        first.setdefault(_local(c), i)
    keyed = [((first[_local(c)], etree.tostring(c, method="c14n") if _local(c) in loose else b"", i), c)
             for i, c in enumerate(el)]
    for _, c in sorted(keyed, key=lambda kc: kc[0]):
        el.append(c)  # append moves: the children end up in key order


def canonical(data: bytes) -> bytes:
    """The canonical form of one metadata file (XML); raises etree.XMLSyntaxError otherwise."""
    root = _parse(data)
    kind = _local(root)
    root.text = None
    _clean(root, kind)
    return etree.tostring(root, method="c14n")


def _children_by_name(root) -> dict[tuple[str, str], bytes]:
    out = {}
    for child in root:
        full = child.findtext(f"{_Q}fullName")
        out[(_local(child), full or "")] = etree.tostring(child, method="c14n")
    return out


def _c14n(el) -> bytes:
    return etree.tostring(el, method="c14n")


def differences(org: bytes, ours: bytes) -> list[dict]:
    """What deploying `ours` would change in what the org holds (`org`, as retrieved): [] when
    nothing, else `{"path", "before", "after"}` (before None: added; after None: removed), in
    our file's order, each group followed by what only the org has."""
    try:
        org_root, our_root = _parse(org), _parse(ours)
    except etree.XMLSyntaxError:  # email bodies and other non-XML files
        return [] if _text(org) == _text(ours) else _text_diffs(org, ours)
    kind = _local(our_root)
    if _local(org_root) != kind:
        return [{"path": "type", "before": _local(org_root), "after": kind}]
    for root in (org_root, our_root):
        root.text = None
        _clean(root, kind)
    only_ours = kind.endswith("Settings") or kind in CONTAINERS
    if kind.endswith("Settings"):  # only the flags we set
        flags = {_local(c): _c14n(c) for c in org_root}
        equal = all(flags.get(_local(c)) == _c14n(c) for c in our_root)
    elif kind in CONTAINERS:  # only the children we deploy
        theirs = _children_by_name(org_root)
        equal = all(theirs.get(key) == xml for key, xml in _children_by_name(our_root).items())
    else:
        equal = _c14n(org_root) == _c14n(our_root)
    if equal:
        return []
    out: list[dict] = []
    _walk(org_root, our_root, kind, [], out, only_ours=only_ours)
    return out or [{"path": "content", "before": "as in the org", "after": "as rendered"}]


def same(org: bytes, ours: bytes) -> bool:
    """True when deploying `ours` would not change what the org holds (`org`, as retrieved)."""
    return not differences(org, ours)


# -- what differs: a walk over the two canonical trees -----------------------------------------
def _ident(el, tag: str) -> str | None:
    if tag == "timeTriggers":
        return el.findtext(f"{_Q}timeLength")
    for name in NAMES if len(el) else ():
        text = el.findtext(f"{_Q}{name}")
        if text:
            return text
    return None


def _natural(item: tuple) -> tuple:
    key = item[0]
    return (0, int(key), key) if key.lstrip("-").isdigit() else (1, 0, key)


def _trigger_label(minutes: str) -> str:
    if not minutes.lstrip("-").isdigit():
        return f"time trigger {minutes}"
    n = int(minutes)
    return f"warning at {n} min" if n < 0 else f"violation at {'+' if n else ''}{n} min"


def _keyed(els: list, tag: str, mode: str) -> list[tuple[str, str, object]]:
    """(key, label, element) for each element of one repeated tag; keys made unique."""
    out: list[tuple[str, str, object]] = []
    seen: dict[str, int] = {}
    for i, el in enumerate(els):
        if mode == "ident":
            key = _ident(el, tag) or ""
            label = _trigger_label(key) if tag == "timeTriggers" else f"{LABELS.get(tag, tag)} {key}"
        elif mode == "single":
            key, label = "", tag
        elif mode == "text":
            key = label = f"{tag} {el.text}"
        elif mode == "content":
            key = _c14n(el).decode()
            label = f"{tag} {' '.join(t.strip() for t in el.itertext() if t.strip())[:60]}"
        else:
            key = label = f"{tag} {i + 1}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key, label = f"{key} #{seen[key]}", f"{label} #{seen[key]}"
        out.append((key, label, el))
    return out


def _value(el):
    """An element as JSON: its text, or {child: value} (repeated children as a list)."""
    if len(el) == 0:
        return el.text
    out: dict = {}
    for c in el:
        name, v = _local(c), _value(c)
        if name in out:
            out[name] = (out[name] if isinstance(out[name], list) else [out[name]]) + [v]
        else:
            out[name] = v
    return out


def _leaf(el, kind: str, tag: str):
    """A leaf's value; an absent one reads as the default Salesforce stores, if there is one."""
    default = DEFAULTS.get(kind, {}).get(tag, set())
    return _value(el) if el is not None else next(iter(default)) if len(default) == 1 else None


def _walk(org_el, our_el, kind: str, path: list[str], out: list[dict], only_ours: bool = False) -> None:
    tags = list(dict.fromkeys([_local(c) for c in our_el] + ([] if only_ours else [_local(c) for c in org_el])))
    loose = _loose(org_el, kind) & _loose(our_el, kind)
    for tag in tags:
        a, b = [c for c in org_el if _local(c) == tag], [c for c in our_el if _local(c) == tag]
        both = a + b
        if all(_ident(e, tag) is not None for e in both) and (tag == "timeTriggers" or any(len(e) for e in both)):
            mode = "ident"
        elif len(a) <= 1 and len(b) <= 1:
            mode = "single"
        elif all(len(e) == 0 for e in both):
            mode = "text"
        else:
            mode = "content" if tag in loose else "index"
        if mode == "single" and all(len(e) == 0 for e in both):
            before, after = _leaf(a[0] if a else None, kind, tag), _leaf(b[0] if b else None, kind, tag)
            if before != after:
                out.append({"path": ": ".join(path + [tag]), "before": before, "after": after})
            continue
        ka, kb = _keyed(a, tag, mode), _keyed(b, tag, mode)
        if tag in loose:  # a set: report it in a readable order (triggers by time, actions by name)
            ka.sort(key=_natural), kb.sort(key=_natural)
        theirs, ours = {k: el for k, _, el in ka}, {k for k, _, _ in kb}
        for key, label, el in kb:
            if key not in theirs:
                out.append({"path": ": ".join(path + [label]), "before": None, "after": _value(el)})
            elif _c14n(theirs[key]) != _c14n(el):
                _walk(theirs[key], el, kind, path + [label], out)
        for key, label, el in [] if only_ours else ka:
            if key not in ours:
                out.append({"path": ": ".join(path + [label]), "before": _value(el), "after": None})
        order_a, order_b = [k for k, _, _ in ka if k in ours], [k for k, _, _ in kb if k in theirs]
        if tag not in loose and mode in ("ident", "text") and order_a != order_b:
            out.append({"path": ": ".join(path + [f"{LABELS.get(tag, tag)} order"]), "before": order_a,
                        "after": order_b})


def _text_diffs(org: bytes, ours: bytes) -> list[dict]:
    """Line by line, for files that are not XML (email bodies)."""
    a = _text(org).decode("utf-8", "replace").split("\n")
    b = _text(ours).decode("utf-8", "replace").split("\n")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            before = a[i1 + k] if i1 + k < i2 else None
            after = b[j1 + k] if j1 + k < j2 else None
            out.append({"path": f"line {(j1 if after is not None else i1) + k + 1}", "before": before, "after": after})
    return out


def _text(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").strip()
