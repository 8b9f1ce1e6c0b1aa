"""The run journal (JSON lines) and the Data Loader-style error files.

A journal `.slakit/journal/<run>.jsonl` is what makes a backfill reversible. Each line is one
event, written, flushed and fsync'ed before the next batch goes out:

    {"event": "start", "run": ..., "org": {"Id", "Name", "IsSandbox", ...}, "source": "tiers.yml", ...}
    {"event": "created", "sobject": "Entitlement", "tier": "Gold", "ids": [...], "accounts": [...]}
    {"event": "bulk_job", "job": "750...", "operation": "insert", "sobject": "Entitlement"}
    {"event": "bulk_done", "job": "750..."}          # its successes are in "created" lines above
    {"event": "stamped", "sobject": "Case", "tier": "Gold", "ids": [...], "entitlements": [...]}
    {"event": "end", "status": "complete" | "stopped" | "failed", "reason": ...}

A bulk job is journaled before its data is uploaded: if the run dies while the job runs, undo
asks Salesforce for that job's successful rows. A truncated last line (a crash mid-write) is
ignored by the reader.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any, Iterator, TextIO

from slakit.errors import UsageError


def new_run_id(org_name: str | None, now: dt.datetime | None = None) -> str:
    """`20260302T150000Z-uat-1a2b`: sortable, names the org, unique enough for one machine."""
    now = now or dt.datetime.now(dt.timezone.utc)
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in (org_name or "org"))[:40]
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{safe}-{secrets.token_hex(2)}"


class Journal:
    """Append-only JSON-lines file; every `write` reaches the disk before it returns."""

    def __init__(self, path: str | os.PathLike, *, fsync: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a", encoding="utf-8")
        self._fsync = fsync

    def write(self, event: str, **data: Any) -> None:
        self._fh.write(json.dumps({"event": event, **data}, separators=(",", ":"), default=str) + "\n")
        self._fh.flush()
        if self._fsync:
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_journal(path: str | os.PathLike) -> Iterator[dict]:
    """Events of a journal, one at a time (a torn last line is skipped)."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"no journal at {p}", hint="journals live in .slakit/journal/<run>.jsonl")
    with open(p, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue  # torn write at a crash; everything before it is intact
            if not isinstance(event, dict) or "event" not in event:
                raise UsageError(f"{p}:{number}: not a slakit journal line")
            yield event


def journal_header(path: str | os.PathLike) -> dict:
    """The `start` event of a journal (UsageError when the file is not a slakit journal)."""
    for event in read_journal(path):
        if event["event"] == "start":
            return event
        break
    raise UsageError(f"{path} is not a slakit backfill journal (no start line)")


class ErrorCsv:
    """A Data Loader-style error file: the columns sent, then `ERROR`. Opened on first failure."""

    def __init__(self, path: str | os.PathLike, columns: tuple[str, ...]):
        self.path = Path(path)
        self.columns = tuple(columns)
        self._fh: TextIO | None = None
        self.rows = 0

    def add(self, record: dict, code: str | None, message: str) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "w", newline="", encoding="utf-8")
            csv.writer(self._fh, quoting=csv.QUOTE_ALL).writerow([c.upper() for c in self.columns] + ["ERROR"])
        error = f"{code}:{message}" if code else message
        row = ["" if record.get(c) is None else record.get(c) for c in self.columns] + [error]
        csv.writer(self._fh, quoting=csv.QUOTE_ALL).writerow(row)
        self._fh.flush()
        self.rows += 1

    @property
    def written(self) -> str | None:
        return str(self.path) if self.rows else None

    def close(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.close()


def unfinished_insert_jobs(journal_dir: str | os.PathLike, org_id: str | None) -> list[tuple[str, str]]:
    """(journal path, job Id) of Bulk insert jobs that earlier runs against `org_id` started but
    never saw finish (a `bulk_job` line without its `bulk_done`): such a job may still be
    creating entitlements in Salesforce."""
    folder = Path(journal_dir)
    if not org_id or not folder.is_dir():
        return []
    out: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.jsonl")):
        started: list[str] = []
        done: set[str] = set()
        try:
            for n, event in enumerate(read_journal(path)):
                if n == 0 and ((event.get("org") or {}).get("Id") or "")[:15] != org_id[:15]:
                    break
                if event["event"] == "bulk_job" and event.get("operation") == "insert":
                    started.append(event["job"])
                elif event["event"] == "bulk_done":
                    done.add(event["job"])
        except (UsageError, OSError):
            continue  # not a journal of ours
        out += [(str(path), job) for job in started if job not in done]
    return out
