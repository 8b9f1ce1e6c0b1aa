"""The layering rules of ARCHITECTURE.md, checked on the source: every module in src/slakit is
parsed with `ast` (imports anywhere in the file count, inside functions and TYPE_CHECKING blocks
too) and no forbidden arrow may exist:

1. no upward import: a package imports only packages of a lower layer (LAYERS), never one of its
   own layer or above; a new package must be given a layer here;
2. only slakit.cli imports slakit.cli, typer, click or rich (the domain never prints, parses
   options or draws tables);
3. only slakit.deploy, slakit.org.connect and slakit.cci_tasks import cumulusci;
4. slakit.clock is pure: it imports nothing from slakit outside itself, and only the standard
   library;
5. nothing outside slakit.cli calls print(), sys.exit() or raises SystemExit/typer.Exit (one
   place turns results and errors into text and exit codes);
6. exceptions derive from slakit.errors.SlakitError, except the few that are not errors, listed
   with their reason in NOT_ERRORS (control flow and Ctrl-C).

`violations()` is also run on small constructed modules below, so each rule is shown to fire.
"""

from __future__ import annotations

import ast
import builtins
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "slakit"

# Lower number = lower layer. A package may import packages with a strictly lower number.
LAYERS = {
    "slakit": 0, "errors": 0, "salesforce": 0, "clock": 0,   # the package root, errors, constants, time
    "config": 1, "org": 1,                                   # tiers.yml -> Project; the org connection
    "options": 1,                                            # the base of the per-command options objects
    "render": 2, "simulate": 2,                              # Project -> files; Project -> timelines
    "deploy": 3, "backfill": 3,                              # rendered files -> org; records (on the clock)
    "smoke": 4, "audit": 4,                                  # deploy + org reads
    "importer": 5, "backtest": 5,                            # built on audit's readers and report
    "cli": 6, "cci_tasks": 6,                                # the two front ends
}
CLI_ONLY = ("typer", "click", "rich")
CUMULUSCI_ALLOWED = ("slakit.deploy", "slakit.org.connect", "slakit.cci_tasks")
NOT_ERRORS = {  # exceptions that are not errors, with the reason
    "slakit.backfill.retry.Stop": "ends a backfill/undo run; caught in slakit.backfill, never escapes",
    "slakit.config.account_filter.FilterError": "the filter parser's signal; check() turns it into the ValueError "
                                                "pydantic locates in tiers.yml",
    "slakit.config.limits._Deep": "the nesting pre-scan's early exit; caught in limits.py, reported as a located "
                                  "problem",
    "slakit.cli.main.Interrupted": "Ctrl-C inside the CLI; turned into exit 130 by cli/main.py",
    "slakit.smoke.runner.SmokeInterrupted": "a KeyboardInterrupt carrying the smoke report (after cleanup) to "
                                            "the CLI, which prints it and exits 130",
}
ROOT_ERROR = "slakit.errors.SlakitError"
BUILTIN_EXCEPTIONS = {n for n in dir(builtins) if isinstance(getattr(builtins, n), type)
                      and issubclass(getattr(builtins, n), BaseException)}


def source_modules(root: Path = SRC) -> dict[str, str]:
    """{dotted module name: source} for every .py file under src/slakit."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = ("slakit", *path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path.read_text(encoding="utf-8")
    return out


def _is_package(name: str, modules: dict[str, str]) -> bool:
    return any(m.startswith(name + ".") for m in modules)


def imports(name: str, source: str, modules: dict[str, str]) -> list[tuple[int, str]]:
    """(line, imported module) for every import in `source`; relative imports resolved, and
    `from slakit import clock` read as the submodule slakit.clock."""
    out: list[tuple[int, str]] = []
    package = name if _is_package(name, modules) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.append((node.lineno, sub if sub in modules else base))
    return out


def _package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "slakit"


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(modules: dict[str, str]) -> list[str]:
    found = []
    for name, source in sorted(modules.items()):
        pkg = _package_of(name)
        if pkg not in LAYERS:
            found.append(f"{name}: package slakit.{pkg} has no layer (add it to LAYERS in {__file__})")
            continue
        for line, target in imports(name, source, modules):
            top = target.split(".")[0]
            where = f"{name}:{line}"
            if top == "slakit":
                tpkg = _package_of(target)
                if pkg == "clock" and tpkg != "clock":
                    found.append(f"{where}: imports {target}: slakit.clock imports nothing from slakit")
                elif tpkg != pkg and tpkg in LAYERS and LAYERS[tpkg] >= LAYERS[pkg]:
                    found.append(f"{where}: imports {target}: slakit.{pkg} (layer {LAYERS[pkg]}) may not import "
                                 f"slakit.{tpkg} (layer {LAYERS[tpkg]})")
            elif pkg == "clock" and top not in sys.stdlib_module_names and top != "__future__":
                found.append(f"{where}: imports {target}: slakit.clock imports only the standard library")
            if top in CLI_ONLY and pkg != "cli":
                found.append(f"{where}: imports {target}: only slakit.cli imports {top}")
            if top == "cumulusci" and not _in(name, CUMULUSCI_ALLOWED):
                found.append(f"{where}: imports {target}: only {', '.join(CUMULUSCI_ALLOWED)} import cumulusci")
        found.extend(_behaviour(name, pkg, source))
    return found


def _behaviour(name: str, pkg: str, source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if pkg != "cli" and isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func == "print" or func in ("sys.exit", "exit", "quit", "os._exit"):
                found.append(f"{where}: calls {func}(): only slakit.cli prints or exits")
        if pkg != "cli" and isinstance(node, ast.Raise) and node.exc is not None:
            raised = ast.unparse(node.exc.func if isinstance(node.exc, ast.Call) else node.exc)
            if raised.split(".")[-1] in ("SystemExit", "Exit"):
                found.append(f"{where}: raises {raised}: only slakit.cli decides exit codes")
        if isinstance(node, ast.ClassDef) and f"{name}.{node.name}" not in (*NOT_ERRORS, ROOT_ERROR):
            bases = {ast.unparse(b).split(".")[-1] for b in node.bases}
            if bases & BUILTIN_EXCEPTIONS:
                found.append(f"{name}:{node.lineno}: class {node.name} derives from {', '.join(sorted(bases))}: "
                             "slakit's errors derive from slakit.errors.SlakitError")
    return found


def test_the_source_keeps_the_layering():
    modules = source_modules()
    assert "slakit.clock" in modules and "slakit.cli.main" in modules  # the walk found the tree
    assert violations(modules) == []


def test_every_package_has_a_layer():
    packages = {_package_of(m) for m in source_modules()}
    assert packages <= set(LAYERS), packages - set(LAYERS)


# -- each rule fires on a constructed module ------------------------------------------------------
BASE = {"slakit": "", "slakit.errors": "class SlakitError(Exception): ...", "slakit.clock": "",
        "slakit.config": "", "slakit.cli": "", "slakit.cli.main": "", "slakit.render": "",
        "slakit.deploy": "", "slakit.deploy.run": "", "slakit.org": "", "slakit.org.connect": ""}
CASES = {
    "config imports cli": ("slakit.config.bad", "from slakit.cli.main import main",
                           "slakit.config (layer 1) may not import slakit.cli (layer 6)"),
    "render imports deploy, lazily": ("slakit.render.bad", "def f():\n    from slakit.deploy import run\n",
                                      "slakit.render (layer 2) may not import slakit.deploy (layer 3)"),
    "relative import upward": ("slakit.config.bad", "from ..deploy import run",
                               "slakit.config (layer 1) may not import slakit.deploy (layer 3)"),
    "same layer": ("slakit.org.bad", "import slakit.config", "slakit.org (layer 1) may not import slakit.config"),
    "domain imports typer": ("slakit.render.bad", "import typer", "only slakit.cli imports typer"),
    "domain imports rich": ("slakit.deploy.bad", "from rich.table import Table", "only slakit.cli imports rich"),
    "cumulusci outside deploy": ("slakit.org.bad", "from cumulusci.core.config import OrgConfig",
                                 "only slakit.deploy, slakit.org.connect, slakit.cci_tasks import cumulusci"),
    "clock imports config": ("slakit.clock.bad", "from slakit import config",
                             "slakit.clock imports nothing from slakit"),
    "clock imports a library": ("slakit.clock.bad", "import requests",
                                "slakit.clock imports only the standard library"),
    "domain prints": ("slakit.deploy.bad", "def f():\n    print('done')\n", "calls print()"),
    "domain exits": ("slakit.deploy.bad", "import sys\nsys.exit(1)\n", "calls sys.exit()"),
    "domain raises SystemExit": ("slakit.org.bad", "raise SystemExit(2)", "only slakit.cli decides exit codes"),
    "an error outside the family": ("slakit.deploy.bad", "class Oops(RuntimeError): ...",
                                    "class Oops derives from RuntimeError"),
    "a package with no layer": ("slakit.newthing.mod", "", "package slakit.newthing has no layer"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_constructed_violation_is_found(name):
    module, source, expected = CASES[name]
    found = violations({**BASE, module: source})
    assert len(found) == 1 and expected in found[0], found


def test_allowed_arrows_are_not_violations():
    ok = {**BASE,
          "slakit.deploy.run": "from slakit.render import x\nfrom cumulusci.core import y\nfrom . import plan",
          "slakit.org.connect": "import cumulusci",
          "slakit.clock.engine": "import datetime\nfrom zoneinfo import ZoneInfo\nfrom .calendar import DAY",
          "slakit.cli.main": "import typer\nfrom slakit.deploy import run\nprint('x')\nraise typer.Exit(2)",
          "slakit.config.x": "from slakit import clock\nfrom slakit.errors import SlakitError\n"
                             "class Bad(SlakitError): ..."}
    assert violations(ok) == []
