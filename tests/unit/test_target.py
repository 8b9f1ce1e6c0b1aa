"""The SLA's object as one value (salesforce.Target): the prefix helper, and render taking the
project's target instead of "Case" literals (a WorkOrder-like target renders onto its object)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from slakit.config import load_project
from slakit.render.writer import render_files
from slakit.salesforce import CASE, TARGETS, Target

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tiers.yml"


def test_prefix_helper() -> None:
    assert CASE.prefix == "Case."
    assert CASE.bare("Case.L2__c") == CASE.bare("case.L2__c") == CASE.bare("L2__c") == "L2__c"
    assert CASE.bare("case.Gold_Warn", ignore_case=False) == "case.Gold_Warn"
    assert CASE.bare("Case.Account.Name") == "Account.Name"
    assert CASE.bare("Account.Name") == "Account.Name"
    assert CASE.field("SlaStartDate") == "Case.SlaStartDate"
    assert CASE.qualified("Priority") == "Case.Priority" and CASE.qualified("Account.Name") == "Account.Name"
    assert CASE.via("Entitlement.SlaProcess.Name") == "Case.Entitlement.SlaProcess.Name"
    assert TARGETS["Case"] is CASE


def test_project_carries_the_target() -> None:
    assert load_project(EXAMPLE).target is CASE


def test_render_follows_the_target() -> None:
    project = load_project(EXAMPLE)
    other = Target("WorkOrder", "EntityMilestone", "ParentEntityId", "ParentEntity", "WorkOrderHistory")
    files, _, _ = render_files(dataclasses.replace(project, target=other), validate=False)
    case_files, _, _ = render_files(project, validate=False)
    assert "workflows/WorkOrder.workflow" in files and "workflows/Case.workflow" not in files
    assert any(rel.startswith("objects/WorkOrder.object") for rel in files) == any(
        rel.startswith("objects/Case.object") for rel in case_files)
    process = next(data for rel, data in files.items() if rel.startswith("entitlementProcesses/"))
    assert b"<SObjectType>WorkOrder</SObjectType>" in process
    assert b"<entryStartDateField>WorkOrder.SlaStartDate</entryStartDateField>" in process
    assert b"<field>WorkOrder.IsClosed</field>" in process
    stamping = next(data for rel, data in files.items() if "Entitlement_Stamping" in rel)
    assert b"<object>WorkOrder</object>" in stamping
