"""JUnit XML: parses with both xml.etree and lxml, counts per suite and in total, failure bodies
carry expected and observed values."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from lxml import etree

from slakit.smoke.junit import write_junit
from slakit.smoke.report import Check, SmokeReport

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.timezone.utc)


def report() -> SmokeReport:
    r = SmokeReport(run_id="0302-1500-abcd", tag="slakit-smoke 0302-1500-abcd", org={"name": "uat"},
                    tiers=["Platinum", "Gold"], processes={"Platinum": "Platinum Smoke", "Gold": "Gold Smoke"})
    r.started, r.finished = T0, T0 + dt.timedelta(minutes=22)
    r.add(Check("", "deploy the smoke variant", "pass", observed="12 components"))
    r.add(Check("Gold", "stamping flow set the entitlement", "pass"))
    r.add(Check("Gold", "First Response: target date", "fail", expected="2026-03-02 15:20:00Z",
                observed="2026-03-02 23:00:00Z (+27600s)", message="TargetDate differs"))
    r.add(Check("Gold", "action: task 'x' (L2 Dwell on_violation)", "skip", message="run with --wait-actions"))
    r.add(Check("Platinum", "stamping flow set the entitlement", "pass"))
    r.add(Check("Platinum", "create fixtures", "error", message="REQUIRED_FIELD_MISSING: Name"))
    r.add(Check("", "cleanup", "pass", observed="8 deleted, 0 left"))
    return r


def test_junit_parses_and_counts(tmp_path):
    path = write_junit(report(), tmp_path / "out" / "smoke.xml")
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("7", "1", "1", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["slakit smoke: run", "slakit smoke: Platinum", "slakit smoke: Gold"]
    gold = suites["slakit smoke: Gold"]
    assert (gold.get("tests"), gold.get("failures"), gold.get("skipped"), gold.get("errors")) == ("3", "1", "1", "0")
    assert len(gold.findall("testcase")) == 3
    failure = gold.find("testcase[@name='First Response: target date']/failure")
    assert "expected: 2026-03-02 15:20:00Z" in failure.get("message")
    assert "observed: 2026-03-02 23:00:00Z (+27600s)" in failure.text
    assert gold.find("testcase[@name=\"action: task 'x' (L2 Dwell on_violation)\"]/skipped") is not None
    plat = suites["slakit smoke: Platinum"]
    assert plat.find("testcase[@name='create fixtures']/error").get("message").startswith("REQUIRED_FIELD_MISSING")
    assert sum(int(s.get("tests")) for s in suites.values()) == 7
    # lxml agrees, and the property carries the run id
    tree = etree.parse(str(path))
    assert tree.xpath("count(//testcase)") == 7
    assert tree.xpath("string(//testsuite[@name='slakit smoke: Gold']/properties/property[@name='run_id']/@value)") \
        == "0302-1500-abcd"


def test_report_ok_and_counts():
    r = report()
    assert not r.ok
    assert r.counts() == {"pass": 4, "fail": 1, "skip": 1, "error": 1, "total": 7}
    data = r.as_dict()
    assert data["ok"] is False and data["counts"]["total"] == 7 and data["seconds"] == 1320.0
    clean = SmokeReport(run_id="x", tag="t", org={}, tiers=["Gold"])
    clean.add(Check("Gold", "a", "pass"))
    clean.add(Check("Gold", "b", "skip"))
    assert clean.ok
    clean.cleanup.left.append("500xx")
    assert not clean.ok  # a record left behind (without --keep) fails the run
