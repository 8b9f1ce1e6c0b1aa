"""The imported document as YAML text (ruamel round trip: comments kept, keys in the order built),
checked with slakit's own validator (`slakit.config.check`, as `slakit validate` runs it) before
anything is written, then written atomically (a temporary file beside the target, renamed over it).
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML

from slakit.errors import ConfigError, UsageError
from slakit.importer.build import Note
from slakit.importer.document import build
from slakit.importer.read import Facts, read_folder, read_org

if TYPE_CHECKING:
    from slakit.org.connect import OrgConnection


@dataclass
class ImportResult:
    source: str
    text: str
    notes: list[Note] = field(default_factory=list)
    document: Any = None
    out: str | None = None

    def as_dict(self) -> dict:
        plain = YAML(typ="safe", pure=True).load(self.text)
        return {"ok": True, "source": self.source, "out": self.out, "tiers": _jsonable(plain),
                "kept_as_comments": [n.as_dict() for n in self.notes]}


def _jsonable(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_jsonable(v) for v in data]
    if hasattr(data, "isoformat"):
        return data.isoformat()
    return data


def _yaml() -> YAML:
    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 110
    y.preserve_quotes = True
    return y


def dump(document: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(document, buf)
    return buf.getvalue()


def _check(text: str, folder: Path) -> None:
    """slakit's validator on the text, from a scratch file in `folder` (cumulusci.yml there counts)."""
    from slakit.config import check

    fd, tmp = tempfile.mkstemp(prefix=".slakit-import-", suffix=".yml", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        result = check(tmp, lint=False)
    finally:
        os.unlink(tmp)
    if not result.ok:
        first = result.errors[0]
        where = f"line {first.line}: " if first.line else ""
        raise ConfigError(f"the imported file does not validate ({where}{first.field + ': ' if first.field else ''}"
                          f"{first.message}); nothing was written",
                          hint="a slakit import bug: please report it with what was imported")


def result_of(facts: Facts, out: str = "tiers.yml") -> ImportResult:
    built = build(facts, out)
    text = dump(built.document)
    return ImportResult(facts.source, text, built.notes, built.document)


def import_folder(folder: str | Path, out: str = "tiers.yml") -> ImportResult:
    """`out`: the file name the header's next steps name."""
    return result_of(read_folder(folder), out)


def import_org(conn: OrgConnection, out: str = "tiers.yml") -> ImportResult:
    return result_of(read_org(conn), out)


def write_tiers(result: ImportResult, out: str | Path, *, force: bool = False) -> Path:
    """Validate, then write `out` atomically; an existing file needs force=True."""
    path = Path(out)
    if path.exists() and not force:
        raise UsageError(f"{path} exists", field="--out", hint="pass --force to replace it, or pick another --out")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder", field="--out")
    _check(result.text, folder)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(result.text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    result.out = str(path)
    return path
