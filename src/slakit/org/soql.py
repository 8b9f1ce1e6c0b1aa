"""Small SOQL helpers over simple-salesforce: safe formatting, lazy paging, describe checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator

from slakit.org.errors import org_errors

if TYPE_CHECKING:
    from simple_salesforce import Salesforce
    from simple_salesforce.api import SFType

ENTITLEMENT_SOBJECTS = ("Entitlement", "SlaProcess", "MilestoneType", "CaseMilestone")


def soql(template: str, *args: Any, **kwargs: Any) -> str:
    """`format_soql` (values quoted safely; `{:literal}` for trusted fragments)."""
    from simple_salesforce.format import format_soql

    return format_soql(template, *args, **kwargs)


def strip_attributes(record: dict) -> dict:
    """A record without `attributes`, nested relationship records flattened to dicts."""
    out = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        out[key] = strip_attributes(value) if isinstance(value, dict) else value
    return out


def iter_records(sf: Salesforce, query: str, *, include_deleted: bool = False,
                 action: str | None = None) -> Iterator[dict]:
    """Records of `query`, page by page (nextRecordsUrl), without holding all pages."""
    with org_errors(action):
        for rec in sf.query_all_iter(query, include_deleted=include_deleted):
            yield rec


def query_list(sf: Salesforce, query: str, *, action: str | None = None) -> list[dict]:
    return list(iter_records(sf, query, action=action))


def count(sf: Salesforce, query: str, *, action: str | None = None) -> int:
    """`SELECT COUNT() FROM ...` -> totalSize."""
    with org_errors(action):
        return int(sf.query(query)["totalSize"])


def in_chunks(values: Iterable[Any], size: int = 200) -> Iterator[list[Any]]:
    """Split values for `IN (...)` clauses so queries stay under SOQL's length limit."""
    chunk: list[Any] = []
    for v in values:
        chunk.append(v)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def global_sobjects(sf: Salesforce) -> set[str]:
    with org_errors("describing the org"):
        return {o["name"] for o in (sf.describe() or {})["sobjects"]}


def entitlements_enabled(sf: Salesforce, *, names: set[str] | None = None) -> bool:
    """True when describeGlobal lists Entitlement, SlaProcess, MilestoneType and CaseMilestone."""
    names = names if names is not None else global_sobjects(sf)
    return all(n in names for n in ENTITLEMENT_SOBJECTS)


def sobject_type(sf: Salesforce, sobject: str) -> SFType:
    """`sf.<sobject>` (simple-salesforce's SFType for a record type; its `__getattr__` is typed as
    also returning the bulk handlers, which only `bulk`/`bulk2` give)."""
    return getattr(sf, sobject)


def field_names(sf: Salesforce, sobject: str) -> set[str]:
    """Field API names of `sobject` (describe)."""
    with org_errors(f"describing {sobject}"):
        return {f["name"] for f in getattr(sf, sobject).describe()["fields"]}
