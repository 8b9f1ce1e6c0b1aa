"""Which accounts get each tier (`entitlement.accounts`), guessed from the org's data only where
the data says it exactly: an Account picklist whose values split the accounts holding
entitlements along their processes, one value per process, with no account of that value
left without the process's entitlement. Anything less (an account under two processes, a value
shared by two processes, a value some accounts hold without the entitlement, two picklists that
split equally well) is no guess: the file keeps a commented placeholder.

Queries: Account describe (its picklists), the Entitlements with an account and a process, the
picklist values of those accounts (200 Ids a query), and one `GROUP BY` count per picklist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slakit.org.soql import in_chunks, query_list, sobject_type, soql

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

MAX_PICKLISTS = 40  # fields read per query; orgs rarely have more picklists on Account


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def guess_accounts(sf: Salesforce, process_family: dict[str, str],
                   entitlements: list[dict]) -> tuple[dict[str, str], str | None]:
    """({process NameNorm: "Field__c = 'Value'"}, why there is no guess). `process_family` maps a
    SlaProcess Id (15 characters) to its NameNorm; `entitlements` are the org's Entitlement rows
    (AccountId, SlaProcessId), read once by importer.read for this and for the terms."""
    tier_of: dict[str, str] = {}
    for r in entitlements:
        family = process_family.get((r.get("SlaProcessId") or "")[:15])
        if family is None or not r.get("AccountId"):
            continue
        acct = (r.get("AccountId") or "")[:15]
        if tier_of.setdefault(acct, family) != family:
            return {}, "some accounts hold entitlements of two processes"
    if not tier_of:
        return {}, "no account holds an entitlement"
    described = sobject_type(sf, "Account").describe()
    picklists = sorted(f["name"] for f in described.get("fields", []) if f.get("type") == "picklist")[:MAX_PICKLISTS]
    if not picklists:
        return {}, "Account has no picklist to tell the tiers apart"
    values: dict[str, dict[str, str | None]] = {}  # field -> account -> value
    for chunk in in_chunks(sorted(tier_of)):
        query = soql("SELECT Id, {:literal} FROM Account WHERE Id IN {}", ", ".join(picklists), chunk)
        for r in query_list(sf, query, action="reading account picklists"):
            for f in picklists:
                values.setdefault(f, {})[r["Id"][:15]] = r.get(f)
    fits: dict[str, dict[str, str]] = {}
    for f in picklists:
        split = _split(sf, f, tier_of, values.get(f, {}))
        if split:
            fits[f] = split
    if len(fits) != 1:
        why = ("no Account picklist splits the accounts exactly along their entitlements" if not fits else
               f"{' and '.join(sorted(fits))} both split the accounts along their entitlements")
        return {}, why
    field_, split = next(iter(fits.items()))
    return {tier: f"{field_} = {_quote(v)}" for tier, v in split.items()}, None


def _split(sf: Salesforce, field_: str, tier_of: dict[str, str], values: dict[str, str | None]) -> dict[str,
           str] | None:
    by_tier: dict[str, set] = {}
    for acct, tier in tier_of.items():
        by_tier.setdefault(tier, set()).add(values.get(acct))
    if any(len(vs) != 1 or None in vs for vs in by_tier.values()):
        return None
    value_of = {tier: next(iter(vs)) for tier, vs in by_tier.items()}
    if len(set(value_of.values())) != len(value_of):
        return None
    query = soql("SELECT {:literal}, COUNT(Id) n FROM Account GROUP BY {:literal}", field_, field_)
    counts = {r.get(field_): int(r.get("n") or 0) for r in query_list(sf, query, action="counting accounts")}
    for tier, value in value_of.items():
        if counts.get(value, 0) != sum(1 for t in tier_of.values() if t == tier):
            return None  # some accounts with this value lack the entitlement
    return value_of
