"""What tiers.yml may be before and while YAML reads it: size, bytes, nesting depth, alias expansion.

A tiers.yml can come from a stranger (a client, a pull request). Three shapes kill a YAML reader
rather than fail it: a deep flow collection (`[[[[...`: libyaml's scanner is quadratic in the flow
depth and the composer recurses on the C stack until it segfaults), deep block nesting (Python's
RecursionError) and an alias bomb ("billion laughs": a few hundred bytes whose aliases expand to
billions of nodes). So, in this order, each refused with file:line:col:

1. `MAX_FILE_BYTES`: the file is not read past it;
2. the bytes are UTF-8 and every character is one YAML allows (no NUL, no C0/C1 control but tab,
   line feed, carriage return and NEL), located by line and column, not by byte offset;
3. `nesting_problem`: a pre-scan of the text (quotes, comments, block scalars and plain scalars
   understood, so brackets inside them do not count) estimates the nesting depth of block and flow
   collections and stops at `MAX_NESTING_DEPTH`, before the C scanner or composer sees the text;
4. `alias_problem`: on the composed node graph (aliases are shared nodes there, so composing is
   cheap), the size and depth the graph has once aliases are expanded, computed without recursion:
   at most `MAX_ALIAS_NODES` nodes may come through aliases, the expanded depth stays under
   `MAX_NESTING_DEPTH`, and an alias inside the node it names (a cycle) is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

MAX_FILE_BYTES = 5 * 1024 * 1024  # 5 MB: a large tiers.yml is a few kilobytes
MAX_NESTING_DEPTH = 64  # collections inside collections; tiers.yml itself needs 8
MAX_ALIAS_NODES = 100_000  # nodes added by expanding aliases (`<<: *common` in every milestone: hundreds)

# YAML 1.2 c-printable (5.1): tab, LF, CR, x20-x7E, NEL, xA0-xD7FF, xE000-xFFFD, x10000-x10FFFF
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Refusal:
    """Why the text is refused and where (1-based line and column)."""

    message: str
    line: int
    col: int
    hint: str | None = None


def char_name(ch: str) -> str:
    """'U+0000 (NUL)', 'U+001B (ESCAPE)': a character named so it never reaches a terminal raw."""
    names = {"\x00": "NUL", "\x1b": "ESCAPE", "\x7f": "DELETE"}
    name = names.get(ch) or unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def decode(data: bytes) -> tuple[str | None, Refusal | None]:
    """UTF-8 text, or where the first byte that is not UTF-8 stands (line, column)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", errors="replace")) + 1
        return None, Refusal(f"byte 0x{data[exc.start]:02X} is not UTF-8", line, col,
                             "save the file as UTF-8")
    text = text.removeprefix("\ufeff")  # a byte order mark is allowed
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
        return None, Refusal(f"character {char_name(bad.group())} is not allowed in YAML", line, col,
                             "remove it, or write it as an escape inside a double-quoted string")
    return text, None


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, pos) + 1
    return text.count("\n", 0, pos) + 1, pos - line_start + 1


# -- the nesting pre-scan --------------------------------------------------------------------------
_SINGLE_END = re.compile(r"(?:[^']|'')*'")
_DOUBLE_END = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)
_BLOCK_PLAIN = re.compile(r"(?:[^:#\n]|:(?=[^\s])|(?<=\S)#)*")  # up to `: `, ` #` or the end of the line
_FLOW_PLAIN = re.compile(r"(?:[^:#,\[\]{}\n]|:(?=[^\s,\[\]{}])|(?<=\S)#)*")
_TOKEN = re.compile(r"[^\s,\[\]{}]*")  # an anchor, tag or alias name
_SPACE = re.compile(r"[ \t]*")


def _end(pattern: re.Pattern[str], line: str, pos: int) -> int:
    """Where `pattern` (which may match nothing) stops matching at `pos`."""
    m = pattern.match(line, pos)
    return m.end() if m else pos


class _Deep(Exception):
    def __init__(self, line: int, col: int, depth: int):
        self.line, self.col, self.depth = line, col, depth


class _Scanner:
    """Walks the text line by line, keeping the block collections open (by column) and the flow depth."""

    def __init__(self, text: str, limit: int):
        self.lines = re.split(r"\r\n?|\n", text)
        self.limit = limit
        self.block: list[tuple[int, str]] = []  # (column, "map" | "seq") of open block collections
        self.flow = 0
        self.kinds: list[str] = []  # open flow collections: "[", "{", or "[:" (a sequence entry that is a pair)
        self.quote: str | None = None  # a quoted scalar still open at the end of a line
        self.skip_above: int | None = None  # block scalar / plain continuation: skip lines indented more
        self.flow_node_start = True  # in a flow collection: whether the next character starts a node
        self.n = 0  # current line index

    def deep(self, col: int) -> None:
        depth = len(self.block) + self.flow
        if depth > self.limit:
            raise _Deep(self.n + 1, col + 1, depth)

    def push(self, col: int, kind: str) -> None:
        while self.block and (self.block[-1][0] > col or (
                self.block[-1][0] == col and not (self.block[-1][1] == "map" and kind == "seq"))):
            self.block.pop()
        self.block.append((col, kind))
        self.deep(col)

    def run(self) -> None:
        for n, line in enumerate(self.lines):
            self.n = n
            pos = 0
            if self.quote:
                pos = self.close_quote(line, 0)
                if pos < 0:
                    continue
            elif self.flow == 0 and self.skip_above is not None:
                stripped = line.lstrip(" ")
                if not stripped.strip() or len(line) - len(stripped) > self.skip_above:
                    continue
                self.skip_above = None
            if self.flow:
                self.scan_flow(line, pos)
            else:
                self.scan_block(line, pos, node_start=pos == 0)

    def close_quote(self, line: str, pos: int) -> int:
        """Position after the closing quote on this line, or -1 (the quote stays open)."""
        m = (_SINGLE_END if self.quote == "'" else _DOUBLE_END).match(line, pos)
        if m is None:
            return -1
        self.quote = None
        return m.end()

    def open_quote(self, line: str, pos: int) -> int:
        self.quote = line[pos]
        return self.close_quote(line, pos + 1)

    def scan_block(self, line: str, pos: int, *, node_start: bool) -> None:
        if node_start:
            stripped = line.lstrip(" ")
            if not stripped or stripped.startswith("#") or line.startswith("%"):
                return
            if line.startswith(("---", "...")) and line[3:4] in ("", " ", "\t"):
                self.block.clear()
                pos = 3
            else:
                pos = len(line) - len(stripped)
        start_col = pos
        while pos < len(line):
            pos = _end(_SPACE, line, pos)
            if pos >= len(line):
                return
            c = line[pos]
            nxt = line[pos + 1: pos + 2]
            if node_start and c in "-?:" and nxt in ("", " ", "\t"):
                if c != ":":
                    self.push(pos, "seq" if c == "-" else "map")
                pos += 1
                start_col = pos
                continue
            if c == "#":
                return
            if node_start and c in "&!":
                pos = _end(_TOKEN, line, pos)
                continue
            if node_start and c in "|>":
                self.skip_above = self.block[-1][0] if self.block else -1
                return
            if node_start and c in "[{":
                self.flow = 0
                self.kinds = []
                self.flow_node_start = True
                self.scan_flow(line, pos)
                return
            key_col = pos
            if node_start and c in "'\"":
                pos = self.open_quote(line, pos)
                if pos < 0:
                    return
            elif node_start and c == "*":
                pos = _end(_TOKEN, line, pos)
            else:
                pos = _end(_BLOCK_PLAIN, line, pos)
            after = _end(_SPACE, line, pos)
            if line[after: after + 1] == ":" and line[after + 1: after + 2] in ("", " ", "\t"):
                self.push(key_col if node_start else start_col, "map")
                pos = after + 1
                node_start = True
                start_col = pos
                continue
            if pos >= len(line) or line[after: after + 1] == "#":
                if line[key_col] not in "'\"*":  # a plain scalar may go on over more-indented lines
                    self.skip_above = self.block[-1][0] if self.block else -1
                return
            node_start = False
            pos = after + 1

    def scan_flow(self, line: str, pos: int) -> None:
        while pos < len(line):
            pos = _end(_SPACE, line, pos)
            if pos >= len(line):
                return
            c = line[pos]
            if c in "[{":
                self.flow += 1
                self.kinds.append(c)
                self.deep(pos)
                self.flow_node_start = True
                pos += 1
            elif c in "]}":
                self.end_pair()
                self.flow = max(0, self.flow - 1)
                if self.kinds:
                    self.kinds.pop()
                self.flow_node_start = False
                pos += 1
                if self.flow == 0:
                    self.scan_block(line, pos, node_start=False)
                    return
            elif c == ",":
                self.end_pair()
                self.flow_node_start = True
                pos += 1
            elif c == "#" and (pos == 0 or line[pos - 1] in " \t"):
                return
            elif (c in "?:" and line[pos + 1: pos + 2] in ("", " ", "\t", ",", "[", "]", "{", "}")) or (
                    c == ":" and not self.flow_node_start) or (  # also JSON-like `"key":value`
                    c == "?" and self.flow_node_start):  # libyaml reads `[?a]` as [{a: null}]: count the pair
                self.start_pair(pos)
                self.flow_node_start = True
                pos += 1
            elif self.flow_node_start and c in "'\"":
                pos = self.open_quote(line, pos)
                self.flow_node_start = False
                if pos < 0:
                    return
            elif self.flow_node_start and c in "&!":
                pos = _end(_TOKEN, line, pos)
            else:
                end = _end(_FLOW_PLAIN, line, pos)
                pos = end if end > pos else pos + 1
                self.flow_node_start = False

    def start_pair(self, pos: int) -> None:
        """`key: value` (or `? key`) as an entry of a flow sequence is a one-pair mapping: a level."""
        if self.kinds and self.kinds[-1] == "[":
            self.kinds[-1] = "[:"
            self.flow += 1
            self.deep(pos)

    def end_pair(self) -> None:
        if self.kinds and self.kinds[-1] == "[:":
            self.kinds[-1] = "["
            self.flow -= 1


def nesting_problem(text: str, limit: int = MAX_NESTING_DEPTH) -> Refusal | None:
    """Refusal when collections nest deeper than `limit` (an estimate never below the real depth
    of a file libyaml accepts), found before any YAML parser reads the text."""
    try:
        _Scanner(text, limit).run()
    except _Deep as deep:
        return Refusal(f"collections nest deeper than {limit} levels", deep.line, deep.col,
                       "tiers.yml needs 8 levels at most: flatten the structure")
    return None


# -- the composed graph ----------------------------------------------------------------------------
def alias_problem(root: Any, *, max_nodes: int = MAX_ALIAS_NODES, max_depth: int = MAX_NESTING_DEPTH) -> Refusal | None:
    """Refusal when expanding the aliases of a composed node graph would add more than `max_nodes`
    nodes, nest deeper than `max_depth`, or never end (an alias inside the node it names)."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    composed = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    open_: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            height[key] = 1 + max((height[id(k)] for k in kids), default=0)
            open_.discard(key)
            if size[key] - composed > max_nodes or height[key] > max_depth + 1:
                return _refusal(node, size[key] - composed, height[key], max_nodes, max_depth)
            continue
        if key in size:
            continue
        if key in open_:
            mark = node.start_mark
            return Refusal("an alias refers to the node that contains it: it would expand forever",
                           mark.line + 1, mark.column + 1, "anchor a node that does not contain the alias")
        open_.add(key)
        composed += 1
        stack.append((node, True))
        for kid in _children(node):
            if id(kid) in open_:
                mark = node.start_mark
                return Refusal("an alias refers to the node that contains it: it would expand forever",
                               mark.line + 1, mark.column + 1, "anchor a node that does not contain the alias")
            if id(kid) not in size:
                stack.append((kid, False))
    return None


def _children(node: Any) -> list[Any]:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _refusal(node: Any, extra: int, height: int, max_nodes: int, max_depth: int) -> Refusal:
    mark = node.start_mark
    if extra > max_nodes:
        return Refusal(f"aliases expand to more than {max_nodes:,} extra nodes (an alias bomb?)",
                       mark.line + 1, mark.column + 1, "reuse anchors less, or write the values out")
    return Refusal(f"aliases nest collections deeper than {max_depth} levels", mark.line + 1, mark.column + 1,
                   "tiers.yml needs 8 levels at most: flatten the anchors")
