"""Lint: advice on a valid tiers.yml (warnings; `--strict` makes them errors)."""
from __future__ import annotations


def lint_project(project, doc):
    return []
