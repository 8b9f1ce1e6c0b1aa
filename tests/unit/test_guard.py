"""confirm_production: the one rule deploy, backfill and undo follow before writing to an org."""

from __future__ import annotations

import pytest

from slakit.errors import GuardError
from slakit.org.guard import confirm_production

PROD = {"Name": "Acme", "IsSandbox": False}


def test_sandbox_never_asks():
    asked = []
    assert confirm_production({"Name": "uat", "IsSandbox": True}, "q?", asked.append, action="deploy to")
    assert asked == []


def test_production_asks_and_follows_the_answer():
    assert confirm_production(PROD, "go?", lambda q: True, action="backfill") is True
    assert confirm_production(PROD, "go?", lambda q: False, action="backfill") is False


def test_production_with_nobody_to_ask_is_refused():
    with pytest.raises(GuardError, match="refusing to undo a backfill on production org 'Acme' without confirmation"):
        confirm_production(PROD, "go?", None, action="undo a backfill on")
