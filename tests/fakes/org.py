"""A stateful in-memory Salesforce org for tests, answered at the HTTP layer with `responses`.

    org = FakeOrg()                      # sandbox, Entitlement Management on, API 62.0
    org.install(rsps)                    # rsps: an active responses.RequestsMock
    acct = org.insert("Account", {"Name": "Acme", "Support_Tier__c": "Gold"})  # after add_field
    sf = org.client()                    # simple_salesforce.Salesforce wired to it

State: `org.records[sobject][id18] = {field: value}`; `org.objects[sobject] = {field: type}`
(tests/fakes/schema.py; `define()`, `add_field()`). Ids are 18-char with real key prefixes
(tests/fakes/ids.py). Every record read carries `attributes` {type, url}.

REST answered (tests/fakes/rest.py): query / queryAll with nextRecordsUrl paging (`page_size`,
default 2000), sobjects GET/POST/PATCH/DELETE, describe and describeGlobal, composite/sobjects
collections (POST, PATCH, DELETE ?ids=) with per-record errors inside HTTP 200, limits, the
OAuth userinfo and `/services/data` version list CumulusCI reads. Every response carries
`Sforce-Limit-Info: api-usage=N/limit`.

Knobs and hooks for tests (and for other engineers extending the fake):
- `entitlements=False`: Entitlement, SlaProcess, MilestoneType, CaseMilestone vanish from
  describeGlobal, and queries on them fail with INVALID_TYPE as in a real org.
- `sandbox=False`: Organization.IsSandbox false (production).
- `clock`: a callable returning an aware UTC datetime; `org.advance(minutes=...)` moves it.
- `on_query(pattern, answer)`: answer SOQL the evaluator does not support (regex or callable
  match; answer = list of records, or a callable(soql, org) returning them).
- `computed[(sobject, field)] = fn(org, record)`: read-time fields (Entitlement.Status and
  CaseMilestone.IsViolated are defaults). `triggers[sobject]`: fn(org, record, op) after a
  write (op "insert"/"update"/"delete"), e.g. to create CaseMilestones on Case insert.
- `validators[sobject]`: fn(org, record, op) -> list of {statusCode, message, fields} errors.
- `fail_next(n, code=..., status=..., kinds=..., per_record=False)`: the next n matching calls fail
  (UNABLE_TO_LOCK_ROW, REQUEST_LIMIT_EXCEEDED 403, INVALID_SESSION_ID 401, 500 SERVER_ERROR).
- `route(method, regex, kind)`: add an HTTP handler `fn(org, request, match) -> (status, body)`
  (Bulk API 2.0 ingest or SOAP belong here; see tests/fakes/metadata.py for the Metadata API).
- `calls`: a log of `Call(kind, method, path)`; `count(kind)` / `counts()` for assertions and
  benchmarks. Kinds: auth, versions, query, describe, describe_global, sobject_get,
  sobject_create, sobject_update, sobject_delete, collection_create, collection_update,
  collection_delete, limits, soap, bulk, other.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from tests.fakes import schema
from tests.fakes.evaluate import Evaluator, parse_when
from tests.fakes.ids import IdFactory, KEY_PREFIXES, prefix_of

INSTANCE_URL = "https://fake.my.salesforce.com"
SESSION_ID = "00D5g0000000001!fake.session.token"
DEFAULT_NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.timezone.utc)  # a Monday


@dataclass
class Call:
    kind: str
    method: str
    path: str


@dataclass
class Failure:
    remaining: int
    code: str
    status: int
    message: str
    kinds: tuple[str, ...] | None
    per_record: bool


def sf_datetime(when: dt.datetime) -> str:
    """Salesforce's datetime text: 2026-03-02T15:00:00.000+0000."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class FakeOrg:
    def __init__(self, *, instance_url: str = INSTANCE_URL, version: str = "62.0", sandbox: bool = True,
                 entitlements: bool = True, page_size: int = 2000, api_limit: int = 5_000_000,
                 clock: Callable[[], dt.datetime] | None = None, org_name: str = "Fake Org"):
        self.instance_url = instance_url.rstrip("/")
        self.version = version
        self.entitlements = entitlements
        self.page_size = page_size
        self.api_limit = api_limit
        self.api_used = 0
        self._now = DEFAULT_NOW
        self.clock = clock or (lambda: self._now)
        self.ids = IdFactory()
        self.objects = schema.default_objects()
        self.records: dict[str, dict[str, dict]] = {name: {} for name in self.objects}
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.query_hooks: list[tuple[Any, Any]] = []
        self.computed: dict[tuple[str, str], Callable] = {
            ("Entitlement", "Status"): _entitlement_status,
            ("CaseMilestone", "IsViolated"): _milestone_violated,
            ("CaseMilestone", "IsCompleted"): lambda org, r: r.get("CompletionDate") is not None,
        }
        self.triggers: dict[str, list[Callable]] = {}
        self.validators: dict[str, list[Callable]] = {"Entitlement": [_require("Name", "AccountId")]}
        self.routes: list[tuple[str, Any, str, Callable]] = []
        self.cursors: dict[str, list[dict]] = {}
        self.issued_token = SESSION_ID.replace("fake", "refreshed")  # what /services/oauth2/token hands out
        self.token_requests: list[dict] = []  # form bodies posted to the token endpoint
        self.reject_auth: str | None = None  # set to an error_description to fail token requests
        self.org_id = self.insert("Organization", {"Name": org_name, "IsSandbox": sandbox,
                                                   "OrganizationType": "Developer Edition" if sandbox
                                                   else "Enterprise Edition", "InstanceName": "CS42"})
        self.user_id = self.insert("User", {"Name": "Integration User", "Username": "ci@example.com.uat",
                                            "IsActive": True})
        self.evaluator = Evaluator(self)

    # -- clock -----------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return self.clock()

    def set_now(self, when: dt.datetime) -> None:
        self._now = when

    def advance(self, **delta) -> None:
        self._now = self._now + dt.timedelta(**delta)

    # -- schema ----------------------------------------------------------------------------
    def define(self, sobject: str, fields: dict[str, str], prefix: str | None = None) -> None:
        if prefix:
            KEY_PREFIXES[sobject] = prefix
        self.objects[sobject] = {**schema.SYSTEM, **fields}
        self.records.setdefault(sobject, {})

    def add_field(self, sobject: str, name: str, ftype: str = "string") -> None:
        self.objects[sobject][name] = ftype

    def visible_objects(self) -> list[str]:
        hidden = set() if self.entitlements else schema.ENTITLEMENT_OBJECTS
        return [n for n in self.objects if n not in hidden]

    def canonical(self, sobject: str, name: str) -> str | None:
        for fname in self.objects.get(sobject, {}):
            if fname.lower() == name.lower():
                return fname
        return None

    # -- records ---------------------------------------------------------------------------
    def object_for_id(self, record_id: str) -> str:
        for name in self.records:
            if prefix_of(name) == record_id[:3]:
                return name
        raise KeyError(record_id)

    def get_record(self, record_id: str | None) -> dict | None:
        if not record_id:
            return None
        try:
            sobject = self.object_for_id(record_id)
        except KeyError:
            return None
        table = self.records.get(sobject, {})
        if len(record_id) == 18:
            return table.get(record_id)
        return next((r for k, r in table.items() if k[:15] == record_id), None)

    def field_value(self, sobject: str, rec: dict, name: str) -> Any:
        fn = self.computed.get((sobject, name))
        return fn(self, rec) if fn else rec.get(name)

    def attributes(self, sobject: str, record_id: str) -> dict:
        return {"type": sobject, "url": f"/services/data/v{self.version}/sobjects/{sobject}/{record_id}"}

    def full_record(self, sobject: str, rec: dict) -> dict:
        out = {"attributes": self.attributes(sobject, rec["Id"])}
        for name in self.objects[sobject]:
            out[name] = self.field_value(sobject, rec, name)
        return out

    def insert(self, sobject: str, values: dict | None = None, **kw) -> str:
        """Store a record directly (test setup; no call logged, no validation). Returns its Id."""
        now = sf_datetime(self.now())
        rec = {"Id": self.ids.new(sobject), "CreatedDate": now, "LastModifiedDate": now,
               "SystemModstamp": now, "IsDeleted": False}
        for key, value in {**(values or {}), **kw}.items():
            rec[self.canonical(sobject, key) or key] = value
        if sobject == "Case":
            rec.setdefault("CaseNumber", f"{len(self.records['Case']) + 1:08d}")
            rec.setdefault("IsClosed", rec.get("Status") == "Closed")
        self.records.setdefault(sobject, {})[rec["Id"]] = rec
        for trig in self.triggers.get(sobject, []):
            trig(self, rec, "insert")
        return rec["Id"]

    def update(self, sobject: str, record_id: str, values: dict) -> None:
        rec = self.get_record(record_id)
        for key, value in values.items():
            rec[self.canonical(sobject, key) or key] = value
        rec["LastModifiedDate"] = rec["SystemModstamp"] = sf_datetime(self.now())
        if sobject == "Case" and "Status" in values:
            rec["IsClosed"] = values["Status"] == "Closed"
        for trig in self.triggers.get(sobject, []):
            trig(self, rec, "update")

    def delete(self, sobject: str, record_id: str) -> None:
        rec = self.get_record(record_id)
        del self.records[sobject][rec["Id"]]
        for trig in self.triggers.get(sobject, []):
            trig(self, rec, "delete")

    def find(self, sobject: str, **where) -> list[dict]:
        """Stored records whose fields equal the given values (test assertions)."""
        return [r for r in self.records.get(sobject, {}).values()
                if all(self.field_value(sobject, r, k) == v for k, v in where.items())]

    def validate(self, sobject: str, rec: dict, op: str) -> list[dict]:
        errors = []
        for key in rec:
            if key in ("Id", "attributes"):
                continue
            name = self.canonical(sobject, key)
            if name is None:
                errors.append({"statusCode": "INVALID_FIELD",
                               "message": f"No such column '{key}' on sobject of type {sobject}", "fields": []})
            elif (sobject, name) in schema.READ_ONLY or name in schema.SYSTEM:
                errors.append({"statusCode": "INVALID_FIELD_FOR_INSERT_UPDATE",
                               "message": f"Unable to create/update fields: {name}. Please check the security "
                                          "settings of this field and verify that it is read/write for your "
                                          "profile or permission set.", "fields": [name]})
        for check in self.validators.get(sobject, []):
            errors.extend(check(self, rec, op) or [])
        return errors

    # -- hooks -----------------------------------------------------------------------------
    def on_query(self, pattern, answer) -> None:
        self.query_hooks.append((pattern, answer))

    def on_write(self, sobject: str, fn: Callable) -> None:
        self.triggers.setdefault(sobject, []).append(fn)

    def route(self, method: str, regex: str, kind: str = "other"):
        import re

        def deco(fn):
            self.routes.append((method.upper(), re.compile(regex), kind, fn))
            return fn
        return deco

    def fail_next(self, n: int = 1, code: str = "UNABLE_TO_LOCK_ROW", *, status: int | None = None,
                  message: str | None = None, kinds: tuple[str, ...] | None = None, per_record: bool = False):
        defaults = {"UNABLE_TO_LOCK_ROW": (400, "unable to obtain exclusive access to this record"),
                    "REQUEST_LIMIT_EXCEEDED": (403, "TotalRequests Limit exceeded."),
                    "INVALID_SESSION_ID": (401, "Session expired or invalid"),
                    "SERVER_ERROR": (500, "An unexpected error occurred. Please include this ErrorId if "
                                          "you contact support: 1234567890-12345 (-123456789)")}
        d_status, d_message = defaults.get(code, (400, code))
        self.failures.append(Failure(n, code, status or d_status, message or d_message,
                                     tuple(kinds) if kinds else None, per_record))

    # -- call log --------------------------------------------------------------------------
    def log(self, kind: str, method: str, path: str) -> None:
        self.calls.append(Call(kind, method, path))

    def count(self, kind: str) -> int:
        return sum(1 for c in self.calls if c.kind == kind)

    def counts(self) -> Counter:
        return Counter(c.kind for c in self.calls)

    # -- wiring ----------------------------------------------------------------------------
    def install(self, rsps) -> "FakeOrg":
        from tests.fakes.rest import install

        install(self, rsps)
        return self

    def client(self, version: str | None = None):
        from simple_salesforce import Salesforce

        return Salesforce(instance_url=self.instance_url, session_id=SESSION_ID, version=version or self.version)


def _entitlement_status(org: FakeOrg, rec: dict) -> str:
    today = org.now().date()
    start = parse_when(rec.get("StartDate"))
    end = parse_when(rec.get("EndDate"))
    if start and start > today:
        return "Inactive"
    if end and end < today:
        return "Expired"
    return "Active"


def _milestone_violated(org: FakeOrg, rec: dict) -> bool:
    target = parse_when(rec.get("TargetDate"))
    if target is None:
        return False
    done = parse_when(rec.get("CompletionDate"))
    return done > target if done else org.now() > target


def _require(*names: str):
    def check(org: FakeOrg, rec: dict, op: str) -> list[dict]:
        if op != "insert":
            return []
        missing = [n for n in names if rec.get(n) in (None, "")]
        if not missing:
            return []
        return [{"statusCode": "REQUIRED_FIELD_MISSING",
                 "message": f"Required fields are missing: [{', '.join(missing)}]", "fields": missing}]
    return check
