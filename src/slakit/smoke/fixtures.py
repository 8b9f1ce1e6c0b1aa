"""The records a smoke run creates, and their removal.

Every record carries the tag `slakit-smoke <run id>` at the start of its Name (Account,
Entitlement) or Subject (Case), so a run's records can always be found again, even when the
process died between Salesforce creating a record and slakit reading its Id. Ids are written to
the run's `Cleanup` ledger the moment a create call returns.

Removal (`remove`) deletes in dependency order (tasks and comments on the run's cases, cases,
entitlements, accounts) through sObject Collections (200 Ids a call), then sweeps by tag for
anything the ledger missed. Per-record failures are collected, never raised, so one stuck record
does not keep the others in the org.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any, Iterable

from slakit.errors import OrgError
from slakit.org.errors import org_errors
from slakit.salesforce import CASE
from slakit.smoke.report import Cleanup

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

TAG = "slakit-smoke"
DELETE_ORDER = tuple(o for o in ("Task", CASE.email_object, CASE.comment_object, CASE.sobject, "Entitlement", "Account")
                     if o)
TAGGED = {CASE.sobject: "Subject", "Entitlement": "Name", "Account": "Name"}
GONE = ("ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND")


def new_run_id(now: dt.datetime) -> str:
    """Short, sortable, unique enough: 1123-1622-a3f9 (UTC month-day-hour-minute + 4 hex)."""
    return now.astimezone(dt.timezone.utc).strftime("%m%d-%H%M") + "-" + secrets.token_hex(2)


def _chunks(ids: list[str], size: int = 200) -> Iterable[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _errors_text(errors: list[dict] | None) -> str:
    return "; ".join(f"{e.get('statusCode')}: {e.get('message')}" for e in errors or []) or "unknown error"


class Fixtures:
    """Creates tagged records through sObject Collections and remembers every Id."""

    def __init__(self, sf: Salesforce, run_id: str, ledger: Cleanup):
        self.sf = sf
        self.run_id = run_id
        self.ledger = ledger
        self.prefix = f"{TAG} {run_id}"

    def label(self, *parts: str) -> str:
        return " ".join((self.prefix, *parts))[:80]

    def remember(self, sobject: str, record_id: str) -> None:
        self.ledger.created.setdefault(sobject, []).append(record_id)

    def create(self, sobject: str, records: list[dict[str, Any]]) -> list[tuple[str | None, str | None]]:
        """Insert `records` (allOrNone false); [(id, None) | (None, error text)] in input order."""
        out: list[tuple[str | None, str | None]] = []
        for start in range(0, len(records), 200):
            batch = records[start : start + 200]
            body = {"allOrNone": False, "records": [{"attributes": {"type": sobject}, **r} for r in batch]}
            with org_errors(f"creating {sobject} fixtures"):
                results = self.sf.restful("composite/sobjects", method="POST", json=body) or []
            for res in results:
                if res.get("success") and res.get("id"):
                    self.remember(sobject, res["id"])
                    out.append((res["id"], None))
                else:
                    out.append((None, _errors_text(res.get("errors"))))
        return out

    def create_one(self, sobject: str, values: dict[str, Any]) -> str:
        record_id, error = self.create(sobject, [values])[0]
        if error or record_id is None:
            raise OrgError(f"cannot create {sobject}: {error or 'no Id returned'}")
        return record_id

    def update(self, sobject: str, record_id: str, values: dict[str, Any]) -> None:
        with org_errors(f"updating {sobject} {record_id}"):
            getattr(self.sf, sobject).update(record_id, values)

    # -- removal ---------------------------------------------------------------------------
    def _query_ids(self, soql: str) -> list[str]:
        with org_errors("finding smoke records"):
            return [r["Id"] for r in self.sf.query_all(soql).get("records", [])]

    def _sweep(self) -> dict[str, list[str]]:
        """Records carrying this run's tag, plus tasks the automation hung on the run's cases."""
        from slakit.org.soql import soql

        found: dict[str, list[str]] = {}
        like = self.prefix + "%"
        for sobject, fld in TAGGED.items():
            found[sobject] = self._query_ids(soql(f"SELECT Id FROM {sobject} WHERE {fld} LIKE {{}}", like))
        cases = sorted(set(found.get(CASE.sobject, [])) | set(self.ledger.created.get(CASE.sobject, [])))
        tasks: list[str] = []
        for chunk in _chunks(cases, 200):
            tasks += self._query_ids(soql("SELECT Id FROM Task WHERE WhatId IN {}", chunk))
        found["Task"] = tasks
        return found

    def _delete(self, ids: list[str]) -> None:
        for chunk in _chunks(ids):
            with org_errors("deleting smoke records"):
                results = self.sf.restful("composite/sobjects", method="DELETE",
                                          params={"ids": ",".join(chunk), "allOrNone": "false"}) or []
            for record_id, res in zip(chunk, results):
                codes = [e.get("statusCode") for e in res.get("errors") or []]
                if res.get("success") or any(c in GONE for c in codes):
                    self.ledger.deleted.append(record_id)
                else:
                    self.ledger.errors.append(f"{record_id}: {_errors_text(res.get('errors'))}")

    def remove(self) -> Cleanup:
        """Delete everything this run created (ledger + tag sweep); fills the ledger's result."""
        ledger = self.ledger
        targets: dict[str, list[str]] = {k: list(dict.fromkeys(v)) for k, v in ledger.created.items()}
        sweep_error = None
        try:
            for sobject, ids in self._sweep().items():
                targets.setdefault(sobject, [])
                targets[sobject] += [i for i in ids if i not in targets[sobject]]
        except OrgError as exc:  # still delete what the ledger knows
            sweep_error = f"tag sweep failed: {exc.message}"
        order = list(DELETE_ORDER) + [k for k in targets if k not in DELETE_ORDER]
        for sobject in order:
            ids = [i for i in targets.get(sobject, []) if i not in ledger.deleted]
            if not ids:
                continue
            try:
                self._delete(ids)
            except OrgError as exc:
                ledger.errors.append(f"{sobject}: {exc.message}")
        if sweep_error:
            ledger.errors.append(sweep_error)
        done = set(ledger.deleted)
        left = {sobject: [i for i in ids if i not in done] for sobject, ids in targets.items()}
        ledger.left = self._still_there({k: v for k, v in left.items() if v})
        gone = set(ledger.deleted)
        ledger.errors = [e for e in ledger.errors if e.split(":", 1)[0] not in gone]  # moot once gone
        return ledger

    def _still_there(self, left: dict[str, list[str]]) -> list[str]:
        """Of the Ids a delete did not report, those the org still has (deleting a case also
        deletes its comments, emails and tasks, so a failed child delete may be moot)."""
        from slakit.org.soql import soql

        out: list[str] = []
        for sobject, ids in left.items():
            try:
                found = {i[:15] for chunk in _chunks(ids) for i in
                         self._query_ids(soql(f"SELECT Id FROM {sobject} WHERE Id IN {{}}", chunk))}
            except OrgError:
                found = {i[:15] for i in ids}
            out += [i for i in ids if i[:15] in found]
            self.ledger.deleted += [i for i in ids if i[:15] not in found]
        return out

    def keep(self) -> Cleanup:
        self.ledger.kept = True
        self.ledger.left = [i for ids in self.ledger.created.values() for i in ids]
        return self.ledger
