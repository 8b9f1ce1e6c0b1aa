"""Lazy query paging with retries: the same calls `query_all_iter` makes (`query`, then
`query_more` on `nextRecordsUrl`), but each page goes through the `RetryPolicy`, so a 5xx or a
timeout on page 37 of 500 retries that page instead of failing the run. Only one page (at most
2,000 records) is held at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from slakit.backfill.retry import RetryPolicy

if TYPE_CHECKING:
    from simple_salesforce import Salesforce


def pages(sf: Salesforce, soql: str, policy: RetryPolicy) -> Iterator[dict]:
    """Each page body (`totalSize`, `done`, `records`, `nextRecordsUrl`) of `soql`."""
    page = policy.call(lambda: sf.query(soql))
    while True:
        yield page
        if page.get("done", True) or not page.get("nextRecordsUrl"):
            return
        url = page["nextRecordsUrl"]
        page = policy.call(lambda: sf.query_more(url, identifier_is_url=True))


def records(sf: Salesforce, soql: str, policy: RetryPolicy) -> Iterator[dict]:
    """Records of `soql`, one page in memory at a time."""
    for page in pages(sf, soql, policy):
        yield from page.get("records") or []


def query_all(sf: Salesforce, soql: str, policy: RetryPolicy) -> list[dict]:
    """All records of a small query (lookups of at most a few hundred rows)."""
    return list(records(sf, soql, policy))
