"""`entitlement.accounts`: a SOQL condition on Account, parsed so it can never widen the query.

Backfill pastes the clause into `SELECT ... FROM Account WHERE (<clause>) AND (NOT (<earlier tier>))`.
A clause such as `Support_Tier__c = 'Gold') OR (Name != null` would close the parenthesis slakit
opened and match every account, so the clause must be one complete condition: this module accepts
the SOQL condition grammar below and refuses anything else (a `;`, a `LIMIT`, an unbalanced quote,
a sub-query, a function) with the character where it stops.

    condition  := term (AND term)* | term (OR term)*     mixing AND and OR needs parentheses
    term       := NOT term | "(" condition ")" | field comparison
    comparison := (= | != | < | <= | > | >= | LIKE) value
                | [NOT] IN "(" value ("," value)* ")" | (INCLUDES | EXCLUDES) "(" value ("," value)* ")"
    field      := name ("." name)*                       Name, Support_Tier__c, Owner.Name, Parent__r.X__c
    value      := 'string' (escapes \\' \\" \\\\ \\n \\r \\t \\b \\f \\_ \\%) | number | true | false | null
                | 2026-03-02 | 2026-03-02T10:00:00Z | TODAY, LAST_N_DAYS:30, ... (date literals)

Sources (SOQL and SOSL Reference): "Logical Operators" (parentheses are required whenever you mix
the operators; `NOT fieldExpression`), "WHERE" (comparison operators, date and dateTime formats;
strings in a WHERE clause can't exceed 4,000 characters), "Quoted String Escape Sequences",
"Date Formats and Date Literals".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FILTER_CHARS = 4000  # "Strings in WHERE clauses can't exceed 4,000 characters"
MAX_FILTER_DEPTH = 20  # parentheses and NOTs inside each other

_DATE_WORDS = (
    'YESTERDAY', 'TODAY', 'TOMORROW', 'LAST_WEEK', 'THIS_WEEK', 'NEXT_WEEK', 'LAST_MONTH', 'THIS_MONTH',
    'NEXT_MONTH', 'LAST_90_DAYS', 'NEXT_90_DAYS', 'THIS_QUARTER', 'LAST_QUARTER', 'NEXT_QUARTER', 'THIS_YEAR',
    'LAST_YEAR', 'NEXT_YEAR', 'THIS_FISCAL_QUARTER', 'LAST_FISCAL_QUARTER', 'NEXT_FISCAL_QUARTER',
    'THIS_FISCAL_YEAR', 'LAST_FISCAL_YEAR', 'NEXT_FISCAL_YEAR',
)  # fmt: skip
_DATE_N = (
    'LAST_N_DAYS', 'NEXT_N_DAYS', 'N_DAYS_AGO', 'NEXT_N_WEEKS', 'LAST_N_WEEKS', 'N_WEEKS_AGO',
    'NEXT_N_MONTHS', 'LAST_N_MONTHS', 'N_MONTHS_AGO', 'NEXT_N_QUARTERS', 'LAST_N_QUARTERS', 'N_QUARTERS_AGO',
    'NEXT_N_YEARS', 'LAST_N_YEARS', 'N_YEARS_AGO', 'NEXT_N_FISCAL_QUARTERS', 'LAST_N_FISCAL_QUARTERS',
    'N_FISCAL_QUARTERS_AGO', 'NEXT_N_FISCAL_YEARS', 'LAST_N_FISCAL_YEARS', 'N_FISCAL_YEARS_AGO',
)  # fmt: skip
_KEYWORDS = {"AND", "OR", "NOT", "IN", "LIKE", "INCLUDES", "EXCLUDES", "TRUE", "FALSE", "NULL"}
_CLAUSES = {"LIMIT", "ORDER", "GROUP", "HAVING", "OFFSET", "SELECT", "FROM", "WHERE", "WITH", "FOR", "USING"}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w:]))
  | (?P<number>[+-]?\d+(?:\.\d+)?(?![\w.]))
  | (?P<dateN>[A-Za-z_]+:\d+)
  | (?P<name>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)
  | (?P<op><=|>=|!=|=|<|>)
  | (?P<punct>[(),])
""", re.VERBOSE)
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = set("'\"\\nNrRtTbBfF_%")


class FilterError(ValueError):
    """The clause is not one SOQL condition; `pos` is the 0-based character where it goes wrong."""

    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.pos = pos


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int

    @property
    def word(self) -> str:
        return self.text.upper() if self.kind == "name" else ""


def tokens(text: str) -> list[Token]:
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            if ch in "'\"":
                what = "a quote that is never closed" if ch == "'" else "a double quote (SOQL strings use ')"
            elif ch == ";":
                what = "';': a filter is one condition, not a statement"
            else:
                what = f"'{ch}', which has no place in a SOQL condition"
            raise FilterError(what, pos)
        kind = m.lastgroup or ""
        if kind == "string":
            for esc in _ESCAPE.finditer(m.group()):
                if esc.group(1) not in _ESCAPES:
                    raise FilterError(f"'\\{esc.group(1)}' is not a SOQL escape (use \\' \\\\ \\n \\t ...)",
                                      pos + esc.start())
        if kind != "space":
            out.append(Token(kind, m.group(), pos))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = tokens(text)
        self.i = 0
        self.fields: list[tuple[str, int]] = []

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise FilterError("the condition ends too early", len(self.text))
        self.i += 1
        return tok

    def expect(self, text: str, what: str) -> Token:
        tok = self.peek()
        if tok is None or tok.text != text:
            raise self.unexpected(tok, what)
        return self.take()

    def unexpected(self, tok: Token | None, wanted: str) -> FilterError:
        if tok is None:
            return FilterError(f"the condition ends where {wanted} should follow", len(self.text))
        if tok.word in _CLAUSES:
            return FilterError(f"'{tok.text}' starts another SOQL clause: a filter is a condition only", tok.pos)
        return FilterError(f"'{tok.text}' where {wanted} should be", tok.pos)

    def parse(self) -> list[tuple[str, int]]:
        self.condition(0)
        tok = self.peek()
        if tok is not None:
            if tok.text == ")":
                raise FilterError("')' closes a parenthesis the filter never opened (once wrapped in "
                                  "parentheses it would widen the query)", tok.pos)
            raise self.unexpected(tok, "AND, OR or the end")
        return self.fields

    def condition(self, depth: int) -> None:
        if depth > MAX_FILTER_DEPTH:
            tok = self.peek()
            raise FilterError(f"more than {MAX_FILTER_DEPTH} parentheses or NOTs inside each other",
                              tok.pos if tok else len(self.text))
        self.term(depth)
        joiner = None
        while (tok := self.peek()) is not None and tok.word in ("AND", "OR"):
            if joiner is not None and tok.word != joiner:
                raise FilterError(f"'{tok.text}' mixes AND and OR without parentheses (SOQL requires them)",
                                  tok.pos)
            joiner = tok.word
            self.take()
            self.term(depth)

    def term(self, depth: int) -> None:
        tok = self.peek()
        if tok is None:
            raise self.unexpected(None, "a condition")
        if tok.word == "NOT":
            self.take()
            if depth + 1 > MAX_FILTER_DEPTH:
                raise FilterError(f"more than {MAX_FILTER_DEPTH} parentheses or NOTs inside each other", tok.pos)
            self.term(depth + 1)
            return
        if tok.text == "(":
            self.take()
            self.condition(depth + 1)
            self.expect(")", "')'")
            return
        if tok.kind != "name" or tok.word in _KEYWORDS or tok.word in _CLAUSES:
            raise self.unexpected(tok, "a field name")
        self.take()
        self.fields.append((tok.text, tok.pos))
        self.comparison()

    def comparison(self) -> None:
        tok = self.take() if self.peek() else None
        if tok is not None and tok.text == "(":
            raise FilterError(f"'{self.toks[self.i - 2].text}(' is a function: a filter compares fields only",
                              tok.pos)
        if tok is not None and (tok.kind == "op" or tok.word == "LIKE"):
            self.value()
            return
        if tok is not None and tok.word == "NOT":
            tok = self.take() if self.peek() else None
            if tok is None or tok.word != "IN":
                raise self.unexpected(tok, "IN (after NOT)")
        if tok is not None and tok.word in ("IN", "INCLUDES", "EXCLUDES"):
            self.expect("(", f"'(' after {tok.word}")
            nxt = self.peek()
            if nxt is not None and nxt.word == "SELECT":
                raise FilterError("a sub-query is not supported in entitlement.accounts: list the values", nxt.pos)
            self.value()
            while (nxt := self.peek()) is not None and nxt.text == ",":
                self.take()
                self.value()
            self.expect(")", "',' or ')'")
            return
        raise self.unexpected(tok, "a comparison (= != < <= > >= LIKE IN NOT IN INCLUDES EXCLUDES)")

    def value(self) -> None:
        tok = self.take() if self.peek() else None
        if tok is None:
            raise self.unexpected(None, "a value")
        if tok.kind in ("string", "number", "date", "datetime"):
            return
        if tok.kind == "dateN" and tok.text.split(":", 1)[0].upper() in _DATE_N:
            return
        if tok.kind == "name" and (tok.word in ("TRUE", "FALSE", "NULL") or tok.word in _DATE_WORDS):
            return
        raise FilterError(f"'{tok.text}' is not a value (a 'quoted string', number, true, false, null, "
                          "date or date literal such as LAST_N_DAYS:30)", tok.pos)


def parse(text: str) -> list[tuple[str, int]]:
    """The fields a condition reads, with their positions; FilterError when it is not one condition."""
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError(f"the filter is longer than {MAX_FILTER_CHARS:,} characters (SOQL's limit)", MAX_FILTER_CHARS)
    if not text.strip():
        raise FilterError("the filter is empty: leave entitlement.accounts out instead", 0)
    return _Parser(text).parse()


def check(text: str) -> str:
    """`text` if it is one SOQL condition; else ValueError with a sentence naming the character."""
    try:
        parse(text)
    except FilterError as exc:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise ValueError(f"not a SOQL condition: {exc} (character {exc.pos + 1} of \"{shown}\")") from None
    return text


def fields(text: str) -> list[str]:
    """Distinct fields the condition reads, in order (`Owner.Name` kept as a path)."""
    seen: dict[str, str] = {}
    for name, _ in parse(text):
        seen.setdefault(name.lower(), name)
    return list(seen.values())
