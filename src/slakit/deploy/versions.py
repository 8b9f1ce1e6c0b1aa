"""Entitlement process versions.

Salesforce names a process file by its NameNorm (the lowercase name). With versioning on,
NameNorm is `<name>_v<N>` per version (the SlaProcess object reference, as quoted in issue 11;
the docs look-up here did not return that page), and orgs differ for version 1: retrieved files show both
`wholesale support.entitlementProcess` next to `wholesale support_v3` (SwarajSalesforce/
caseMgmtAccelerator) and `developer support_v1.entitlementProcess` (gvinnakota/
createdraftarticlefromcase). So the family of a row is its NameNorm without a `_v<VersionNumber>`
suffix, and the file member of an existing version is exactly the NameNorm the org holds
(`member_of`), never rebuilt from the bare name; only a new version is named `<base>_v<N+1>`.
File members are encoded as the Metadata API writes fullNames (`encode_full_name`).
A new version carries `versionNumber` N, `isVersionDefault` true and `versionMaster` = the org's
SlaProcess.VersionMaster of that process (an org-specific Id: never taken from another org or
from the file). Version numbers compare as integers ("10" > "9").
"""

from __future__ import annotations

import re

from lxml import etree

from slakit.config.names import encode_full_name
from slakit.org.processes import ProcessVersion
from slakit.salesforce import MD_NS

_V = re.compile(r"^(?P<base>.+?)_v(?P<n>\d+)$")
# EntitlementProcess children in schema (xsd:sequence) order: inserted elements must respect it.
_ORDER = ["SObjectType", "active", "businessHours", "description", "entitlementRules", "entryStartDateField",
          "exitCriteriaBooleanFilter", "exitCriteriaFilterItems", "exitCriteriaFormula", "isRecordTypeApplied",
          "isVersionDefault", "milestones", "name", "recordType", "versionMaster", "versionNotes", "versionNumber"]


def member_of(v: ProcessVersion) -> str:
    """The file member (encoded fullName) of an org version, exactly as the org holds it."""
    return encode_full_name(v.name_norm)


def new_version_member(family: str, version: int) -> str:
    """The file member of a version the deploy publishes: `<family>_v<N>`, encoded."""
    return encode_full_name(f"{family}_v{version}")


def file_member(name: str, version: int | None = None) -> str:
    """fullName of a process: lowercase NameNorm, plus `_vN` for versions after the first."""
    base = name.lower()
    return f"{base}_v{version}" if version and version > 1 else base


def split_member(member: str) -> tuple[str, int]:
    """'gold_v3' -> ('gold', 3); 'gold' -> ('gold', 1)."""
    m = _V.match(member)
    return (m.group("base"), int(m.group("n"))) if m else (member, 1)


def latest(versions: list[ProcessVersion]) -> ProcessVersion | None:
    return max(versions, key=lambda v: v.version, default=None)


def default_version(versions: list[ProcessVersion]) -> ProcessVersion | None:
    defaults = [v for v in versions if v.is_default]
    return defaults[0] if defaults else latest(versions)


def version_master(versions: list[ProcessVersion]) -> str | None:
    """The org's VersionMaster for a process family (15-char Id), read, never invented."""
    for v in sorted(versions, key=lambda v: v.version):
        if v.master:
            return v.master[:15]
    first = min(versions, key=lambda v: v.version, default=None)
    return first.id[:15] if first else None


def _q(tag: str) -> str:
    return f"{{{MD_NS}}}{tag}"


def _set(root, tag: str, text: str) -> None:
    el = root.find(_q(tag))
    if el is None:
        el = etree.Element(_q(tag))
        rank = _ORDER.index(tag)
        after = [c for c in root if isinstance(c.tag, str) and etree.QName(c).localname in _ORDER
                 and _ORDER.index(etree.QName(c).localname) > rank]
        if after:
            after[0].addprevious(el)
        else:
            root.append(el)
        el.tail = "\n" + "    "
    el.text = text


def rewrite_version(xml: bytes, *, name: str, number: int, master: str, notes: str | None = None) -> bytes:
    """The process XML as a new default version `number` of the org's family `master`."""
    parser = etree.XMLParser(remove_blank_text=False)
    root = etree.fromstring(xml, parser)
    _set(root, "isVersionDefault", "true")
    _set(root, "name", name)
    _set(root, "versionMaster", master[:15])
    if notes:
        _set(root, "versionNotes", notes)
    _set(root, "versionNumber", str(number))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
