"""slakit.config.written: the one home of the fields a project writes (lint, render, smoke)."""

from pathlib import Path

from slakit.config import load_project
from slakit.config.written import rendered_fields, renders_field, written_fields

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tiers.yml"

TIERS = """\
api_version: "62.0"
existing_fields: [Case.Escalated_By_Hand__c]
tiers:
  - name: Gold
    entitlement: {accounts: "Tier__c = 'Gold'"}
    milestones:
      - name: First Response
        time_limit: 1h
        completes_when: first_response
        on_violation:
          - set: {Case.SLA_Breached__c: true}
          - set: {Escalated_By_Hand__c: true}
          - set: {Priority: High}
  - name: Silver
    entitlement: {accounts: "Tier__c = 'Silver'"}
    milestones:
      - name: First Response
        time_limit: 4h
        completes_when: first_response
        on_warning:
          - set: {Case.Warned_At__c: now}
"""


def test_written_fields_are_bare_and_rendered_ones_exclude_existing_and_standard(tmp_path):
    path = tmp_path / "tiers.yml"
    path.write_text(TIERS, encoding="utf-8")
    project = load_project(path)
    assert written_fields(project.tiers) == {"SLA_Breached__c", "Escalated_By_Hand__c", "Priority", "Warned_At__c"}
    assert rendered_fields(project) == {"SLA_Breached__c", "Warned_At__c"}
    assert rendered_fields(project, [project.tier("Gold")]) == {"SLA_Breached__c"}
    assert not renders_field(project, "Escalated_By_Hand__c") and not renders_field(project, "Priority")


def test_the_example_renders_exactly_the_fields_render_writes():
    from slakit.render.actions import plan_actions

    project = load_project(EXAMPLE)
    assert set(plan_actions(project).fields) == rendered_fields(project)
