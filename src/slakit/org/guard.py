"""Tells a sandbox (or scratch org) from production, and refuses production where needed."""

from __future__ import annotations

from typing import Any

from slakit.errors import GuardError
from slakit.org.errors import org_errors

ORG_SOQL = "SELECT Id, IsSandbox, OrganizationType, Name FROM Organization LIMIT 1"


def org_info(sf) -> dict[str, Any]:
    """`{Id, IsSandbox, OrganizationType, Name}` of the connected org."""
    with org_errors("reading Organization"):
        records = sf.query(ORG_SOQL).get("records", [])
    if not records:
        raise GuardError("cannot read the Organization record", hint="the user needs View Setup")
    rec = records[0]
    return {k: rec.get(k) for k in ("Id", "IsSandbox", "OrganizationType", "Name")}


def is_sandbox(sf) -> bool:
    """True for sandboxes and scratch orgs (Organization.IsSandbox)."""
    return bool(org_info(sf)["IsSandbox"])


def require_sandbox(sf, *, action: str = "this command") -> dict[str, Any]:
    """Return the org info, or raise GuardError when the org is production."""
    info = org_info(sf)
    if not info["IsSandbox"]:
        raise GuardError(
            f"{action} runs only in a sandbox or scratch org, and '{info.get('Name')}' is a production org "
            f"({info.get('OrganizationType')})",
            hint="connect a sandbox with cci org connect NAME --sandbox",
        )
    return info
