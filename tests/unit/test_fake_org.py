"""The fake org itself: SOQL subset, paging, collections, failures, describe, limits header."""

from __future__ import annotations

import datetime as dt

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceRefusedRequest

from tests.fakes import FakeOrg
from tests.fakes.ids import to18


def test_ids_are_18_chars_with_key_prefixes(fake_org):
    acct = fake_org.insert("Account", Name="Acme")
    case = fake_org.insert("Case", Subject="Help", AccountId=acct)
    assert acct.startswith("001") and len(acct) == 18 and acct == to18(acct[:15])
    assert case.startswith("500")
    # documented checksum example: each 5-char chunk's uppercase bitmap -> A..Z0..5
    assert to18("0013000000QfdGs") == "0013000000QfdGsAAJ"


def test_query_where_relationships_and_attributes(fake_org, sf):
    fake_org.add_field("Account", "Support_Tier__c", "picklist")
    gold = fake_org.insert("Account", Name="Gold Co", Support_Tier__c="Gold")
    fake_org.insert("Account", Name="Plain Co", Support_Tier__c=None)
    fake_org.insert("Account", Name="Std Co", Support_Tier__c="Standard")
    rows = sf.query_all(
        "SELECT Id, Name FROM Account WHERE (Support_Tier__c = 'gold' OR Support_Tier__c = null) "
        "AND NOT Name LIKE 'Std%' ORDER BY Name DESC")["records"]
    assert [r["Name"] for r in rows] == ["Plain Co", "Gold Co"]
    assert rows[1]["attributes"] == {"type": "Account",
                                     "url": f"/services/data/v62.0/sobjects/Account/{gold}"}
    mt = fake_org.insert("MilestoneType", Name="First Response")
    case = fake_org.insert("Case", Subject="x", AccountId=gold)
    fake_org.insert("CaseMilestone", CaseId=case, MilestoneTypeId=mt,
                    TargetDate="2026-03-02T14:00:00.000+0000")
    cm = sf.query("SELECT MilestoneType.Name, Case.Account.Name, IsViolated FROM CaseMilestone")["records"][0]
    assert cm["MilestoneType"]["Name"] == "First Response"
    assert cm["Case"]["Account"]["Name"] == "Gold Co"
    assert cm["IsViolated"] is True  # clock 15:00 is past the 14:00 target


def test_in_semi_join_dates_count_and_group_by(fake_org, sf):
    a1 = fake_org.insert("Account", Name="A1")
    a2 = fake_org.insert("Account", Name="A2")
    fake_org.insert("Account", Name="A3")
    proc = fake_org.insert("SlaProcess", Name="Gold", IsActive=True)
    fake_org.insert("Entitlement", Name="E1", AccountId=a1, SlaProcessId=proc, StartDate="2026-03-02")
    fake_org.insert("Entitlement", Name="E2", AccountId=a2, SlaProcessId=proc, StartDate="2026-01-01",
                    EndDate="2026-02-01")
    q = "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Entitlement WHERE Status = 'Active')"
    assert {r["Id"] for r in sf.query_all(q)["records"]} == {a2, fake_org.find("Account", Name="A3")[0]["Id"]}
    assert sf.query("SELECT COUNT() FROM Entitlement WHERE StartDate = TODAY")["totalSize"] == 1
    assert sf.query("SELECT COUNT() FROM Entitlement WHERE EndDate < 2026-03-01")["totalSize"] == 1
    rows = sf.query("SELECT SlaProcess.Name, COUNT(Id) n FROM Entitlement GROUP BY SlaProcess.Name")["records"]
    assert rows == [{"attributes": {"type": "AggregateResult"}, "Name": "Gold", "n": 2}]
    assert sf.query(f"SELECT Id FROM Account WHERE Id IN ('{a1[:15]}', '{a2}') LIMIT 1")["totalSize"] == 1


def test_paging_follows_next_records_url(rsps):
    org = FakeOrg(page_size=3).install(rsps)
    for i in range(7):
        org.insert("Account", Name=f"A{i}")
    sf = org.client()
    first = sf.query("SELECT Id FROM Account")
    assert first["totalSize"] == 7 and not first["done"] and len(first["records"]) == 3
    assert len(list(sf.query_all_iter("SELECT Id FROM Account"))) == 7
    assert org.count("query") == 1 + 3  # one first page above, then 3 pages for the full walk


def test_collections_per_record_errors_and_delete(fake_org, sf):
    acct = fake_org.insert("Account", Name="Acme")
    res = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": [
        {"attributes": {"type": "Entitlement"}, "Name": "Gold Support", "AccountId": acct},
        {"attributes": {"type": "Entitlement"}, "Name": "No account"},
    ]})
    assert res[0]["success"] and res[0]["id"].startswith("550")
    assert res[1] == {"success": False, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING",
                      "message": "Required fields are missing: [AccountId]", "fields": ["AccountId"]}]}
    gone = sf.restful("composite/sobjects", method="DELETE", params={"ids": res[0]["id"], "allOrNone": "false"})
    assert gone[0]["success"] and fake_org.find("Entitlement") == []
    assert fake_org.count("collection_create") == 1 and fake_org.count("collection_delete") == 1


def test_injected_failures_and_limit_header(fake_org, sf):
    fake_org.fail_next(1, "REQUEST_LIMIT_EXCEEDED", kinds=("query",))
    with pytest.raises(SalesforceRefusedRequest) as exc:
        sf.query("SELECT Id FROM Account")
    assert exc.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    sf.query("SELECT Id FROM Account")
    assert sf.api_usage["api-usage"].used == 2
    fake_org.fail_next(1, "UNABLE_TO_LOCK_ROW", kinds=("collection_create",), per_record=True)
    acct = fake_org.insert("Account", Name="Acme")
    res = sf.restful("composite/sobjects", method="POST", json={"records": [
        {"attributes": {"type": "Entitlement"}, "Name": "E", "AccountId": acct}]})
    assert res[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"


def test_entitlements_off_and_unknown_field(rsps):
    org = FakeOrg(entitlements=False).install(rsps)
    sf = org.client()
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert "Account" in names and "Entitlement" not in names
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query("SELECT Id FROM SlaProcess")
    assert exc.value.content[0]["errorCode"] == "INVALID_TYPE"
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query("SELECT Nope__c FROM Account")
    assert exc.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_query_hook_and_clock(fake_org, sf):
    fake_org.on_query(r"FROM\s+Foo", [{"attributes": {"type": "Foo"}, "Id": "x"}])
    assert sf.query("SELECT Id FROM Foo WHERE Weird() = 1")["records"][0]["Id"] == "x"
    fake_org.advance(days=1)
    assert fake_org.now() == dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.timezone.utc)


def test_order_by_without_direction_is_ascending(fake_org, sf):
    for name in ("Beta", "Alpha", "Gamma"):
        fake_org.insert("Account", Name=name)
    plain = sf.query_all("SELECT Name FROM Account ORDER BY Name")["records"]
    asc = sf.query_all("SELECT Name FROM Account ORDER BY Name ASC")["records"]
    assert [r["Name"] for r in plain] == [r["Name"] for r in asc] == ["Alpha", "Beta", "Gamma"]
