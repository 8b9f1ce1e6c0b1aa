"""Is what the org holds the same as what we render? Content comparison of Metadata API files.

A retrieve never gives back the bytes a deploy sent: Salesforce writes every field it stores,
including defaults our templates leave out (`isDisplayedOnLinkedEntity` false on milestones,
`trackHistory` false on fields, every EntitlementSettings flag), may order repeated elements its
own way, and adds version bookkeeping. So both sides are parsed and brought to one canonical form
before comparing:

- comments and whitespace between elements dropped, text stripped, CRLF read as LF;
- elements that are empty, or hold the default Salesforce stores when the element is omitted
  (DEFAULTS, per metadata type), dropped;
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
"""

from __future__ import annotations

from lxml import etree

MD_NS = "http://soap.sforce.com/2006/04/metadata"
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
            if nm is not None and nm.text and nm.text.startswith("Case."):
                nm.text = nm.text[5:]
    _sort(el, kind)


def _sort(el, kind: str) -> None:
    unordered = UNORDERED.get((kind, _local(el)), set())
    if not unordered:
        return
    present = {_local(c) for c in el}
    loose = {t for t in present if ("*" in unordered or t in unordered)
             and not (t in BOOLEAN_FILTERS and BOOLEAN_FILTERS[t] in present)}
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


def same(org: bytes, ours: bytes) -> bool:
    """True when deploying `ours` would not change what the org holds (`org`, as retrieved)."""
    try:
        org_root, our_root = _parse(org), _parse(ours)
    except etree.XMLSyntaxError:  # email bodies and other non-XML files
        return _text(org) == _text(ours)
    kind = _local(our_root)
    if _local(org_root) != kind:
        return False
    for root in (org_root, our_root):
        root.text = None
        _clean(root, kind)
    if kind.endswith("Settings"):  # only the flags we set
        theirs = {_local(c): etree.tostring(c, method="c14n") for c in org_root}
        return all(theirs.get(_local(c)) == etree.tostring(c, method="c14n") for c in our_root)
    if kind in CONTAINERS:  # only the children we deploy
        theirs = _children_by_name(org_root)
        return all(theirs.get(key) == xml for key, xml in _children_by_name(our_root).items())
    return etree.tostring(org_root, method="c14n") == etree.tostring(our_root, method="c14n")


def _text(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").strip()
