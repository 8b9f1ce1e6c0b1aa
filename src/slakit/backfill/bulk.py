"""Bulk API 2.0 ingest jobs, driven over simple-salesforce's own session (`sf.session`,
`sf.bulk2_url`, `sf.headers`; errors mapped by `simple_salesforce.util.exception_handler`).

Why not `sf.bulk2.Entitlement.insert(records=...)`: it needs every row as a list in memory and
returns only counts. Here rows stream into a temporary CSV file that is uploaded as a file
object, and result CSVs are read line by line, so memory stays flat whatever the job size.

Lifecycle of one job (`BulkJob`): create (POST jobs/ingest) -> upload (PUT .../batches) ->
close (PATCH state UploadComplete) -> poll (GET, back-off 1 s to 30 s) -> successfulResults and
failedResults (CSV with `sf__Id` / `sf__Error` plus the columns sent). Record failures never
raise. Each HTTP call goes through a `RetryPolicy` (5xx, timeouts); limit and session errors
raise `Stop`.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import time
from typing import TYPE_CHECKING, Callable, Iterator

from slakit.backfill.retry import RetryPolicy

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

JOB_MAX_RECORDS = 100_000  # rows per job (~12 MB of Entitlement CSV)
JOB_MAX_BYTES = 90 * 1024 * 1024  # Bulk API 2.0 takes at most 100 MB of CSV per job
POLL_START, POLL_CAP = 1.0, 30.0
FINAL_STATES = ("JobComplete", "Failed", "Aborted")


class CsvSpool:
    """Rows written to a temporary CSV file; knows when a job is full."""

    def __init__(self, columns: tuple[str, ...]):
        self.columns = columns
        self.file = tempfile.TemporaryFile(mode="w+b")
        self._text = io.TextIOWrapper(self.file, encoding="utf-8", newline="", write_through=True)
        self._writer = csv.writer(self._text, lineterminator="\n")
        self._writer.writerow(columns)
        self.rows = 0

    def add(self, record: dict) -> None:
        self._writer.writerow(["" if record.get(c) is None else record[c] for c in self.columns])
        self.rows += 1

    @property
    def full(self) -> bool:
        return self.rows >= JOB_MAX_RECORDS or self.file.tell() >= JOB_MAX_BYTES

    def rewind(self):
        self._text.flush()
        self.file.seek(0)
        return self.file

    def close(self) -> None:
        self._text.close()


class BulkClient:
    """Raw Bulk API 2.0 ingest calls over `sf.session`."""

    def __init__(self, sf: Salesforce, policy: RetryPolicy | None = None, sleep: Callable[[float], None] | None = None):
        self.sf = sf
        self.policy = policy or RetryPolicy()
        self.sleep = sleep

    def _call(self, method: str, path: str, *, content_type: str = "application/json",
              accept: str = "application/json", data=None, stream: bool = False, rewind=None):
        from simple_salesforce.util import exception_handler

        url = self.sf.bulk2_url + path

        def once():
            if rewind is not None:
                rewind()
            headers = dict(self.sf.headers)
            headers.update({"Content-Type": content_type, "Accept": accept})
            response = self.sf.session.request(method, url, headers=headers, data=data, stream=stream)
            if response.status_code >= 300:
                exception_handler(response, name=f"bulk {method} {path}")
            return response
        return self.policy.call(once)

    def create(self, sobject: str, operation: str) -> dict:
        body = json.dumps({"object": sobject, "operation": operation, "contentType": "CSV",
                           "columnDelimiter": "COMMA", "lineEnding": "LF"})
        return self._call("POST", "ingest", data=body).json()

    def upload(self, job_id: str, spool: CsvSpool) -> None:
        fh = spool.rewind()
        self._call("PUT", f"ingest/{job_id}/batches", content_type="text/csv", data=fh,
                   rewind=lambda: fh.seek(0))

    def close(self, job_id: str) -> dict:
        return self._call("PATCH", f"ingest/{job_id}", data=json.dumps({"state": "UploadComplete"})).json()

    def abort(self, job_id: str) -> None:
        self._call("PATCH", f"ingest/{job_id}", data=json.dumps({"state": "Aborted"}))

    def info(self, job_id: str) -> dict:
        return self._call("GET", f"ingest/{job_id}").json()

    def wait(self, job_id: str, on_poll: Callable[[dict], None] | None = None) -> dict:
        """Poll until the job is final, waiting 1 s, 1.5 s, ... up to 30 s between polls."""
        delay = POLL_START
        while True:
            info = self.info(job_id)
            if on_poll is not None:
                on_poll(info)
            if info.get("state") in FINAL_STATES:
                return info
            (self.sleep or time.sleep)(delay)
            delay = min(POLL_CAP, delay * 1.5)

    def results(self, job_id: str, kind: str) -> Iterator[dict]:
        """Rows of `successfulResults` / `failedResults` / `unprocessedrecords`, streamed."""
        response = self._call("GET", f"ingest/{job_id}/{kind}", accept="text/csv", stream=True)
        try:
            lines = (line.decode("utf-8") if isinstance(line, bytes) else line
                     for line in response.iter_lines(chunk_size=65536))
            yield from csv.DictReader(_logical_lines(lines))
        finally:
            response.close()


def _logical_lines(lines: Iterator[str]) -> Iterator[str]:
    """Re-join CSV records split by newlines inside quoted values (iter_lines splits them)."""
    pending = None
    for line in lines:
        pending = line if pending is None else pending + "\n" + line
        if pending.count('"') % 2 == 0:
            yield pending
            pending = None
    if pending is not None:
        yield pending


def run_job(client: BulkClient, sobject: str, operation: str, spool: CsvSpool, *,
            on_created: Callable[[str], None], on_done: Callable[[str], None],
            on_poll: Callable[[dict], None] | None = None) -> tuple[str, dict]:
    """Create, upload, close and wait for one job. Returns (job id, final info).

    `on_created(job_id)` runs before any data is uploaded (the caller journals the job);
    `on_done(job_id)` after the job reached a final state.
    """
    job = client.create(sobject, operation)
    job_id = job["id"]
    on_created(job_id)
    try:
        client.upload(job_id, spool)
        client.close(job_id)
    except Exception:
        try:
            client.abort(job_id)
        except Exception:  # noqa: BLE001 - the original error matters more
            pass
        raise
    info = client.wait(job_id, on_poll)
    on_done(job_id)
    return job_id, info


def split_error(text: str) -> tuple[str | None, str]:
    """`sf__Error` text ("CODE:message:Field1,Field2 --") -> (code, "message [Field1, Field2]")."""
    import re

    text = (text or "").strip()
    m = re.fullmatch(r"([A-Z_]+):(.*?)(?::([\w,]*))?\s*-*", text, re.S)
    if not m:
        return None, text
    code, message, fields = m.group(1), m.group(2).strip(), m.group(3)
    if fields:
        message = f"{message} [{', '.join(f for f in fields.split(',') if f)}]"
    return code, message or code
