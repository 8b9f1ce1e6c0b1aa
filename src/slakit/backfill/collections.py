"""sObject Collections writes (create, update, delete; up to 200 records a call, allOrNone false)
with the retry rules of `slakit.backfill.retry`.

- Per-record `UNABLE_TO_LOCK_ROW`: only those records are sent again after a back-off.
- Whole-call 5xx / timeout / dropped connection: the call is sent again after a back-off. For a
  create this is ambiguous (Salesforce may have saved the records before the answer was lost), so
  `reconcile(records)` is asked first which of them now exist; only the rest are sent again.
- `REQUEST_LIMIT_EXCEEDED` / expired session: `Stop` is raised, carrying the results so far in
  `stop.partial`, so the caller journals every Id created before stopping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from slakit.backfill.retry import RETRYABLE_RECORD_CODES, RetryPolicy, Stop, classify, error_code, stop_for

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

MAX_RECORDS = 200


@dataclass
class Result:
    """Outcome of one record, in input order."""

    id: str | None
    code: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is None


def _first_error(item: dict) -> tuple[str | None, str]:
    errors = item.get("errors") or []
    if not errors:
        return "UNKNOWN_ERROR", "Salesforce returned no error detail"
    e = errors[0]
    fields = e.get("fields") or []
    message = e.get("message") or ""
    if fields:
        message = f"{message} [{', '.join(fields)}]"
    return e.get("statusCode") or e.get("errorCode"), message


class CollectionWriter:
    """Writes through `sf.restful("composite/sobjects", ...)` (the real simple-salesforce client)."""

    def __init__(self, sf: Salesforce, policy: RetryPolicy | None = None):
        self.sf = sf
        self.policy = policy or RetryPolicy()

    def create(self, sobject: str, records: list[dict],
               reconcile: Callable[[list[dict]], dict[int, str]] | None = None) -> list[Result]:
        def send(batch: list[dict]):
            body = {"allOrNone": False, "records": [{"attributes": {"type": sobject}, **r} for r in batch]}
            return self.sf.restful("composite/sobjects", method="POST", json=body)
        return self._run(records, send, reconcile)

    def update(self, sobject: str, records: list[dict]) -> list[Result]:
        def send(batch: list[dict]):
            body = {"allOrNone": False, "records": [{"attributes": {"type": sobject}, **r} for r in batch]}
            return self.sf.restful("composite/sobjects", method="PATCH", json=body)
        return self._run(records, send, None)

    def delete(self, ids: list[str]) -> list[Result]:
        def send(batch: list[str]):
            params = {"ids": ",".join(batch), "allOrNone": "false"}
            return self.sf.restful("composite/sobjects", method="DELETE", params=params)
        return self._run(ids, send, None)

    def _run(self, items: list, send: Callable[[list], list], reconcile) -> list[Result]:
        if len(items) > MAX_RECORDS:
            raise ValueError(f"at most {MAX_RECORDS} records per collections call")
        results: list[Result | None] = [None] * len(items)
        pending = list(range(len(items)))
        attempt = 0
        while pending:
            attempt += 1
            batch = [items[i] for i in pending]
            try:
                answer = send(batch) or []
            except Exception as exc:  # noqa: BLE001 - classified
                kind = classify(exc)
                if kind == "stop":
                    stop = stop_for(exc)
                    stop.partial = _fill(results, pending, error_code(exc))
                    raise stop from None
                if kind != "retry":
                    raise
                if attempt >= self.policy.attempts:
                    code, message, _ = error_code(exc)
                    stop = Stop(f"Salesforce kept failing after {attempt} attempts ({code or 'error'}: "
                                f"{message}); re-run the same command to resume", code)
                    stop.partial = _fill(results, pending, (code, message, None))
                    raise stop from None
                self.policy.wait(attempt)
                if reconcile is not None:
                    found = reconcile(batch)
                    for j, rid in found.items():
                        results[pending[j]] = Result(rid)
                    pending = [i for j, i in enumerate(pending) if j not in found]
                continue
            retry_next = []
            for i, item in zip(pending, answer):
                if item.get("success"):
                    results[i] = Result(item.get("id") or (items[i] if isinstance(items[i], str) else None))
                    continue
                code, message = _first_error(item)
                if code in RETRYABLE_RECORD_CODES and attempt < self.policy.attempts:
                    retry_next.append(i)
                else:
                    results[i] = Result(items[i] if isinstance(items[i], str) else None, code, message)
            pending = retry_next
            if pending:
                self.policy.wait(attempt)
        return [r for r in results if r is not None]


def _fill(results: list, pending: list[int], err) -> list[Result]:
    """Results so far, records never answered marked with the stopping error (not journaled)."""
    code, message, _ = err
    out = list(results)
    for i in pending:
        out[i] = Result(None, "NOT_PROCESSED", f"not sent ({code or 'error'}: {message})")
    return [r for r in out if r is not None]
