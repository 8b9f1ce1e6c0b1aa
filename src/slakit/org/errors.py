"""Turns simple-salesforce exceptions (and Salesforce error bodies) into one-line `OrgError`s.

Salesforce answers whole-request errors with a JSON list of `{"message", "errorCode"}`;
simple-salesforce raises `SalesforceMalformedRequest` (400), `SalesforceExpiredSession` (401),
`SalesforceRefusedRequest` (403), `SalesforceResourceNotFound` (404) or `SalesforceGeneralError`
(other) with that list in `.content`. `org_errors()` is a context manager that does the mapping.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterator

from slakit.errors import OrgError

ENTITLEMENT_OBJECTS = ("Entitlement", "SlaProcess", "MilestoneType", "CaseMilestone", "EntitlementProcess",
                       "EntitlementTemplate", "EntitlementContact", "ServiceContract")

ENTITLEMENTS_OFF = (
    "Entitlement Management is not enabled in this org; "
    "deploy settings/Entitlement.settings or enable it in Setup"
)


def error_items(content: Any) -> list[dict]:
    """The `[{message, errorCode}]` list from an error body (tolerates dicts and strings)."""
    if isinstance(content, (bytes, str)):
        import json

        try:
            content = json.loads(content)
        except ValueError:
            return [{"message": str(content)[:300], "errorCode": None}]
    if isinstance(content, dict):
        content = [content]
    items = []
    for item in content or []:
        if isinstance(item, dict):
            items.append({"message": item.get("message", ""), "errorCode": item.get("errorCode")})
    return items


def is_entitlements_off(code: str | None, message: str) -> bool:
    """INVALID_TYPE (or 'Cannot use: X in this organization') on an entitlement object."""
    msg = message or ""
    if code in ("INVALID_TYPE", "NOT_FOUND", None) or "Cannot use" in msg:
        for name in ENTITLEMENT_OBJECTS:
            if re.search(rf"\b{name}\b", msg):
                return "not supported" in msg or "Cannot use" in msg or code == "INVALID_TYPE"
    return False


def sentence(code: str | None, message: str, *, status: int | None = None) -> tuple[str, str | None]:
    """(plain sentence, hint) for one Salesforce error."""
    if is_entitlements_off(code, message):
        return ENTITLEMENTS_OFF, None
    if code == "INVALID_SESSION_ID" or status == 401:
        return "the org session expired or is invalid", "reconnect the org (cci org connect) or refresh its credentials"
    if code == "REQUEST_LIMIT_EXCEEDED":
        return "the org's daily API request limit is exhausted", "wait for the 24-hour window to roll over, or raise the limit"
    if code == "INSUFFICIENT_ACCESS" or code == "INSUFFICIENT_ACCESS_OR_READONLY":
        return f"the connected user lacks permission: {message}", None
    if code == "UNABLE_TO_LOCK_ROW":
        return f"a record was locked by another process: {message}", "retry in a moment"
    if code == "INVALID_FIELD":
        return f"a field is missing or not visible in this org: {message}", None
    text = f"{code}: {message}" if code else message
    return f"Salesforce refused the request: {text}", None


def to_org_error(exc: Exception, *, action: str | None = None) -> OrgError:
    """An `OrgError` for a simple-salesforce exception (or any request failure)."""
    from simple_salesforce.exceptions import SalesforceError

    if isinstance(exc, OrgError):
        return exc
    prefix = f"{action}: " if action else ""
    if isinstance(exc, SalesforceError):
        items = error_items(exc.content) or [{"message": str(exc), "errorCode": None}]
        first = items[0]
        text, hint = sentence(first["errorCode"], first["message"], status=exc.status)
        err = OrgError(prefix + text, hint=hint)
        err.error_code = first["errorCode"]
        err.status = exc.status
        return err
    import requests

    if isinstance(exc, requests.RequestException):
        return unreachable(exc, action=action)
    return OrgError(prefix + f"{type(exc).__name__}: {exc}")


def unreachable(exc: Exception, *, org_name: str | None = None, action: str | None = None) -> OrgError:
    """One sentence for a request that never got an answer (refused, timed out, no such host, TLS,
    a malformed URL), naming the host and never urllib3's internals; the hint is about the address
    and the network, since credentials were never even looked at."""
    from urllib.parse import urlsplit

    import requests

    url = getattr(getattr(exc, "request", None), "url", None) or ""
    host = urlsplit(url).netloc if url else ""
    text = str(exc)
    if isinstance(exc, (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                        requests.exceptions.InvalidURL)):
        why = "its instance_url is not a URL"
    elif isinstance(exc, requests.exceptions.SSLError):
        why = "the TLS handshake failed (a proxy or an outdated CA bundle?)"
    elif isinstance(exc, requests.exceptions.Timeout):
        why = "it did not answer in time"
    elif "Connection refused" in text:
        why = "the connection was refused"
    elif "Name or service not known" in text or "NameResolution" in text or "getaddrinfo" in text \
            or "nodename nor servname" in text:
        why = "the host name does not resolve"
    else:
        why = "the connection failed"
    who = f"org '{org_name}'" if org_name else "the org"
    where = f" at {host}" if host else ""
    prefix = f"{action}: " if action else ""
    return OrgError(prefix + f"cannot reach {who}{where}: {why}",
                    hint="check the org's instance_url (cci org info, or CUMULUSCI_ORG_<NAME>) and the network or proxy")


@contextmanager
def org_errors(action: str | None = None) -> Iterator[None]:
    """Re-raise simple-salesforce / requests errors raised inside as one-line `OrgError`s."""
    import requests
    from simple_salesforce.exceptions import SalesforceError

    try:
        yield
    except (SalesforceError, requests.RequestException) as exc:
        raise to_org_error(exc, action=action) from None
