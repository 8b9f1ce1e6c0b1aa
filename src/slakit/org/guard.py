"""Tells a sandbox (or scratch org) from production, and refuses production where needed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slakit.errors import GuardError
from slakit.org.errors import org_errors

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

ORG_SOQL = "SELECT Id, IsSandbox, OrganizationType, Name FROM Organization LIMIT 1"


def org_info(sf: Salesforce) -> dict[str, Any]:
    """`{Id, IsSandbox, OrganizationType, Name}` of the connected org."""
    with org_errors("reading Organization"):
        records = sf.query(ORG_SOQL).get("records", [])
    if not records:
        raise GuardError("cannot read the Organization record", hint="the user needs View Setup")
    rec = records[0]
    return {k: rec.get(k) for k in ("Id", "IsSandbox", "OrganizationType", "Name")}


def is_sandbox(sf: Salesforce) -> bool:
    """True for sandboxes and scratch orgs (Organization.IsSandbox)."""
    return bool(org_info(sf)["IsSandbox"])


def require_sandbox(sf: Salesforce, *, action: str = "this command") -> dict[str, Any]:
    """Return the org info, or raise GuardError when the org is production."""
    info = org_info(sf)
    if not info["IsSandbox"]:
        raise GuardError(
            f"{action} runs only in a sandbox or scratch org, and '{info.get('Name')}' is a production org "
            f"({info.get('OrganizationType')})",
            hint="connect a sandbox with cci org connect NAME --sandbox",
        )
    return info


def confirm_production(info: dict[str, Any], question: str, confirm, *, action: str) -> bool:
    """Whether a write to this org may go ahead: always for a sandbox; for production only when
    `confirm(question)` says yes. False when the user said no; GuardError when nobody can be asked
    (`confirm` None: not interactive and no --yes). `action` completes "refusing to ... production
    org 'X'": "deploy to", "backfill", "undo a backfill on"."""
    if info.get("IsSandbox"):
        return True
    if confirm is None:
        raise GuardError(f"refusing to {action} production org '{info.get('Name')}' without confirmation",
                         hint="answer the prompt, or pass --yes in pipelines")
    return bool(confirm(question))
