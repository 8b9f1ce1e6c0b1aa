"""Sandbox guard, error translation and SOQL helpers over real simple-salesforce and the fake org."""

from __future__ import annotations

import pytest

from slakit.errors import GuardError, OrgError
from slakit.org.errors import ENTITLEMENTS_OFF, org_errors
from slakit.org.guard import is_sandbox, require_sandbox
from slakit.org.soql import count, entitlements_enabled, iter_records, soql
from tests.fakes import FakeOrg


def test_guard_allows_sandbox(fake_org, sf):
    assert is_sandbox(sf) is True
    assert require_sandbox(sf)["Name"] == "Fake Org"


def test_guard_refuses_production(rsps):
    sf = FakeOrg(sandbox=False, org_name="Acme Prod").install(rsps).client()
    assert is_sandbox(sf) is False
    with pytest.raises(GuardError) as exc:
        require_sandbox(sf, action="slakit smoke")
    assert "slakit smoke runs only in a sandbox" in str(exc.value) and "Acme Prod" in str(exc.value)


def test_entitlement_objects_missing_become_the_plain_sentence(rsps):
    sf = FakeOrg(entitlements=False).install(rsps).client()
    assert entitlements_enabled(sf) is False
    with pytest.raises(OrgError) as exc, org_errors("reading processes"):
        sf.query("SELECT Id FROM SlaProcess")
    assert str(exc.value) == f"reading processes: {ENTITLEMENTS_OFF}"


def test_limit_and_session_errors(fake_org, sf):
    assert entitlements_enabled(sf) is True
    fake_org.fail_next(1, "REQUEST_LIMIT_EXCEEDED")
    with pytest.raises(OrgError) as exc, org_errors():
        sf.query("SELECT Id FROM Account")
    assert "daily API request limit" in str(exc.value)
    fake_org.fail_next(1, "INVALID_SESSION_ID")
    with pytest.raises(OrgError) as exc, org_errors():
        sf.query("SELECT Id FROM Account")
    assert "session expired" in str(exc.value)
    fake_org.fail_next(1, "SERVER_ERROR")
    with pytest.raises(OrgError) as exc, org_errors():
        sf.query("SELECT Id FROM Account")
    assert "SERVER_ERROR" in str(exc.value)


def test_soql_helpers_quote_and_page(rsps):
    org = FakeOrg(page_size=2).install(rsps)
    for name in ["O'Brien Ltd", "Acme", "Beta"]:
        org.insert("Account", Name=name)
    sf = org.client()
    q = soql("SELECT Id, Name FROM Account WHERE Name IN {}", ["O'Brien Ltd", "Beta"])
    assert q == "SELECT Id, Name FROM Account WHERE Name IN ('O\\'Brien Ltd','Beta')"
    assert sorted(r["Name"] for r in iter_records(sf, q)) == ["Beta", "O'Brien Ltd"]
    assert count(sf, "SELECT COUNT() FROM Account") == 3
    assert len(list(iter_records(sf, "SELECT Id FROM Account"))) == 3
    assert org.count("query") == 1 + 1 + 2
