"""`slakit smoke` through the real entry point: the real render, CumulusCI deploy and
simple-salesforce against the fake org (tests/fakes/smoke_org.py). The time source is the fake
org's clock: `time.sleep` moves it and the run reads it (sleeps and the clock are patched, never
slakit's logic)."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import pytest

from tests.fakes.smoke_org import SmokeOrg

RULES = {"First Response Smoke": "first_response", "Agent Assignment Smoke": "owner_assigned",
         "L2 Dwell Smoke": ("L2_Assigned__c", False), "Resolution Smoke": "case_closed"}


@pytest.fixture
def smoke(org_conn, fake_org, mdapi, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line
    org = SmokeOrg(fake_org, mdapi, completions=RULES)
    monkeypatch.setattr(time, "sleep", org.sleep)
    monkeypatch.setattr("slakit.smoke.runner._utcnow", org.now)
    return org


def test_table_and_junit_for_a_passing_tier(run_cli, smoke, tiers, tmp_path, fake_org):
    junit = tmp_path / "reports" / "smoke.xml"
    result = run_cli("smoke", tiers, "--org", "uat", "--tier", "Gold", "--junit", junit)
    assert result.exit_code == 0, result.stderr + result.stdout
    out = result.stdout
    row = next(line for line in out.splitlines() if "Agent Assignment: target date" in line)
    # created at 15:00 plus the seconds CumulusCI's deploy polls took; 4 smoke minutes later
    assert row.startswith("Gold ") and " pass " in row and "complete case: 2026-03-02 15:04:0" in row
    # 18 tier checks + deploy, separation, cleanup pass; 8 email alerts + 2 side effects skipped
    assert "Smoke run " in out and " on uat passed: 21 passed, 0 failed, 0 errors, 10 skipped" in out
    assert "5 record(s) deleted" in out
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("31", "0", "0", "10")
    gold = root.find("testsuite[@name='slakit smoke: Gold']")
    assert gold.get("tests") == "28" and len(gold.findall("testcase")) == 28
    assert fake_org.find("Case") == []


def test_json_is_one_document(run_cli, smoke, tiers):
    result = run_cli("smoke", tiers, "--org", "uat", "--tier", "platinum", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["tiers"] == ["Platinum"]
    assert doc["processes"] == {"Platinum": "Platinum Smoke"}
    assert doc["limits"] == {"Platinum": {"First Response": 20, "Resolution": 20}}
    assert doc["cleanup"]["left"] == [] and doc["cleanup"]["deleted"] == 5
    assert {c["status"] for c in doc["checks"]} <= {"pass", "skip"}


def test_stamping_failure_exits_1_and_junit_counts_it(run_cli, org_conn, fake_org, mdapi, monkeypatch, tiers,
                                                      tmp_path):
    monkeypatch.setenv("COLUMNS", "250")
    org = SmokeOrg(fake_org, mdapi, completions=RULES, stamping=False)
    monkeypatch.setattr(time, "sleep", org.sleep)
    monkeypatch.setattr("slakit.smoke.runner._utcnow", org.now)
    junit = tmp_path / "smoke.xml"
    result = run_cli("smoke", tiers, "--org", "uat", "--tier", "Gold", "--junit", junit)
    assert result.exit_code == 1
    assert "stamping flow set the entitlement" in result.stdout
    assert "complete case: blank" in result.stdout
    root = ET.parse(junit).getroot()
    assert (root.get("failures"), root.get("skipped")) == ("1", "27")
    failure = root.find(".//testcase[@name='stamping flow set the entitlement']/failure")
    assert "observed: complete case: blank, alone case: blank" in failure.text


def test_production_is_refused_with_one_line(run_cli, smoke, fake_org, tiers, mdapi):
    fake_org.get_record(fake_org.org_id)["IsSandbox"] = False
    result = run_cli("smoke", tiers, "--org", "uat")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "production org" in lines[0] and "Traceback" not in result.stderr
    assert mdapi.deploys == []


@pytest.mark.parametrize("args, field", [(("--tier", "Bronze"), "--tier"),
                                         (("--actions-timeout", "soon"), "--actions-timeout"),
                                         (("--minutes", "0"), "--minutes")])
def test_bad_options_exit_2(run_cli, tiers, args, field):
    result = run_cli("smoke", tiers, "--org", "uat", *args)
    assert result.exit_code == 2
    assert field in result.stderr and "Traceback" not in result.stderr


def test_fresh_sandbox_stops_with_one_line_naming_the_deploy_first(run_cli, org_conn, fake_org, mdapi,
                                                                   monkeypatch, tiers):
    """Before any `slakit deploy`, the Case fields the real deploy creates are missing: smoke stops
    before deploying or creating anything, with one line and the command to run (issue 11 item 12)."""
    org = SmokeOrg(fake_org, mdapi, completions=RULES)
    monkeypatch.setattr(time, "sleep", org.sleep)
    monkeypatch.setattr("slakit.smoke.runner._utcnow", org.now)
    for name in ("SLA_Breached__c", "Resolution_Met_At__c"):  # what `slakit deploy` renders
        del fake_org.objects["Case"][name]
    result = run_cli("smoke", tiers, "--org", "uat")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"Case.Resolution_Met_At__c, Case.SLA_Breached__c are not in the org yet: smoke reuses the "
                     f"fields slakit deploy creates (run `slakit deploy {tiers} --org uat` first, then smoke)"]
    assert mdapi.deploys == [] and fake_org.find("Account") == [] and fake_org.find("Case") == []
    doc = json.loads(run_cli("smoke", tiers, "--org", "uat", "--tier", "Gold", "--json").stdout)
    assert doc["ok"] is False and doc["error"].startswith("Case.SLA_Breached__c is not in the org yet")
