"""How a backfill reacts to Salesforce errors: retry (locks, 5xx, timeouts) with back-off, or
stop cleanly (daily limit, expired session) so a plain re-run resumes. Also counts API calls.

Classification of a whole-request failure (`classify`):
- "retry": HTTP 5xx, `UNABLE_TO_LOCK_ROW`, `requests` timeouts and dropped connections.
- "stop":  `REQUEST_LIMIT_EXCEEDED` (403), `INVALID_SESSION_ID` (401): nothing more can succeed now.
- "fatal": anything else (a malformed request is a slakit or org-setup bug: raise it).

Every HTTP call of a run carries a timeout (`request_timeout`: 30 s to connect, 300 s between
bytes): simple-salesforce and `requests` set none, so without it a stalled connection would hang
the run for ever instead of being retried.

Sleeps go through `RetryPolicy.sleep` (default: `time.sleep`, looked up at call time so tests may
patch `time.sleep` or pass their own).
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

RETRYABLE_RECORD_CODES = frozenset({"UNABLE_TO_LOCK_ROW"})
STOP_CODES = {
    "REQUEST_LIMIT_EXCEEDED": "the org's daily API request limit is exhausted",
    "INVALID_SESSION_ID": "the org session expired",
}


class Stop(Exception):
    """The run must end now; everything done so far is journaled. `reason` is one sentence."""

    def __init__(self, reason: str, code: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.partial: list = []  # per-record results of a batch cut short (collections.py)


def error_code(exc: BaseException) -> tuple[str | None, str, int | None]:
    """(errorCode, message, HTTP status) of a simple-salesforce or requests exception."""
    from simple_salesforce.exceptions import SalesforceError

    if isinstance(exc, SalesforceError):
        from slakit.org.errors import error_items

        items = error_items(exc.content) or [{"message": str(exc), "errorCode": None}]
        return items[0].get("errorCode"), items[0].get("message") or "", exc.status
    return None, f"{type(exc).__name__}: {exc}"[:300], None


def classify(exc: BaseException) -> str:
    """'retry', 'stop' or 'fatal' for an exception raised by a call to the org."""
    import requests
    from simple_salesforce.exceptions import SalesforceError

    if isinstance(exc, (requests.Timeout, requests.ConnectionError)):
        return "retry"
    if isinstance(exc, SalesforceError):
        code, _, status = error_code(exc)
        if code in STOP_CODES or status == 401:
            return "stop"
        if code in RETRYABLE_RECORD_CODES or (status is not None and status >= 500):
            return "retry"
    return "fatal"


def stop_for(exc: BaseException) -> Stop:
    code, message, status = error_code(exc)
    reason = STOP_CODES.get(code or "", None) or (
        "the org session expired" if status == 401 else message)
    hint = " (re-run the same command to resume)"
    return Stop(f"{reason}: {message}{hint}" if message and message not in reason else reason + hint, code)


@dataclass
class RetryPolicy:
    """Exponential back-off: `base`, `base*factor`, ... capped at `cap` seconds, `attempts` tries."""

    attempts: int = 5
    base: float = 1.0
    factor: float = 2.0
    cap: float = 60.0
    sleep: Callable[[float], None] | None = None

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return min(self.cap, self.base * self.factor ** (attempt - 1))

    def wait(self, attempt: int) -> None:
        (self.sleep or time.sleep)(self.delay(attempt))

    def call(self, fn: Callable[[], object], *, on_retry: Callable[[BaseException], None] | None = None):
        """Run `fn`; retry retryable failures; raise `Stop` for stop-class failures."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001 - classified below
                kind = classify(exc)
                if kind == "stop":
                    raise stop_for(exc) from None
                if kind != "retry":
                    raise
                if attempt >= self.attempts:
                    code, message, _ = error_code(exc)
                    raise Stop(f"Salesforce kept failing after {attempt} attempts ({code or 'error'}: "
                               f"{message}); re-run the same command to resume", code) from None
                if on_retry is not None:
                    on_retry(exc)
                self.wait(attempt)


def call_kind(method: str, url: str) -> str:
    """A short name for an API call, used in reports and the benchmark."""
    path = url.split("?", 1)[0]
    if "/jobs/ingest" in path:
        return "bulk"
    if "/composite/sobjects" in path:
        return {"POST": "collection_create", "PATCH": "collection_update",
                "DELETE": "collection_delete"}.get(method.upper(), "collection")
    if "/query" in path:
        return "query"
    if path.endswith("/describe") or path.endswith("/describe/"):
        return "describe"
    return "other"


@contextmanager
def counting_calls(sf: Salesforce) -> Iterator[Counter]:
    """Count the HTTP calls made through `sf.session` by kind while the block runs."""
    counter: Counter = Counter()

    def hook(response, *args, **kwargs):
        counter[call_kind(response.request.method or "GET", response.request.url or "")] += 1

    hooks = sf.session.hooks.setdefault("response", [])
    hooks.append(hook)
    try:
        yield counter
    finally:
        try:
            hooks.remove(hook)
        except ValueError:  # pragma: no cover
            pass


TIMEOUT = (30.0, 300.0)  # (connect, read) seconds: a query page or a 200-record write takes far less


@contextmanager
def request_timeout(sf: Salesforce, timeout: float | tuple[float, float] | None = TIMEOUT) -> Iterator[None]:
    """Give every request made through `sf.session` a timeout (unless the caller set one)."""
    session = sf.session
    if timeout is None or "request" in vars(session):
        yield
        return
    original = session.request

    def request(method, url, *args, **kwargs):
        if len(args) < 7 and kwargs.get("timeout") is None:  # positional: params .. auth, then timeout
            kwargs["timeout"] = timeout
        return original(method, url, *args, **kwargs)

    setattr(session, "request", request)  # an instance attribute over the method; removed after
    try:
        yield
    finally:
        del session.request
