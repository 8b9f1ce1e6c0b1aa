"""HTTP side of the fake org: one `responses` callback dispatching REST calls to `FakeOrg`.

Bodies and status codes follow Salesforce's REST API: whole-request errors are a JSON list of
`{"message", "errorCode"}`; collections answer 200 with per-record `{"id", "success", "errors"}`.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

from tests.fakes.evaluate import QueryError
from tests.fakes.soql import Unsupported, parse

if TYPE_CHECKING:  # pragma: no cover
    from tests.fakes.org import FakeOrg

_cursor_ids = itertools.count(1)


def _err(status: int, code: str, message: str):
    return status, [{"message": message, "errorCode": code}]


def install(org: "FakeOrg", rsps) -> None:
    pattern = re.compile(re.escape(org.instance_url) + r"(/.*)?$")
    for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
        rsps.add_callback(method, pattern, callback=lambda req, org=org: dispatch(org, req))


def dispatch(org: "FakeOrg", request):
    url = urlparse(request.url)
    path, query = url.path, parse_qs(url.query)
    method = request.method.upper()
    kind, handler, match = _resolve(org, method, path)
    org.log(kind, method, path)
    org.api_used += 1
    headers = {"Sforce-Limit-Info": f"api-usage={org.api_used}/{org.api_limit}"}
    failure = _take_failure(org, kind)
    if failure is not None and not failure.per_record:
        status, body = _err(failure.status, failure.code, failure.message)
    elif handler is None:
        status, body = _err(404, "NOT_FOUND", "The requested resource does not exist")
    else:
        org._per_record_failure = failure
        status, body, *extra = handler(org, request, match, query)  # a route may add headers
        headers.update(extra[0] if extra else {})
        org._per_record_failure = None
    if isinstance(body, (bytes, str)):
        ctype = headers.pop("Content-Type", None) or "text/xml; charset=utf-8"
        headers["Content-Type"] = ctype
        return status, headers, body
    headers["Content-Type"] = "application/json;charset=UTF-8"
    return status, headers, "" if body is None else json.dumps(body)


def _take_failure(org: "FakeOrg", kind: str):
    for f in org.failures:
        if f.remaining > 0 and (f.kinds is None or kind in f.kinds):
            f.remaining -= 1
            return f
    return None


def _resolve(org: "FakeOrg", method: str, path: str):
    for m, regex, kind, fn in org.routes:
        match = regex.match(path)
        if m == method and match:
            return kind, (lambda o, req, mt, q, fn=fn: fn(o, req, mt)), match
    v = r"/services/data/v[\d.]+"
    table = [
        ("GET", r"/services/oauth2/userinfo/?$", "auth", _userinfo),
        ("POST", r"/services/oauth2/token/?$", "auth", _token),
        ("GET", r"/services/data/?$", "versions", _versions),
        ("GET", v + r"/(query|queryAll)/?$", "query", _query),
        ("GET", v + r"/(query|queryAll)/(?P<cursor>[\w-]+)$", "query", _query_more),
        ("GET", v + r"/sobjects/?$", "describe_global", _describe_global),
        ("GET", v + r"/sobjects/(?P<obj>\w+)/describe/?$", "describe", _describe),
        ("GET", v + r"/sobjects/(?P<obj>\w+)/(?P<id>\w{15,18})/?$", "sobject_get", _sobject_get),
        ("POST", v + r"/sobjects/(?P<obj>\w+)/?$", "sobject_create", _sobject_create),
        ("PATCH", v + r"/sobjects/(?P<obj>\w+)/(?P<id>\w{15,18})/?$", "sobject_update", _sobject_update),
        ("DELETE", v + r"/sobjects/(?P<obj>\w+)/(?P<id>\w{15,18})/?$", "sobject_delete", _sobject_delete),
        ("POST", v + r"/composite/sobjects/?$", "collection_create", _collection_write),
        ("PATCH", v + r"/composite/sobjects/?$", "collection_update", _collection_write),
        ("DELETE", v + r"/composite/sobjects/?$", "collection_delete", _collection_delete),
        ("GET", v + r"/limits/?$", "limits", _limits),
    ]
    for m, regex, kind, fn in table:
        match = re.match(regex, path)
        if m == method and match:
            return kind, fn, match
    kind = "soap" if "/services/Soap/" in path else "bulk" if "/jobs/" in path else "other"
    return kind, None, None


def _json(request):
    body = request.body
    if isinstance(body, bytes):
        body = body.decode()
    return json.loads(body) if body else {}


def _userinfo(org, request, match, query):
    return 200, {"sub": f"https://test.salesforce.com/id/{org.org_id}/{org.user_id}",
                 "user_id": org.user_id, "organization_id": org.org_id,
                 "preferred_username": "ci@example.com.uat", "email": "ci@example.com"}


def _token(org, request, match, query):
    """OAuth token endpoint (refresh_token and JWT bearer grants): issues `org.issued_token`."""
    from urllib.parse import parse_qs as _pq

    body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
    form = {k: v[0] for k, v in _pq(body).items()}
    org.token_requests.append(form)
    if org.reject_auth:
        return 400, {"error": "invalid_grant", "error_description": org.reject_auth}
    return 200, {"access_token": org.issued_token, "instance_url": org.instance_url,
                 "id": f"https://test.salesforce.com/id/{org.org_id}/{org.user_id}",
                 "token_type": "Bearer", "issued_at": "1772463600000", "signature": "c2lnbmF0dXJl",
                 "scope": "web full refresh_token"}


def _versions(org, request, match, query):
    return 200, [{"label": "Winter '25", "url": f"/services/data/v{org.version}", "version": org.version}]


def run_soql(org: "FakeOrg", soql: str) -> tuple[list[dict], int | None]:
    """(rows, totalSize override for COUNT()) or raises QueryError."""
    for pattern, answer in org.query_hooks:
        hit = pattern(soql) if callable(pattern) else re.search(pattern, soql, re.I | re.S)
        if hit:
            rows = answer(soql, org) if callable(answer) else answer
            return list(rows), None
    try:
        q = parse(soql)
    except Unsupported as exc:
        raise QueryError("MALFORMED_QUERY", f"fake org cannot evaluate this query ({exc}): {soql}") from None
    rows = org.evaluator.select(q)
    if q.count_only:
        return [], len(rows)
    if q.is_aggregate:
        return org.evaluator.aggregate(q, rows), None
    paths = [f.path for f in q.fields]
    return [org.evaluator.shape(q.sobject, r, paths) for r in rows], None


def _page(org, rows: list[dict], total: int):
    page, rest = rows[: org.page_size], rows[org.page_size:]
    body = {"totalSize": total, "done": not rest, "records": page}
    if rest:
        cursor = f"01g5g00000{next(_cursor_ids):05d}X-{total - len(rest)}"
        org.cursors[cursor] = rest
        body["nextRecordsUrl"] = f"/services/data/v{org.version}/query/{cursor}"
    return 200, body


def _query(org, request, match, query):
    soql = (query.get("q") or [""])[0]
    try:
        rows, count = run_soql(org, soql)
    except QueryError as exc:
        return _err(400, exc.code, exc.message)
    if count is not None:
        return 200, {"totalSize": count, "done": True, "records": []}
    return _page(org, rows, len(rows))


def _query_more(org, request, match, query):
    rest = org.cursors.pop(match.group("cursor"), None)
    if rest is None:
        return _err(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    total = int(match.group("cursor").rsplit("-", 1)[1]) + len(rest)
    return _page(org, rest, total)


def _describe_global(org, request, match, query):
    from tests.fakes.schema import describe_global

    return 200, describe_global(org.visible_objects(), org.version)


def _visible(org, obj):
    return obj in org.visible_objects()


def _describe(org, request, match, query):
    from tests.fakes.schema import describe

    obj = match.group("obj")
    if not _visible(org, obj):
        return _err(404, "NOT_FOUND", "The requested resource does not exist")
    return 200, describe(obj, org.objects[obj], org.instance_url, org.version)


def _sobject_get(org, request, match, query):
    obj, rec = match.group("obj"), org.get_record(match.group("id"))
    if not _visible(org, obj) or rec is None:
        return _err(404, "NOT_FOUND", "The requested resource does not exist")
    return 200, org.full_record(obj, rec)


def _sobject_create(org, request, match, query):
    obj, values = match.group("obj"), _json(request)
    if not _visible(org, obj):
        return _err(404, "NOT_FOUND", "The requested resource does not exist")
    errors = org.validate(obj, values, "insert")
    if errors:
        e = errors[0]
        return _err(400, e["statusCode"], e["message"])
    return 201, {"id": org.insert(obj, values), "success": True, "errors": []}


def _sobject_update(org, request, match, query):
    obj, rec = match.group("obj"), org.get_record(match.group("id"))
    if not _visible(org, obj) or rec is None:
        return _err(404, "NOT_FOUND", "The requested resource does not exist")
    values = _json(request)
    errors = org.validate(obj, values, "update")
    if errors:
        return _err(400, errors[0]["statusCode"], errors[0]["message"])
    org.update(obj, rec["Id"], values)
    return 204, None


def _sobject_delete(org, request, match, query):
    obj, rec = match.group("obj"), org.get_record(match.group("id"))
    if not _visible(org, obj) or rec is None:
        return _err(404, "ENTITY_IS_DELETED" if rec is None else "NOT_FOUND", "entity is deleted")
    org.delete(obj, rec["Id"])
    return 204, None


def _record_failure(org):
    f = getattr(org, "_per_record_failure", None)
    return None if f is None else {"statusCode": f.code, "message": f.message, "fields": []}


def _collection_write(org, request, match, query):
    body = _json(request)
    records = body.get("records", [])
    if len(records) > 200:
        return _err(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records "
                                              "into this call")
    op = "insert" if request.method.upper() == "POST" else "update"
    all_or_none = bool(body.get("allOrNone"))
    planned = []
    forced = _record_failure(org)
    for rec in records:
        obj = (rec.get("attributes") or {}).get("type")
        values = {k: v for k, v in rec.items() if k != "attributes"}
        if not obj or not _visible(org, obj):
            return _err(400, "INVALID_TYPE", f"sObject type '{obj}' is not supported.")
        errors = [forced] if forced else org.validate(obj, values, op)
        if op == "update" and not errors and org.get_record(values.get("Id")) is None:
            errors = [{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}]
        planned.append((obj, values, errors))
    if all_or_none and any(errs for _, _, errs in planned):
        rolled = {"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                  "message": "Record rolled back because not all records were valid and the request was "
                             "using AllOrNone header", "fields": []}
        return 200, [{"success": False, "errors": errs or [rolled]} for _, _, errs in planned]
    results = []
    for obj, values, errors in planned:
        if errors:
            results.append({"success": False, "errors": errors})
        elif op == "insert":
            results.append({"id": org.insert(obj, values), "success": True, "errors": []})
        else:
            org.update(obj, values["Id"], {k: v for k, v in values.items() if k != "Id"})
            results.append({"id": org.get_record(values["Id"])["Id"], "success": True, "errors": []})
    return 200, results


def _collection_delete(org, request, match, query):
    ids = ",".join(query.get("ids", [])).split(",") if query.get("ids") else []
    if len(ids) > 200:
        return _err(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records")
    forced = _record_failure(org)
    results = []
    for rid in ids:
        rec = org.get_record(rid)
        if forced:
            results.append({"id": rid, "success": False, "errors": [forced]})
        elif rec is None:
            results.append({"id": rid, "success": False, "errors": [
                {"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}]})
        else:
            org.delete(org.object_for_id(rec["Id"]), rec["Id"])
            results.append({"id": rec["Id"], "success": True, "errors": []})
    return 200, results


def _limits(org, request, match, query):
    return 200, {"DailyApiRequests": {"Max": org.api_limit, "Remaining": org.api_limit - org.api_used}}
