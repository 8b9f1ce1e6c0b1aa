"""Runs a parsed SOQL `Query` over the fake org's records and shapes rows as Salesforce does.

Rows carry `attributes` {type, url}; relationship paths become nested records (or None);
aggregate rows are `AggregateResult`s with grouped fields under their last name and unaliased
aggregates as `expr0`, `expr1`, ... Strings compare case-insensitively, Ids by their 15-char
form, dates and datetimes as dates/instants, date literals against the org's clock (UTC).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from tests.fakes.soql import DateLiteral, Query, Unsupported

if TYPE_CHECKING:  # pragma: no cover
    from tests.fakes.org import FakeOrg


class QueryError(Exception):
    """A query the org itself would refuse: (errorCode, message)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def parse_when(value: Any) -> Any:
    """A stored/literal date or datetime string -> date / aware datetime; anything else unchanged."""
    if isinstance(value, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})", value)
        if m:
            tz = m.group(2).replace("Z", "+00:00")
            if ":" not in tz:
                tz = tz[:3] + ":" + tz[3:]
            return dt.datetime.fromisoformat(m.group(1) + tz)
    return value


def _date_range(lit: DateLiteral, today: dt.date) -> tuple[dt.date, dt.date]:
    day = dt.timedelta(days=1)
    if lit.name == "TODAY":
        return today, today
    if lit.name == "YESTERDAY":
        return today - day, today - day
    if lit.name == "TOMORROW":
        return today + day, today + day
    if lit.name == "LAST_N_DAYS":
        return today - lit.n * day, today
    if lit.name == "NEXT_N_DAYS":
        return today, today + lit.n * day
    if lit.name == "N_DAYS_AGO":
        return today - lit.n * day, today - lit.n * day
    raise Unsupported(lit.name)


class Evaluator:
    def __init__(self, org: "FakeOrg"):
        self.org = org

    # -- field access ----------------------------------------------------------------------
    def field_type(self, sobject: str, name: str) -> tuple[str, str]:
        """(canonical name, type) or QueryError INVALID_FIELD."""
        fields = self.org.objects.get(sobject, {})
        for fname, ftype in fields.items():
            if fname.lower() == name.lower():
                return fname, ftype
        raise QueryError("INVALID_FIELD", f"No such column '{name}' on entity '{sobject}'. If you are attempting "
                         "to use a custom field, be sure to append the '__c' after the custom field name.")

    def relationship(self, sobject: str, rel: str) -> tuple[str, str]:
        """(relationship name as Salesforce spells it, id field) for `Account` / `Foo__r`."""
        id_name = rel[:-3] + "__c" if rel.lower().endswith("__r") else rel + "Id"
        canonical, ftype = self.field_type(sobject, id_name)
        if not ftype.startswith("reference"):
            raise QueryError("INVALID_FIELD", f"Didn't understand relationship '{rel}' in field path.")
        name = canonical[:-3] + "__r" if canonical.endswith("__c") else canonical[:-2]
        return name, canonical

    def split(self, sobject: str, path: str) -> list[str]:
        parts = path.split(".")
        if len(parts) > 1 and parts[0].lower() == sobject.lower():
            try:
                self.relationship(sobject, parts[0])
            except QueryError:
                parts = parts[1:]  # `Case.Subject` FROM Case
        return parts

    def get(self, sobject: str, rec: dict | None, path: str) -> tuple[Any, str]:
        """(value, type) of a field path on a record; None through a null lookup."""
        parts = self.split(sobject, path)
        for rel in parts[:-1]:
            _, id_field = self.relationship(sobject, rel)
            target_id = rec.get(id_field) if rec else None
            rec = self.org.get_record(target_id) if target_id else None
            sobject = self.org.object_for_id(target_id) if target_id else self._ref_target(sobject, id_field)
        name, ftype = self.field_type(sobject, parts[-1])
        if rec is None:
            return None, ftype
        return self.org.field_value(sobject, rec, name), ftype

    def _ref_target(self, sobject: str, id_field: str) -> str:
        refs = self.org.objects[sobject][id_field].partition(":")[2]
        return refs.split(",")[0] if refs else sobject

    # -- predicates ------------------------------------------------------------------------
    def matches(self, sobject: str, rec: dict, node) -> bool:
        op = node[0]
        if op == "and":
            return self.matches(sobject, rec, node[1]) and self.matches(sobject, rec, node[2])
        if op == "or":
            return self.matches(sobject, rec, node[1]) or self.matches(sobject, rec, node[2])
        if op == "not":
            return not self.matches(sobject, rec, node[1])
        value, ftype = self.get(sobject, rec, node[1])
        if op == "like":
            if value is None:
                return False
            pattern = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in node[2])
            return re.fullmatch(pattern, str(value), re.I | re.S) is not None
        if op == "in":
            values = node[2]
            if isinstance(values, Query):
                values = [self.get(values.sobject, r, values.fields[0].path)[0] for r in self.select(values)]
            return any(self.compare(value, ftype, "=", v) for v in values)
        return self.compare(value, ftype, node[2], node[3])

    def compare(self, value: Any, ftype: str, op: str, literal: Any) -> bool:
        if literal is None or value is None:
            if op == "=":
                return value is None and literal is None
            if op == "!=":
                return (value is None) != (literal is None)
            return False
        base = ftype.partition(":")[0]
        if isinstance(literal, DateLiteral):
            start, end = _date_range(literal, self.org.now().date())
            when = parse_when(value)
            day = when.astimezone(dt.timezone.utc).date() if isinstance(when, dt.datetime) else when
            return {"=": start <= day <= end, "!=": not start <= day <= end, "<": day < start,
                    "<=": day <= end, ">": day > end, ">=": day >= start}[op]
        if base in ("id", "reference") and isinstance(value, str) and isinstance(literal, str):
            left, right = value[:15], literal[:15]
        elif base in ("date", "datetime"):
            left, right = parse_when(value), parse_when(literal)
            if isinstance(left, dt.datetime) and isinstance(right, dt.date) and not isinstance(right, dt.datetime):
                left = left.astimezone(dt.timezone.utc).date()
        elif isinstance(value, str) and isinstance(literal, str):
            left, right = value.lower(), literal.lower()
        elif isinstance(value, bool) or isinstance(literal, bool):
            left, right = bool(value), literal
            if op not in ("=", "!="):
                return False
        else:
            try:
                left, right = float(value), float(literal)
            except (TypeError, ValueError):
                left, right = str(value).lower(), str(literal).lower()
        try:
            return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
                    ">": left > right, ">=": left >= right}[op]
        except TypeError:
            return False

    # -- select ----------------------------------------------------------------------------
    def select(self, q: Query) -> list[dict]:
        """Matching stored records (not shaped), ordered, offset and limited."""
        if q.sobject not in self.org.visible_objects():
            raise QueryError("INVALID_TYPE", f"sObject type '{q.sobject}' is not supported. If you are attempting "
                             "to use a custom object, be sure to append the '__c' after the entity name. Please "
                             "reference your WSDL or the describe call for the appropriate names.")
        for f in q.fields:  # validate paths even when no record matches
            if not f.agg or f.path != "Id":
                self.get(q.sobject, None, f.path)
        rows = [r for r in self.org.records.get(q.sobject, {}).values()
                if q.where is None or self.matches(q.sobject, r, q.where)]
        for path, desc, nulls_last in reversed(q.order_by):
            def key(r, path=path):
                v = parse_when(self.get(q.sobject, r, path)[0])
                return v.lower() if isinstance(v, str) else v
            present = [r for r in rows if self.get(q.sobject, r, path)[0] is not None]
            missing = [r for r in rows if self.get(q.sobject, r, path)[0] is None]
            present.sort(key=key, reverse=desc)
            rows = missing + present if not nulls_last else present + missing
        rows = rows[q.offset:]
        return rows[: q.limit] if q.limit is not None else rows

    def shape(self, sobject: str, rec: dict, paths: list[str]) -> dict:
        out: dict[str, Any] = {"attributes": self.org.attributes(sobject, rec["Id"])}
        for path in paths:
            parts = self.split(sobject, path)
            self._put(out, sobject, rec, parts)
        return out

    def _put(self, out: dict, sobject: str, rec: dict | None, parts: list[str]) -> None:
        if len(parts) == 1:
            name, _ = self.field_type(sobject, parts[0])
            out[name] = self.org.field_value(sobject, rec, name) if rec else None
            return
        rel_name, id_field = self.relationship(sobject, parts[0])
        target_id = rec.get(id_field) if rec else None
        if not target_id:
            out.setdefault(rel_name, None)
            return
        target_obj = self.org.object_for_id(target_id)
        target = self.org.get_record(target_id)
        child = out.get(rel_name) or {"attributes": self.org.attributes(target_obj, target_id)}
        out[rel_name] = child
        self._put(child, target_obj, target, parts[1:])

    def aggregate(self, q: Query, rows: list[dict]) -> list[dict]:
        groups: dict[tuple, list[dict]] = {}
        for r in rows:
            key = tuple(self._norm(self.get(q.sobject, r, g)[0]) for g in q.group_by)
            groups.setdefault(key, []).append(r)
        if not q.group_by and not groups:
            groups[()] = []
        out, expr = [], 0
        names = []
        for f in q.fields:
            if f.agg:
                names.append(f.alias or f"expr{expr}")
                expr += 0 if f.alias else 1
            else:
                names.append(f.alias or self.split(q.sobject, f.path)[-1])
        for members in groups.values():
            row: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
            for f, name in zip(q.fields, names):
                values = [self.get(q.sobject, r, f.path)[0] for r in members]
                if not f.agg:
                    row[name] = values[0] if values else None
                elif f.agg == "COUNT":
                    row[name] = sum(v is not None for v in values)
                elif f.agg == "COUNT_DISTINCT":
                    row[name] = len({self._norm(v) for v in values if v is not None})
                else:
                    present = [v for v in values if v is not None]
                    if not present:
                        row[name] = None
                    elif f.agg == "SUM":
                        row[name] = sum(present)
                    elif f.agg == "AVG":
                        row[name] = sum(present) / len(present)
                    else:
                        row[name] = (min if f.agg == "MIN" else max)(present)
            out.append(row)
        return out

    @staticmethod
    def _norm(v):
        return v.lower() if isinstance(v, str) else v
