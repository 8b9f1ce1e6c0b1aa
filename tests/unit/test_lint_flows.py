"""Lint for what the flows need: fields completes_when reads, tiers nothing stamps."""

from __future__ import annotations

import textwrap
from pathlib import Path

from slakit.config.lint_flows import lint_flows
from slakit.config.load import read_yaml
from slakit.config import load_project

DATA = Path(__file__).resolve().parent.parent / "data"


def lint(tmp_path, text):
    path = tmp_path / "tiers.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return lint_flows(load_project(path), read_yaml(path))


def test_acceptance_l2_flag_is_left_to_the_main_lint():
    # L2_Assigned__c is also read by applies_when: the main lint's lint.read-field reports it once
    path = DATA / "acceptance.yml"
    assert lint_flows(load_project(path), read_yaml(path)) == []


def test_a_completes_when_field_nothing_renders_is_reported_once(tmp_path):
    problems = lint(tmp_path, """\
        tiers:
          - name: Gold
            milestones:
              - name: Handover
                time_limit: 1h
                completes_when:
                  - {field: Case.Handed_Over__c, operator: equals, value: "true"}
              - name: Again
                time_limit: 1h
                completes_when: [{field: Handed_Over__c, operator: equals, value: "true"}]
            entitlement: {accounts: "Name != null"}
    """)
    assert [(p.code, p.severity) for p in problems] == [("lint.flow-field-not-rendered", "warning")]
    p = problems[0]
    assert "Handed_Over__c" in p.message and "existing_fields" in p.hint
    assert p.field == "tiers[0].milestones[0].completes_when[0].field"
    assert p.line == 7  # the line of `- {field: Case.Handed_Over__c, ...}`


def test_declared_or_rendered_fields_and_standard_fields_are_fine(tmp_path):
    problems = lint(tmp_path, """\
        existing_fields: [Case.L2_Assigned__c]
        tiers:
          - name: A
            milestones:
              - name: L2
                time_limit: 1h
                completes_when: [{field: Case.L2_Assigned__c, operator: equals, value: "false"}]
              - name: Met
                time_limit: 1h
                completes_when: [{field: Case.Met__c, operator: equals, value: "true"}]
                on_violation: [{set: {Met__c: true}}]
              - name: Prio
                time_limit: 1h
                completes_when: [{field: Case.Priority, operator: equals, value: Low}]
            entitlement: {accounts: "Name != null"}
    """)
    assert problems == []


def test_tier_without_accounts(tmp_path):
    # an operator the flow cannot check (`within`) was a lint warning; since issue 15 it is an error
    # of validate (tests/data/hostile/completes_within.yml)
    problems = lint(tmp_path, """\
        tiers:
          - name: Nobody
            milestones:
              - name: Geo
                time_limit: 1h
                completes_when: [{field: Case.Priority, operator: equals, value: "5"}]
          - name: Sold
            milestones: [{name: R, time_limit: 1h, completes_when: case_closed}]
            entitlement: {on_closed_won: {product_family: Support}}
    """)
    assert [(p.code, p.field) for p in problems] == [("lint.tier-without-accounts", "tiers[0].entitlement")]
    assert all(p.severity == "warning" for p in problems)
    assert "Nobody" in problems[0].message
    assert problems[0].line == 2  # falls back to the tier (no entitlement key in the file)
