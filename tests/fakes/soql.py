"""A small SOQL parser for the fake org: enough of the language for the queries slakit makes.

Supported: SELECT field list (relationship paths like `MilestoneType.Name`, `Case.Account.Name`),
`COUNT()`, aggregates `COUNT(f)`, `COUNT_DISTINCT`, `SUM`, `MIN`, `MAX`, `AVG` with aliases,
FROM, WHERE with `= != <> < > <= >=`, `IN`/`NOT IN` (value lists or a semi-join sub-select),
`LIKE`, AND/OR/NOT/parentheses, null, true/false, numbers, date/datetime literals and
TODAY/YESTERDAY/TOMORROW/LAST_N_DAYS:n/NEXT_N_DAYS:n, GROUP BY, ORDER BY (ASC/DESC, NULLS
FIRST/LAST), LIMIT, OFFSET. Anything else raises `Unsupported` (the fake then returns
MALFORMED_QUERY unless a test registered an answer with `FakeOrg.on_query`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class Unsupported(Exception):
    """A query outside the subset (the fake answers MALFORMED_QUERY or a registered hook)."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^'\\]|\\.)*')
    | (?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
    | (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op><=|>=|!=|<>|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z_][A-Za-z0-9_.]*(?::\d+)?)
    )""",
    re.X,
)

KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "GROUP", "BY", "ORDER",
            "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "NULL", "TRUE", "FALSE",
            "INCLUDES", "EXCLUDES", "HAVING", "USING", "WITH", "FOR", "TYPEOF"}
AGGREGATES = {"COUNT", "COUNT_DISTINCT", "SUM", "MIN", "MAX", "AVG"}


@dataclass
class Tok:
    kind: str  # str dt date num op punct word kw
    value: Any


@dataclass(frozen=True)
class DateLiteral:
    name: str  # TODAY, LAST_N_DAYS, ...
    n: int = 0


@dataclass
class Field:
    path: str  # "MilestoneType.Name"
    agg: str | None = None  # COUNT, SUM, ...
    alias: str | None = None


@dataclass
class Query:
    fields: list[Field]
    sobject: str
    where: Any = None  # expression tree (tuples)
    group_by: list[str] = field(default_factory=list)
    order_by: list[tuple[str, bool, bool]] = field(default_factory=list)  # path, desc, nulls_last
    limit: int | None = None
    offset: int = 0
    count_only: bool = False

    @property
    def is_aggregate(self) -> bool:
        return bool(self.group_by) or any(f.agg for f in self.fields)


def tokenize(text: str) -> list[Tok]:
    toks, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"cannot read SOQL near {text[pos:pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup
        val = m.group(kind)
        if kind == "str":
            val = re.sub(r"\\(.)", lambda mm: {"n": "\n", "t": "\t"}.get(mm.group(1), mm.group(1)), val[1:-1])
        elif kind == "num":
            val = float(val) if "." in val else int(val)
        elif kind == "word" and val.upper() in KEYWORDS:
            kind, val = "kw", val.upper()
        toks.append(Tok(kind, val))
    return toks


class Parser:
    def __init__(self, text: str):
        self.toks = tokenize(text)
        self.i = 0

    def peek(self, offset: int = 0) -> Tok | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> Tok:
        tok = self.peek()
        if tok is None:
            raise Unsupported("unexpected end of query")
        self.i += 1
        return tok

    def accept(self, kind: str, value: Any = None) -> Tok | None:
        tok = self.peek()
        if tok and tok.kind == kind and (value is None or tok.value == value):
            self.i += 1
            return tok
        return None

    def expect(self, kind: str, value: Any = None) -> Tok:
        tok = self.accept(kind, value)
        if not tok:
            raise Unsupported(f"expected {value or kind}, got {self.peek()}")
        return tok

    # -- grammar ---------------------------------------------------------------------------
    def query(self, *, nested: bool = False) -> Query:
        self.expect("kw", "SELECT")
        fields, count_only = self.field_list()
        self.expect("kw", "FROM")
        # `FROM Group` is valid SOQL: the object name may be a keyword's spelling
        obj = self.accept("kw", "GROUP")
        q = Query(fields, "Group" if obj else self.expect("word").value, count_only=count_only)
        if self.accept("kw", "WHERE"):
            q.where = self.or_expr()
        if self.accept("kw", "GROUP"):
            self.expect("kw", "BY")
            q.group_by.append(self.expect("word").value)
            while self.accept("punct", ","):
                q.group_by.append(self.expect("word").value)
        if self.accept("kw", "ORDER"):
            self.expect("kw", "BY")
            while True:
                path = self.expect("word").value
                desc = bool(self.accept("kw", "DESC"))
                if not desc:
                    self.accept("kw", "ASC")
                nulls_last = desc
                if self.accept("kw", "NULLS"):
                    nulls_last = bool(self.accept("kw", "LAST")) or not self.expect("kw", "FIRST")
                q.order_by.append((path, desc, nulls_last))
                if not self.accept("punct", ","):
                    break
        if self.accept("kw", "LIMIT"):
            q.limit = int(self.expect("num").value)
        if self.accept("kw", "OFFSET"):
            q.offset = int(self.expect("num").value)
        if not nested and self.peek() is not None:
            raise Unsupported(f"unsupported SOQL clause at {self.peek().value!r}")
        return q

    def field_list(self) -> tuple[list[Field], bool]:
        fields: list[Field] = []
        while True:
            tok = self.take()
            if tok.kind == "punct" and tok.value == "(":
                raise Unsupported("child relationship sub-queries are not supported")
            if tok.kind != "word":
                raise Unsupported(f"unexpected {tok.value!r} in field list")
            if tok.value.upper() in AGGREGATES and self.accept("punct", "("):
                if self.accept("punct", ")"):
                    if tok.value.upper() != "COUNT":
                        raise Unsupported("empty aggregate")
                    return [Field("Id", "COUNT()")], True
                path = self.expect("word").value
                self.expect("punct", ")")
                alias = None
                nxt = self.peek()
                if nxt and nxt.kind == "word":
                    alias = self.take().value
                fields.append(Field(path, tok.value.upper(), alias))
            else:
                fields.append(Field(tok.value))
            if not self.accept("punct", ","):
                return fields, False

    def or_expr(self):
        node = self.and_expr()
        while self.accept("kw", "OR"):
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self):
        node = self.not_expr()
        while self.accept("kw", "AND"):
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self):
        if self.accept("kw", "NOT"):
            return ("not", self.not_expr())
        if self.accept("punct", "("):
            node = self.or_expr()
            self.expect("punct", ")")
            return node
        return self.comparison()

    def comparison(self):
        path = self.expect("word").value
        if self.accept("kw", "NOT"):
            self.expect("kw", "IN")
            return ("not", ("in", path, self.in_values()))
        if self.accept("kw", "IN"):
            return ("in", path, self.in_values())
        if self.accept("kw", "LIKE"):
            return ("like", path, self.expect("str").value)
        if self.peek() and self.peek().kind == "kw" and self.peek().value in ("INCLUDES", "EXCLUDES"):
            raise Unsupported("INCLUDES/EXCLUDES are not supported")
        op = self.expect("op").value
        return ("cmp", path, "!=" if op == "<>" else op, self.value())

    def in_values(self):
        self.expect("punct", "(")
        if self.peek() and self.peek().kind == "kw" and self.peek().value == "SELECT":
            sub = self.query(nested=True)
            self.expect("punct", ")")
            return sub
        values = [self.value()]
        while self.accept("punct", ","):
            values.append(self.value())
        self.expect("punct", ")")
        return values

    def value(self):
        tok = self.take()
        if tok.kind in ("str", "num", "date", "dt"):
            return tok.value
        if tok.kind == "kw" and tok.value in ("NULL", "TRUE", "FALSE"):
            return {"NULL": None, "TRUE": True, "FALSE": False}[tok.value]
        if tok.kind == "word":
            name, _, n = tok.value.upper().partition(":")
            if name in ("TODAY", "YESTERDAY", "TOMORROW", "LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"):
                return DateLiteral(name, int(n or 0))
        raise Unsupported(f"unsupported value {tok.value!r}")


def parse(text: str) -> Query:
    return Parser(text).query()
