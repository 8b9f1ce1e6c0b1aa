"""Reading tiers.yml: YAML (ruamel, composed node tree for line numbers) into plain Python data plus
a map from field path to (line, col), and pydantic's errors turned into located problems.

Paths are tuples like ("tiers", 1, "milestones", 0, "time_limit"); `format_path` renders them as
`tiers[1].milestones[0].time_limit`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from slakit.errors import ConfigError, Problem

Path_ = tuple[Any, ...]


class Located:
    """Plain data from a YAML file and where each key and value stands in it."""

    def __init__(self, data: Any, file: str, keys: dict[Path_, tuple[int, int]], values: dict[Path_, tuple[int, int]]):
        self.data = data
        self.file = file
        self._keys = keys
        self._values = values

    def where(self, path: Path_, *, key: bool = False) -> tuple[int | None, int | None]:
        """(line, col), 1-based, of the value at `path` (or of its key); falls back to the nearest parent."""
        path = tuple(path)
        while path:
            table = (self._keys, self._values) if key else (self._values, self._keys)
            for t in table:
                if path in t:
                    return t[path]
            path = path[:-1]
        return (1, 1)

    def problem(self, path: Path_, message: str, *, hint: str | None = None, key: bool = False,
                severity: str = "error", code: str | None = None) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(message, file=self.file, line=line, col=col, field=format_path(path) or None,
                       hint=hint, severity=severity, code=code)


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _Builder:
    """Plain data and locations from a composed YAML node tree (marks are 0-based)."""

    MERGE = "tag:yaml.org,2002:merge"

    def __init__(self, constructor: Any, file: str):
        self.constructor = constructor
        self.file = file
        self.keys: dict[Path_, tuple[int, int]] = {}
        self.values: dict[Path_, tuple[int, int]] = {}

    def build(self, node: Any, path: Path_ = ()) -> Any:
        from ruamel.yaml.nodes import MappingNode, SequenceNode

        self.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            merged: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == self.MERGE:  # `<<: *anchor` fills keys not written here
                    sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                    for src in sources:
                        if not isinstance(src, MappingNode):
                            raise ConfigError(
                                "`<<` merges mappings only", file=self.file, line=src.start_mark.line + 1,
                                col=src.start_mark.column + 1, field=format_path(path + ("<<",)),
                                hint="write `<<: *anchor` (or a list of them) where each anchor names a mapping")
                        for k, v in self.build(src, path).items():
                            merged.setdefault(k, v)
                    continue
                key = str(self.scalar(key_node))
                kp = path + (key,)
                if key in out:
                    raise ConfigError(f"duplicate key '{key}'", file=self.file, line=key_node.start_mark.line + 1,
                                      col=key_node.start_mark.column + 1, field=format_path(kp),
                                      hint="each key may appear once in a mapping")
                self.keys[kp] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.build(value_node, kp)
            return {**merged, **out}
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: Any) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception:  # e.g. an impossible date like 2026-02-30: let the model say what is wrong
            return str(node.value)
        if isinstance(value, dt.datetime) and value.tzinfo:
            return value.replace(tzinfo=None)
        return value


def read_yaml(path: str | Path) -> Located:
    """Parse a YAML file; syntax errors become a ConfigError showing the offending line."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from slakit.config import limits

    file = str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limits.MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"no such file: {file}", hint="give the path of your tiers.yml") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror or exc}") from None
    if len(raw) > limits.MAX_FILE_BYTES:
        raise ConfigError(f"the file is larger than {limits.MAX_FILE_BYTES // (1024 * 1024)} MB", file=file,
                          hint="a tiers.yml is a few kilobytes: is this the right file?")
    text, refusal = limits.decode(raw)
    refusal = refusal or limits.nesting_problem(text or "")
    if refusal is not None or text is None:
        assert refusal is not None
        raise ConfigError(refusal.message, file=file, line=refusal.line, col=refusal.col, hint=refusal.hint)
    yaml = YAML(typ="safe")  # C-accelerated with ruamel.yaml.clib; composed nodes carry line/column marks
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        lines = text.splitlines()
        mark = exc.problem_mark
        if mark is None or mark.line >= len(lines) or not lines[mark.line].strip():
            mark = exc.context_mark or mark  # at the end of the stream: blame where the open item began
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        src = lines[line - 1] if line and line <= len(lines) else ""
        msg = f"YAML syntax error: {exc.problem or exc.context}"
        hint = f"line {line}: {src.strip()!r}" if src else None
        raise ConfigError(msg, file=file, line=line, col=col, hint=hint) from None
    except YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", file=file) from None
    if node is None:
        raise ConfigError("the file is empty", file=file, line=1, col=1, hint="start from `slakit init`")
    refusal = limits.alias_problem(node)
    if refusal is not None:
        raise ConfigError(refusal.message, file=file, line=refusal.line, col=refusal.col, hint=refusal.hint)
    builder = _Builder(yaml.constructor, file)
    data = builder.build(node)
    keys, values = builder.keys, builder.values
    if not isinstance(data, dict):
        raise ConfigError("the top level must be a mapping (api_version, business_hours, defaults, tiers)",
                          file=file, line=1, col=1)
    return Located(data, file, keys, values)


def _model_fields(model: type[BaseModel], path: Path_) -> list[str]:
    """Field names allowed at `path` inside `model` (for did-you-mean hints)."""

    current: Any = model
    for part in path:
        if isinstance(part, int) or (isinstance(part, str) and part.startswith("~")):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        f = current.model_fields.get(part)
        if f is None:
            return []
        current = _first_model(f.annotation)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _first_model(tp: Any) -> Any:
    import typing

    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in typing.get_args(tp):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def validation_problems(exc: ValidationError, doc: Located, model: type[BaseModel]) -> list[Problem]:
    problems = []
    errors = exc.errors(include_url=False)
    extras = {tuple(e["loc"][:-1]): str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden"}
    for err in errors:
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("~")))
        on_key = bool(loc) and loc[-1] == "[key]"  # a mapping key was refused: point at the key itself
        loc = loc[:-1] if on_key else loc
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        hint = None
        if err["type"] == "extra_forbidden":
            allowed = _model_fields(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            msg = f"unknown key '{loc[-1]}'"
            hint = f"did you mean `{close[0]}`?" if close else (f"allowed: {', '.join(allowed)}" if allowed else None)
            problems.append(doc.problem(loc, msg, hint=hint, key=True))
            continue
        if err["type"] == "missing":
            typo = extras.get(tuple(err["loc"][:-1]))
            if typo and difflib.get_close_matches(typo, [str(loc[-1])], n=1, cutoff=0.6):
                continue  # the unknown-key problem already says "did you mean"
            problems.append(doc.problem(loc, "is missing (required)", key=True))
            continue
        msg = _friendly(err, loc, msg)
        if err["type"] == "literal_error":
            value = err.get("input")
            expected = msg.removeprefix("Input should be ")
            close = difflib.get_close_matches(str(value), [x.strip("'") for x in expected.replace(" or ", ", ").split(", ")], n=1)
            msg = f"'{value}' is not allowed: use {expected}"
            hint = f"did you mean `{close[0]}`?" if close else None
        problems.append(doc.problem(loc, msg, hint=hint, key=on_key))
    problems.sort(key=lambda p: (p.line or 0, p.col or 0))
    return problems


_TYPES = {"list_type": "a list", "dict_type": "a mapping", "string_type": "a string", "int_type": "a whole number",
          "int_parsing": "a whole number", "bool_type": "true or false", "bool_parsing": "true or false",
          "float_type": "a number", "float_parsing": "a number", "model_type": "a mapping",
          "model_attributes_type": "a mapping", "date_type": "a date (YYYY-MM-DD)"}


def _friendly(err: ErrorDetails, loc: tuple, msg: str) -> str:
    """Pydantic's messages in the words of tiers.yml."""
    kind = err["type"]
    value = err.get("input")
    if kind in _TYPES:
        shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
        return f"expected {_TYPES[kind]}, got {shown}"
    if "warnings" in loc and kind in ("less_than", "greater_than"):
        return (f"{value:g}% is outside (0%, 100%): a warning fires between the milestone's start and its "
                "target (the violation action covers 100%)")
    if kind == "too_long" and loc and loc[-1] == "milestones":
        return f"a process holds at most 10 milestones (Salesforce's limit); this tier has {len(value or ())}"
    if kind == "too_short" and loc and loc[-1] in ("milestones", "tiers"):
        return f"needs at least one {'milestone' if loc[-1] == 'milestones' else 'tier'}"
    return msg
