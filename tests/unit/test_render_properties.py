"""Property: any valid tiers.yml renders to schema-valid metadata, deterministically, with every
referenced workflow action defined and warning offsets that never fire later than asked."""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from slakit.config import check
from slakit.errors import RenderError
from slakit.render.writer import render_files

NS = {"m": "http://soap.sforce.com/2006/04/metadata"}
ZONES = ["America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney", "UTC"]
NAME_CHARS = st.sampled_from(list("abcXYZ019 &<>\"'-_.()éßÜ日本"))
names = st.builds(lambda first, rest: (first + rest).strip(), st.sampled_from(list("abcXYZéÜ日")),
                  st.text(NAME_CHARS, max_size=29))


@st.composite
def windows(draw):
    start = draw(st.integers(0, 22))
    end = draw(st.integers(start + 1, 24))
    return f"{start:02d}:00-{end:02d}:00"


@st.composite
def actions(draw):
    kind = draw(st.sampled_from(["email", "set", "task"]))
    if kind == "email":
        pool = ["owner", "account_owner", "creator", "group:Managers", "role:Lead", "a@example.com"]
        return {"email": draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))}
    if kind == "set":
        field = draw(st.sampled_from(["Flag_A__c", "When_B__c", "Count_C__c", "Note_D__c", "Status"]))
        value = {"Flag_A__c": True, "When_B__c": "now", "Count_C__c": 3, "Note_D__c": draw(names),
                 "Status": "Escalated"}[field]
        return {"set": {field: value}}
    return {"task": {"subject": draw(names), "assign_to": draw(st.sampled_from(["owner", "creator", "role:Lead"])),
                     "due_in_days": draw(st.integers(0, 5))}}


@st.composite
def tiers_files(draw):
    hours = []
    for i in range(draw(st.integers(0, 2))):
        days = draw(st.dictionaries(st.sampled_from(["monday", "tuesday", "wednesday", "thursday", "friday",
                                                     "saturday", "sunday"]), windows(), min_size=1))
        hours.append({"name": f"Hours {i} " + draw(names), "time_zone": draw(st.sampled_from(ZONES)),
                      "hours": days,
                      "holidays": [{"name": draw(names), "date": "2026-05-01", "recurs": "yearly"}]
                      if draw(st.booleans()) else []})
    ms_names = draw(st.lists(names, min_size=1, max_size=5, unique_by=str.lower))
    recurrence = {n: draw(st.sampled_from(["none", "sequential", "independent"])) for n in ms_names}
    tiers = []
    for t in draw(st.lists(names, min_size=1, max_size=3, unique_by=str.lower)):
        picked = draw(st.lists(st.sampled_from(ms_names), min_size=1, max_size=len(ms_names), unique=True))
        milestones = []
        for n in picked:
            ms = {"name": n, "time_limit": draw(st.sampled_from(["1m", "7m", "30m", "45m", "2h", "9h", "2d"])),
                  "recurrence": recurrence[n],
                  "warnings": draw(st.lists(st.floats(1, 99).map(lambda x: round(x, 1)), max_size=3, unique=True)),
                  "on_warning": draw(st.lists(actions(), max_size=2)),
                  "on_violation": draw(st.lists(actions(), max_size=2)),
                  "on_success": draw(st.lists(actions(), max_size=1))}
            if draw(st.booleans()):
                ms["applies_when"] = [{"field": "Case.Priority", "operator": "equals", "value": draw(names)}]
                ms["start"] = draw(st.sampled_from(["process", "criteria"]))
            milestones.append(ms)
        tier = {"name": t, "description": draw(names), "milestones": milestones}
        if hours and draw(st.booleans()):
            tier["business_hours"] = hours[0]["name"]
        tiers.append(tier)
    return {"api_version": "62.0", "business_hours": hours, "tiers": tiers}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(doc=tiers_files())
def test_valid_configs_render_schema_valid(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("prop") / "tiers.yml"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    result = check(path, lint=False)
    assume(result.ok)  # e.g. two generated names that sanitize to the same API name
    try:
        files, members, _ = render_files(result.project, "mdapi", validate=True)
    except RenderError as exc:
        # the one content conflict render reports itself: a field written as two different types
        assert exc.message.startswith("written as "), exc.lines()
        return
    again, _, _ = render_files(result.project, "mdapi", validate=True)
    assert again == files
    defined: dict[str, set[str]] = {"Alert": set(), "FieldUpdate": set(), "Task": set()}
    if "workflows/Case.workflow" in files:
        wf = etree.fromstring(files["workflows/Case.workflow"])
        for tag, type_ in (("alerts", "Alert"), ("fieldUpdates", "FieldUpdate"), ("tasks", "Task")):
            names_ = wf.xpath(f"m:{tag}/m:fullName/text()", namespaces=NS)
            assert len(names_) == len(set(names_))
            assert all(len(n) <= 40 for n in names_)
            defined[type_] = set(names_)
    project = result.project
    for tier in project.tiers:
        procs = [k for k in files if k.startswith("entitlementProcesses/")]
        assert len(procs) == len(project.tiers)
    for rel in (k for k in files if k.startswith("entitlementProcesses/")):
        root = etree.fromstring(files[rel])
        tier = next(t for t in project.tiers if t.name == root.findtext("m:name", namespaces=NS))
        for ms_el, ms in zip(root.xpath("m:milestones", namespaces=NS), tier.milestones, strict=True):
            assert int(ms_el.findtext("m:minutesToComplete", namespaces=NS)) == ms.time_limit_minutes
            for ref in ms_el.xpath(".//m:actions | m:successActions", namespaces=NS):
                assert ref.findtext("m:name", namespaces=NS) in defined[ref.findtext("m:type", namespaces=NS)]
            lengths = [int(x) for x in ms_el.xpath("m:timeTriggers/m:timeLength/text()", namespaces=NS)]
            warn = sorted(-x for x in lengths if x < 0)
            if ms.on_warning:
                # each warning fires at or before its percentage of the limit, by less than a minute
                expected = sorted({math.ceil(ms.time_limit_minutes * (100 - p) / 100 - 1e-9) for p in ms.warnings})
                assert warn == [e for e in expected if e > 0]
            else:
                assert warn == []
    assert "package.xml" in files
