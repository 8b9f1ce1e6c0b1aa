"""Command options as one typed value per command group, shared by the two front ends.

`slakit render|deploy|plan|backfill|smoke` (cli/) and the CumulusCI tasks slakit_render,
slakit_deploy, slakit_backfill, slakit_smoke (cci_tasks.py) build the same frozen dataclass
(render/options.py, deploy/options.py, backfill/options.py, smoke/options.py). The dataclass
checks its values once, in `__post_init__`, and raises `UsageError` naming the option the way
the user wrote it: `--batch-size` on the command line, `batch_size` in cumulusci.yml or
`cci task run -o` (`via`). Each field says both spellings with `option(flag=..., task=...)`;
`task=None` keeps an option on the command line only.

`from_task` reads CumulusCI task options (strings from `-o`, YAML values from cumulusci.yml) by
the field types and refuses unknown ones, as CumulusCI's typed options do; `task_options()` is
what a task declares (what `cci task info` lists). No CumulusCI import here: cci_tasks.py turns
the UsageError into CumulusCI's TaskOptionsError.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from slakit.errors import UsageError

O = TypeVar("O", bound="Options")

CCI_SPECIAL_OPTIONS = ("debug_before", "debug_after", "no_prompt")  # every CumulusCI task takes these
_TRUE = ("true", "yes", "1", "on")
_FALSE = ("false", "no", "0", "off")


def option(default: Any = None, *, flag: str, task: str | None, help: str, task_default: Any = None) -> Any:
    """A field of an options dataclass: its command-line spelling (`flag`), its CumulusCI task
    option (`task`, None = command line only), the description and the task's own default when it
    differs from the command line's (`task_default`)."""
    return dataclasses.field(default=default, metadata={"flag": flag, "task": task, "help": help,
                                                        "task_default": task_default})


@dataclasses.dataclass(frozen=True)
class Options:
    """Base of the per-command options; `via` is the front end that gave the values."""

    via: str = dataclasses.field(default="cli", kw_only=True, repr=False, compare=False)

    def spelled(self, name: str) -> str:
        """How the user wrote the option behind field `name` (`--bulk` or `bulk`)."""
        meta = _fields(type(self))[name].metadata
        return str(meta["task"] or name) if self.via == "task" else str(meta["flag"])

    def refuse(self, name: str, message: str, hint: str | None = None) -> NoReturn:
        raise UsageError(message, field=self.spelled(name), hint=hint)

    def choose(self, name: str, choices: tuple[str, ...]) -> None:
        """Refuse field `name` unless its value is one of `choices`."""
        value = getattr(self, name)
        if value not in choices:
            self.refuse(name, f"'{value}' is not one of {', '.join(choices)}")

    @classmethod
    def task_options(cls) -> dict[str, dict[str, Any]]:
        """CumulusCI's `task_options` declaration: {option: {description, required}}."""
        out: dict[str, dict[str, Any]] = {}
        for f in dataclasses.fields(cls):
            task = f.metadata.get("task")
            if task:
                default = f.metadata["task_default"] if f.metadata["task_default"] is not None else f.default
                shown = "" if default in (None, (), dataclasses.MISSING) else f" (default: {default})"
                out[task] = {"description": f"{f.metadata['help']}{shown}", "required": False}
        return out

    @classmethod
    def from_task(cls: type[O], options: Mapping[str, Any]) -> O:
        """The options of a CumulusCI task (`task.options`); UsageError for an unknown option or a
        value of the wrong kind, naming the task option."""
        hints = typing.get_type_hints(cls)
        by_task = {str(f.metadata["task"]): f for f in dataclasses.fields(cls) if f.metadata.get("task")}
        unknown = sorted(set(options) - set(by_task) - set(CCI_SPECIAL_OPTIONS))
        if unknown:
            raise UsageError(f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}",
                             field=unknown[0], hint=f"options: {', '.join(by_task)}")
        values: dict[str, Any] = {}
        for task, f in by_task.items():
            value = options.get(task)
            if value is None:
                value = f.metadata["task_default"]
            if value is not None:
                values[f.name] = _coerce(value, hints[f.name], task)
        return cls(**values, via="task")


def _fields(cls: type) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(cls)}


def _coerce(value: Any, tp: Any, name: str) -> Any:
    """`value` (a YAML value or a `-o` string) as type `tp` (bool, int, float, str, Path, a tuple
    of str, or one of those or None)."""
    args = typing.get_args(tp)
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        tp = next(a for a in args if a is not type(None))
        args = typing.get_args(tp)
    if tp is bool:
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in _TRUE + _FALSE:
            return str(value).strip().lower() in _TRUE
        raise UsageError(f"'{value}' is not true or false", field=name)
    if tp is int or tp is float:
        kind = "a whole number" if tp is int else "a number"
        if isinstance(value, bool):
            raise UsageError(f"'{value}' is not {kind}", field=name)
        try:
            return tp(str(value).strip()) if isinstance(value, str) else tp(value)
        except (TypeError, ValueError):
            raise UsageError(f"'{value}' is not {kind}", field=name) from None
    if typing.get_origin(tp) is tuple:  # tuple[str, ...]: a YAML list, "a, b" or '["a", "b"]' (as CumulusCI reads them)
        if isinstance(value, str) and value.lstrip().startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                raise UsageError(f"'{value}' is not a list", field=name) from None
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        return tuple(s for s in (str(i).strip() for i in items) if s)
    if tp is Path:
        return Path(str(value))
    return str(value)
