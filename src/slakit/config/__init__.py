"""tiers.yml -> validated, resolved `Project`. Passes kept apart: `load` (YAML + locations),
`model` (shape), `resolve` (defaults, units, names, references), `lint` (advice).

    project = load_project("tiers.yml")          # raises ConfigError with every problem
    result = check("tiers.yml")                   # project or None, errors, lint warnings
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from slakit.config.project import Project
from slakit.errors import ConfigError, Problem


@dataclass
class CheckResult:
    project: Project | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.project is not None and not self.errors


def check(path: str | Path, *, lint: bool = True) -> CheckResult:
    """Load, validate and resolve tiers.yml; lint when valid. Never raises for bad content."""
    from pydantic import ValidationError

    from slakit.config.load import read_yaml, validation_problems
    from slakit.config.model import TiersFile
    from slakit.config.resolve import Resolver

    try:
        doc = read_yaml(path)
    except ConfigError as exc:
        return CheckResult(None, exc.problems)
    except RecursionError:  # belt and braces: the nesting pre-scan (config.limits) refuses this first
        return CheckResult(None, [Problem("the file nests too deeply to read", file=str(path), line=1, col=1,
                                          hint="flatten the structure")])
    try:
        # top-level `x-...` keys hold YAML anchors to reuse (`<<: *common`), as in docker-compose
        data = {k: v for k, v in doc.data.items() if not str(k).startswith("x-")}
        tf = TiersFile.model_validate(data)
    except ValidationError as exc:
        return CheckResult(None, validation_problems(exc, doc, TiersFile))
    resolver = Resolver(doc, tf)
    project = resolver.run()
    problems = resolver.problems
    if project is not None:
        from slakit.config.org_rules import check as salesforce_rules

        problems += salesforce_rules(doc, tf, project)
    if problems or project is None:
        problems = list({(p.format(), p.field): p for p in problems}.values())  # an inherited default: once
        problems.sort(key=lambda p: (p.line or 0, p.col or 0))
        return CheckResult(None, problems)
    warnings: list[Problem] = []
    if lint:
        from slakit.config.lint import lint_project

        warnings = lint_project(project, doc)
    return CheckResult(project, [], warnings)


def load_project(path: str | Path) -> Project:
    """The resolved project, or ConfigError listing every problem (lint warnings are not errors)."""
    result = check(path, lint=False)
    if not result.ok:
        first = result.errors[0]
        raise ConfigError(first.message, file=first.file, line=first.line, col=first.col, field=first.field,
                          hint=first.hint, problems=result.errors)
    assert result.project is not None  # ok means resolved
    return result.project


__all__ = ["CheckResult", "Project", "check", "load_project"]
