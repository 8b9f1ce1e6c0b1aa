"""`slakit backfill` end to end: the real entry point, the real CumulusCI keychain (an org from
CUMULUSCI_ORG_UAT with an access token), simple-salesforce, and the fake org over HTTP."""

from __future__ import annotations

import json

import pytest

from tests.fakes import INSTANCE_URL, SESSION_ID, FakeOrg
from tests.fakes.bulk import TIERS_YML, seed_accounts, seed_processes


@pytest.fixture
def env(cci_home, monkeypatch, tmp_path, no_sleep):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CUMULUSCI_DISABLE_REFRESH", "1")
    (tmp_path / "tiers.yml").write_text(TIERS_YML)

    def use(org: FakeOrg) -> FakeOrg:
        monkeypatch.setenv("CUMULUSCI_ORG_UAT", json.dumps({
            "instance_url": INSTANCE_URL, "access_token": SESSION_ID, "org_id": org.org_id,
            "username": "ci@example.com.uat"}))
        return org
    return use


def writes(org) -> int:
    return sum(n for kind, n in org.counts().items() if kind.startswith(("collection_", "bulk", "sobject_create")))


def test_dry_run_prints_the_plan_and_writes_nothing(env, fake_org, run_cli, tmp_path):
    env(fake_org)
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 2, "Gold": 1})
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "dry run" in result.stdout and "Platinum" in result.stdout and "Platinum 0" in result.stdout
    assert writes(fake_org) == 0 and not (tmp_path / ".slakit").exists()


def test_apply_json_then_undo(env, fake_org, run_cli, tmp_path):
    env(fake_org)
    seed_processes(fake_org)
    seed_accounts(fake_org, {"Platinum": 2, "Gold": 1, "Standard": 1})
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--json", "--cases")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["ok"] and doc["totals"]["created"] == 4 and doc["mode"] == "collections"
    journal = doc["journal"]
    assert journal.startswith(".slakit/journal/") and (tmp_path / journal).is_file()
    assert SESSION_ID not in result.stdout + result.stderr

    undone = run_cli("backfill", "--undo", journal, "--org", "uat", "--json")
    assert undone.exit_code == 0, undone.stderr
    assert json.loads(undone.stdout)["deleted"] == 4 and fake_org.records["Entitlement"] == {}


def test_failures_exit_1_with_a_table_and_an_error_file(env, fake_org, run_cli):
    env(fake_org)
    seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 3})
    fake_org.validators["Entitlement"].append(
        lambda org, rec, op: [{"statusCode": "DUPLICATE_VALUE", "message": "duplicate", "fields": []}]
        if rec.get("AccountId") == accts["Platinum"][0] else [])
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--tier", "Platinum")
    assert result.exit_code == 1
    assert "created" in result.stdout and "failed" in result.stdout
    assert "DUPLICATE_VALUE" in result.stdout and ".errors.csv" in result.stdout


def test_production_needs_yes_when_not_interactive(env, rsps, run_cli):
    org = env(FakeOrg(sandbox=False).install(rsps))
    seed_processes(org)
    seed_accounts(org, {"Platinum": 1})
    refused = run_cli("backfill", "tiers.yml", "--org", "uat")
    assert refused.exit_code == 1 and "production" in refused.stderr and "--yes" in refused.stderr
    assert writes(org) == 0
    done = run_cli("backfill", "tiers.yml", "--org", "uat", "--yes")
    assert done.exit_code == 0, done.stderr
    assert len(org.records["Entitlement"]) == 1


def test_bad_options_exit_2(env, fake_org, run_cli):
    env(fake_org)
    seed_processes(fake_org)
    assert run_cli("backfill", "tiers.yml", "--org", "uat", "--batch-size", "500").exit_code == 2
    assert run_cli("backfill", "tiers.yml", "--org", "uat", "--bulk", "sometimes").exit_code == 2
    bad_tier = run_cli("backfill", "tiers.yml", "--org", "uat", "--tier", "Bronze")
    assert bad_tier.exit_code == 2 and "Bronze" in bad_tier.stderr
    assert run_cli("backfill", "--org", "uat").exit_code == 2


def test_apply_prints_org_table_and_an_undo_command_naming_the_org(env, fake_org, run_cli, tmp_path):
    env(fake_org)
    seed_processes(fake_org)
    accts = seed_accounts(fake_org, {"Platinum": 2})
    fake_org.validators["Entitlement"].append(
        lambda org, rec, op: [{"statusCode": "DUPLICATE_VALUE", "message": "duplicate", "fields": []}]
        if rec.get("AccountId") == accts["Platinum"][0] else [])
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--tier", "Platinum", "--journal-dir", tmp_path)
    assert result.exit_code == 1  # one record failed
    assert "org: " in result.stdout and "(sandbox)" in result.stdout
    journal = next(tmp_path.glob("*.jsonl"))
    assert f"(undo: slakit backfill --undo {journal} --org uat)" in result.stdout
    assert f"account {accts['Platinum'][0]}: DUPLICATE_VALUE: duplicate" in result.stdout


def test_dry_run_cases_says_how_many_would_be_violated_at_once(env, fake_org, run_cli):
    """issue 11 item 10: --sla-start now (default) stamps none violated; created says how many."""
    from tests.http.test_backfill import _storm_cases

    env(fake_org)
    _storm_cases(fake_org)
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--dry-run", "--cases")
    assert result.exit_code == 0, result.stderr
    # the CLI runs on the real clock, months after every one of these cases' targets: all 4
    assert "open cases violated at once: 0 would be (--sla-start now); with --sla-start created: 4" in result.stdout
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--dry-run", "--cases", "--sla-start", "created")
    assert "open cases violated at once: 4 would be (--sla-start created)" in result.stdout
    bad = run_cli("backfill", "tiers.yml", "--org", "uat", "--cases", "--sla-start", "later")
    assert bad.exit_code == 2 and "--sla-start 'later'" in bad.stderr
    assert writes(fake_org) == 0


def test_filter_fields_the_org_lacks_are_one_line_each_and_nothing_is_written(env, fake_org, run_cli, tmp_path):
    """issue 15: entitlement.accounts is checked against Account's describe in preflight; a
    relationship path is checked on its first hop (Owner is a relationship of Account)."""
    env(fake_org)
    seed_processes(fake_org)
    text = TIERS_YML.replace("accounts: \"Support_Tier__c = 'Platinum'\"",
                             "accounts: \"Suport_Tier__c = 'Platinum' AND Owner.Name != null AND Region__c = 'EU'\"")
    text = text.replace("accounts: \"Support_Tier__c = 'Gold' OR AnnualRevenue > 1000000\"",
                        "accounts: \"Support_Tier__c = 'Gold' OR Parnt.Name = 'Acme'\"")
    assert text.count("Suport_Tier__c") == 1 and text.count("Parnt.Name") == 1
    (tmp_path / "tiers.yml").write_text(text)
    line = {n: i for i, l in enumerate(text.splitlines(), start=1) for n in ("Suport", "Parnt") if n in l}
    result = run_cli("backfill", "tiers.yml", "--org", "uat", "--dry-run")
    assert result.exit_code == 1
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert lines[0] == "the org is not ready for a backfill"
    hint = "create the field, grant field-level access, or fix the filter"
    assert lines[1:] == [
        f"tiers.yml:{line['Suport']}:17: tiers[0].entitlement.accounts: tier 'Platinum' reads "
        "Suport_Tier__c, but Account has no field Suport_Tier__c in this org (or this user cannot see it) "
        "(did you mean Support_Tier__c?)",
        f"tiers.yml:{line['Suport']}:17: tiers[0].entitlement.accounts: tier 'Platinum' reads "
        f"Region__c, but Account has no field Region__c in this org (or this user cannot see it) ({hint})",
        f"tiers.yml:{line['Parnt']}:17: tiers[1].entitlement.accounts: tier 'Gold' reads "
        "Parnt.Name, but Account has no relationship Parnt in this org (or this user cannot see it) "
        "(did you mean Parent?)",
    ]
    assert any(c.path.endswith("/sobjects/Account/describe") for c in fake_org.calls)
    assert writes(fake_org) == 0
