"""Bulk API 2.0 query jobs over simple-salesforce's session, streamed: create (POST jobs/query),
poll (GET jobs/query/<id>) until JobComplete, then read the CSV results set by set
(GET .../results?maxRecords=N&locator=L; the next locator comes in the `Sforce-Locator` header,
"null" after the last set: Bulk API 2.0 Developer Guide, "Get Results for a Query Job"). Rows
are parsed line by line and handed out in pages, so memory holds one page, never the job's result.

The HTTP plumbing (URL, headers, retries, Salesforce error mapping) is backfill's `BulkClient`
(`slakit.backfill.bulk`), which already drives ingest jobs over `sf.session`.

Bulk API 2.0 query does not take GROUP BY, OFFSET, TYPEOF, aggregates or parent-to-child
sub-queries (Bulk API 2.0 Developer Guide, "Understanding Bulk API 2.0 Query"); the case query
slakit sends has none of them (a semi-join in WHERE is not a sub-query in the field list).
CSV values are text: empty means null, booleans read `true`/`false`.
"""

from __future__ import annotations

import csv
import json
import time
from typing import TYPE_CHECKING, Iterator

from slakit.backfill.bulk import POLL_CAP, POLL_START, BulkClient, _logical_lines
from slakit.errors import OrgError
from slakit.org.soql import in_chunks

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

MAX_RECORDS = 50_000  # rows per results request (a set of results; Salesforce may return fewer)
BOOLEAN_FIELDS = frozenset({"IsClosed", "IsStopped", "IsEscalated", "Incoming", "IsPublished"})


def _value(name: str, text: str) -> object:
    if text == "":
        return None
    if name in BOOLEAN_FIELDS:
        return text.lower() == "true"
    return text


class QueryJobs(BulkClient):
    """Bulk API 2.0 query calls (the ingest calls are inherited and unused here)."""

    def start(self, soql: str) -> str:
        body = json.dumps({"operation": "query", "query": soql, "contentType": "CSV",
                           "columnDelimiter": "COMMA", "lineEnding": "LF"})
        return str(self._call("POST", "query", data=body).json()["id"])

    def finish(self, job_id: str) -> dict:
        """Poll until the job is final (1 s, 1.5 s, ... up to 30 s apart); OrgError unless complete."""
        delay = POLL_START
        while True:
            info = self._call("GET", f"query/{job_id}").json()
            state = info.get("state")
            if state == "JobComplete":
                return info
            if state in ("Failed", "Aborted"):
                raise OrgError(f"Bulk API query job {job_id} ended {state}: {info.get('errorMessage') or ''}".strip(),
                               hint="re-run with --bulk never to read the cases through REST")
            (self.sleep or time.sleep)(delay)
            delay = min(POLL_CAP, delay * 1.5)

    def rows(self, job_id: str, max_records: int = MAX_RECORDS) -> Iterator[dict]:
        locator: str | None = None
        while True:
            path = f"query/{job_id}/results?maxRecords={max_records}" + (f"&locator={locator}" if locator else "")
            response = self._call("GET", path, accept="text/csv", stream=True)
            try:
                lines = (line.decode("utf-8") if isinstance(line, bytes) else line
                         for line in response.iter_lines(chunk_size=65536))
                for row in csv.DictReader(_logical_lines(lines)):
                    yield {k: _value(k, v or "") for k, v in row.items()}
                locator = response.headers.get("Sforce-Locator")
            finally:
                response.close()
            if not locator or locator == "null":
                return


def bulk_pages(sf: Salesforce, soql: str, *, page_size: int = 2000, policy=None, sleep=None) -> Iterator[list[dict]]:
    """The rows of `soql` run as one Bulk API 2.0 query job, `page_size` at a time."""
    jobs = QueryJobs(sf, policy, sleep)
    job_id = jobs.start(soql)
    jobs.finish(job_id)
    yield from in_chunks(jobs.rows(job_id), page_size)
