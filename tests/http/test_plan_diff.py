"""`slakit plan` says WHAT differs in a changed component, through the real CumulusCI retrieve and
simple-salesforce queries answered by the fake org (tests/fakes). The expected lines follow from
the edit each test makes to the rendered files (or to the org) and from the documented format:
`path before -> after`, `path added`, `path removed`; at most 10 lines a component, then
`... and N more`; in --json every difference as {"path", "before", "after"} (before = the org)."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.http.test_deploy import cli
from tests.http.test_plan import deployed, open_case_on  # noqa: F401  (fixtures)
from tests.http.test_plan_retrieved import GOLD, make_retrieve_realistic

pytestmark = pytest.mark.usefixtures("no_sleep")
PAD = "      "  # detail lines sit under their component


def edited(rendered, tmp_path, edits: dict[str, list[tuple[bytes, bytes]]]):
    """A copy of the rendered package with exact byte edits (each must apply)."""
    folder = tmp_path / "edited"
    shutil.copytree(rendered, folder)
    for rel, pairs in edits.items():
        path = folder / rel
        data = path.read_bytes()
        for old, new in pairs:
            assert old in data, old
            data = data.replace(old, new, 1)
        path.write_bytes(data)
    return folder


def block(out: str, header: str) -> list[str]:
    """The detail lines printed under `header` (up to the next component or the summary)."""
    lines = out.splitlines()
    start = lines.index(header) + 1
    end = start
    while end < len(lines) and lines[end].startswith(PAD):
        end += 1
    return [line[len(PAD):] for line in lines[start:end]]


WARNING_30 = b"""<timeTriggers>
            <actions>
                <name>Gold_First_Response_Warning_Email</name>
                <type>Alert</type>
            </actions>
            <timeLength>-30</timeLength>
            <workflowTimeTriggerUnit>Minutes</workflowTimeTriggerUnit>
        </timeTriggers>
        """
L2_DWELL = re.compile(rb"<milestones>\s*<milestoneCriteriaFilterItems>.*?<milestoneName>L2 Dwell</milestoneName>"
                      rb".*?</milestones>\s*", re.S)
ONE_DAY_HOURS = b"<mondayStartTime>09:00:00.000Z</mondayStartTime>\n        <name>US Business Hours</name>"


def without_l2_dwell(folder):
    path = folder / GOLD
    data, n = L2_DWELL.subn(b"", path.read_bytes())
    assert n == 1
    path.write_bytes(data)


def test_a_time_limit_change_names_the_milestone_and_both_values(deployed, tiers, tmp_path, capsys,  # noqa: F811
                                                                 rendered_acceptance):
    folder = edited(rendered_acceptance, tmp_path, {GOLD: [(b"<minutesToComplete>240</minutesToComplete>",
                                       b"<minutesToComplete>180</minutesToComplete>")]})
    code, out, err = cli(capsys, "plan", tiers, "--from", folder, "--org", "uat", "--detailed-exitcode")
    assert code == 2, out + err
    assert block(out, "  ~ EntitlementProcess Gold: no open cases: edited in place") == [
        "milestone First Response: minutesToComplete 240 -> 180"]


def test_an_added_warning_and_a_removed_milestone_under_a_new_version(deployed, tiers, tmp_path, capsys,  # noqa: F811
                                                                      rendered_acceptance):
    open_case_on(deployed, "gold")
    folder = edited(rendered_acceptance, tmp_path, {GOLD: [(b"<timeTriggers>", WARNING_30 + b"<timeTriggers>")]})
    without_l2_dwell(folder)
    code, out, err = cli(capsys, "plan", tiers, "--from", folder, "--org", "uat", "--detailed-exitcode")
    assert code == 2, out + err
    header = ("  ^ EntitlementProcess Gold v1 -> v2 (gold_v2): 1 open case(s) use it: publish version 2; "
              "they finish on version 1")
    assert block(out, header) == ["milestone First Response: warning at -30 min added",
                                  "milestone L2 Dwell: removed"]


def test_business_hours_name_each_day_that_changes(deployed, tiers, tmp_path, capsys,  # noqa: F811
                                                   rendered_acceptance):
    us = deployed.find("BusinessHours", Name="US Business Hours")[0]
    deployed.update("BusinessHours", us["Id"], {"FridayStartTime": None, "FridayEndTime": None})  # closed in Setup
    folder = edited(rendered_acceptance, tmp_path, {"settings/BusinessHours.settings": [
        (ONE_DAY_HOURS, ONE_DAY_HOURS.replace(b"09:00", b"08:00"))]})
    code, out, err = cli(capsys, "plan", tiers, "--from", folder, "--org", "uat", "--detailed-exitcode")
    assert code == 2, out + err
    assert block(out, "  ~ BusinessHours US Business Hours: hours differ on Monday, Friday") == [
        "monday 09:00-17:00 -> 08:00-17:00", "friday closed -> 09:00-17:00"]
    assert "  ~ BusinessHours EMEA Business Hours" not in out  # untouched rows say nothing


def test_json_lists_every_difference_as_path_before_after(deployed, tiers, tmp_path, capsys,  # noqa: F811
                                                          rendered_acceptance):
    open_case_on(deployed, "gold")
    folder = edited(rendered_acceptance, tmp_path, {GOLD: [(b"<minutesToComplete>240</minutesToComplete>",
                                       b"<minutesToComplete>180</minutesToComplete>"),
                                      (b"<timeTriggers>", WARNING_30 + b"<timeTriggers>")],
                               "settings/BusinessHours.settings": [
                                   (ONE_DAY_HOURS, ONE_DAY_HOURS.replace(b"09:00", b"08:00"))]})
    without_l2_dwell(folder)
    code, out, err = cli(capsys, "plan", tiers, "--from", folder, "--org", "uat", "--json", "--detailed-exitcode")
    assert code == 2, err
    by = {(c["type"], c["name"]): c for c in json.loads(out)["changes"]}
    gold = by[("EntitlementProcess", "Gold")]
    assert gold["action"] == "version"
    assert [(d["path"], d["before"], d["after"] if not isinstance(d["after"], dict) else "{...}")
            for d in gold["diff"]] == [
        ("milestone First Response: minutesToComplete", "240", "180"),
        ("milestone First Response: warning at -30 min", None, "{...}"),
        ("milestone L2 Dwell", gold["diff"][2]["before"], None),
    ]
    added = gold["diff"][1]["after"]  # the whole trigger, as deployed (time in minutes)
    assert added["timeLength"] == "-30" and added["actions"] == {"name": "Gold_First_Response_Warning_Email",
                                                                 "type": "Alert"}
    removed = gold["diff"][2]["before"]  # what the org has and the deploy drops
    assert removed["milestoneName"] == "L2 Dwell" and removed["minutesToComplete"] == "360"
    assert all(set(d) == {"path", "before", "after"} for c in by.values() for d in c["diff"])
    assert by[("BusinessHours", "US Business Hours")]["diff"] == [
        {"path": "monday", "before": "09:00-17:00", "after": "08:00-17:00"}]
    assert by[("EntitlementProcess", "Platinum")]["action"] == "unchanged"
    assert by[("EntitlementProcess", "Platinum")]["diff"] == []


def test_detail_is_bounded_and_in_a_stable_order(deployed, tiers, tmp_path, capsys, rendered_acceptance):  # noqa: F811
    folder = edited(rendered_acceptance, tmp_path, {})
    path = folder / GOLD
    data = path.read_bytes()
    assert data.count(b"<type>Alert</type>") == 14  # every warning and violation email of Gold
    path.write_bytes(data.replace(b"<type>Alert</type>", b"<type>Task</type>"))
    runs = [cli(capsys, "plan", tiers, "--from", folder, "--org", "uat") for _ in range(2)]
    assert runs[0][1] == runs[1][1]
    lines = block(runs[0][1], "  ~ EntitlementProcess Gold: no open cases: edited in place")
    assert len(lines) == 11 and lines[-1] == "... and 4 more"
    # file order of milestones; a milestone's triggers by time (they are a set in Salesforce)
    assert lines[:4] == [
        f"milestone First Response: {when}: action Gold_First_Response_{what}_Email: type Alert -> Task"
        for when, what in [("warning at -120 min", "Warning"), ("warning at -60 min", "Warning"),
                           ("warning at -24 min", "Warning"), ("violation at 0 min", "Violation")]]
    assert lines[4].startswith("milestone Agent Assignment: warning at -8 min: ")
    code, out, err = cli(capsys, "plan", tiers, "--from", folder, "--org", "uat", "--json")
    gold = next(c for c in json.loads(out)["changes"] if c["name"] == "Gold")
    assert len(gold["diff"]) == 14  # --json is not cut


def test_what_a_retrieve_writes_back_is_never_listed_as_a_difference(deployed, mdapi, tiers, capsys,  # noqa: F811
                                                                     rendered_acceptance):
    files = make_retrieve_realistic(mdapi, deployed)  # defaults, Case. prefixes, -2 Hours, CRLF, other alerts
    files[GOLD] = files[GOLD].replace(b"<isDisplayedOnLinkedEntity>false</isDisplayedOnLinkedEntity>",
                                      b"<isDisplayedOnLinkedEntity>true</isDisplayedOnLinkedEntity>", 1)
    wf = "workflows/Case.workflow"
    files[wf] = files[wf].replace(b"<literalValue>1</literalValue>", b"<literalValue>0</literalValue>", 1)
    code, out, err = cli(capsys, "plan", tiers, "--from", rendered_acceptance, "--org", "uat")
    assert block(out, "  ~ EntitlementProcess Gold: no open cases: edited in place") == [
        "milestone First Response: isDisplayedOnLinkedEntity true -> false"]  # omitted in ours: the default
    assert block(out, "  ~ Workflow Case") == ["field update Gold_Agent_Assignment_Violation_Set: literalValue 0 -> 1"]
