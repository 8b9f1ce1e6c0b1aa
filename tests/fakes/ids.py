"""Salesforce-looking record Ids: 3-char key prefix + 12 chars, plus the 3-char case checksum."""

from __future__ import annotations

import itertools

# Documented key prefixes; the CaseMilestone and EntitlementTemplate ones are placeholders
# (Salesforce does not publish every prefix) but are stable and distinct.
KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Task": "00T",
    "Organization": "00D",
    "Group": "00G",
    "UserRole": "00E",
    "CaseTeamRole": "0B7",
    "RecordType": "012",
    "BusinessHours": "01m",
    "Holiday": "0C0",
    "Asset": "02i",
    "Case": "500",
    "Entitlement": "550",
    "SlaProcess": "552",
    "MilestoneType": "557",
    "CaseMilestone": "55Y",
    "EntitlementTemplate": "0Ab",
    "AsyncApexJob": "707",
    "Bulk2Job": "750",
    "DeployRequest": "0Af",
}

_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def to18(id15: str) -> str:
    """The 18-character, case-insensitive form of a 15-character Id."""
    if len(id15) == 18:
        return id15
    suffix = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, c in enumerate(chunk) if "A" <= c <= "Z")
        suffix += _CHARS[bits]
    return id15 + suffix


def to15(any_id: str) -> str:
    return any_id[:15]


def prefix_of(sobject: str) -> str:
    if sobject in KEY_PREFIXES:
        return KEY_PREFIXES[sobject]
    # custom objects: a01, a02, ... stable per name
    return "a" + _B62[(sum(map(ord, sobject)) // 62) % 62] + _B62[sum(map(ord, sobject)) % 62]


def _b62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = _B62[r] + out
    return out.rjust(width, "0")


class IdFactory:
    """Deterministic 18-char Ids per sObject: `001` + `5g0000` + a base-62 counter + checksum."""

    def __init__(self, pod: str = "5g"):
        self.pod = pod
        self._counters: dict[str, itertools.count] = {}

    def new(self, sobject: str) -> str:
        counter = self._counters.setdefault(sobject, itertools.count(1))
        body = prefix_of(sobject) + self.pod + "0000" + _b62(next(counter), 6)
        return to18(body)
