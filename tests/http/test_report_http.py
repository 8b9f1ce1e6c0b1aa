"""`compliance_report` streamed through simple-salesforce against the fake org.

Durations are business minutes worked out by hand in tests/fakes/audit_org.py `history()`."""

from __future__ import annotations

import datetime as dt

import pytest

from slakit.audit.report import compliance_report
from tests.fakes.audit_org import history, support_org


@pytest.fixture
def org(fake_org):
    ids = support_org(fake_org)
    history(fake_org, ids)
    return fake_org


def _report(org, sf, **kw):
    return compliance_report(sf, since=org.now() - dt.timedelta(days=30), until=org.now(), **kw)


def test_groups_per_tier_and_milestone(org, sf):
    rep = _report(org, sf)
    gold_fr = rep.groups[("Gold", "First Response")].as_dict()
    # met: g1 90, g2 120, g4 200, g5 30, acme-done 20; violated: g3 360; open: acme-fr, acme-weekend,
    # acme-closed. Sorted durations 20 30 90 120 200 360: nearest-rank median = 3rd = 90, p90 = 6th.
    assert gold_fr == {"count": 9, "met": 5, "violated": 1, "open": 3, "pct_met": 83.3,
                       "median_minutes": 90, "p90_minutes": 360, "completed": 6}
    plat = rep.groups[("Platinum", "First Response")].as_dict()
    assert (plat["met"], plat["violated"], plat["open"], plat["median_minutes"], plat["p90_minutes"]) == \
        (1, 1, 1, 60, 180)
    assert rep.groups[("Gold", "Agent Assignment")].as_dict()["pct_met"] == 0.0
    assert rep.groups[("Gold", "Resolution")].as_dict()["pct_met"] is None  # nothing judged yet
    assert rep.scanned == rep.expected == 16  # 9 current + 7 history; January is outside the window


def test_weekly_breakdown(org, sf):
    rep = _report(org, sf)
    week = rep.weekly[("Gold", "First Response", dt.date(2026, 2, 23))].as_dict()
    # g1..g4 plus acme-weekend (started Fri 2026-02-27, still open)
    assert (week["count"], week["met"], week["violated"], week["open"]) == (5, 3, 1, 1)
    assert (week["median_minutes"], week["p90_minutes"]) == (120, 360)  # 90 120 200 360
    assert rep.weeks() == [dt.date(2026, 2, 16), dt.date(2026, 2, 23), dt.date(2026, 3, 2)]
    gold_w08 = rep.tier_week("Gold", dt.date(2026, 2, 16))
    assert (gold_w08.count, gold_w08.met, gold_w08.pct_met) == (1, 1, 100.0)


def test_streams_page_by_page(org, sf):
    org.page_size = 3
    rep = _report(org, sf)
    assert rep.scanned == 16
    assert org.count("query") >= 1 + 1 + 6  # hours, COUNT(), then 6 pages of 3


def test_tier_filter(org, sf):
    rep = _report(org, sf, tiers=["Platinum"])
    assert rep.tiers() == ["Platinum"] and rep.scanned == 4
