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


def test_acceptance_warns_about_the_l2_flag_only():
    path = DATA / "acceptance.yml"
    problems = lint_flows(load_project(path), read_yaml(path))
    assert [(p.code, p.severity) for p in problems] == [("flow-field-not-rendered", "warning")]
    p = problems[0]
    assert "L2_Assigned__c" in p.message
    assert p.field == "tiers[1].milestones[2].completes_when[0].field"
    # the criterion `- {field: Case.L2_Assigned__c, operator: equals, value: "false"}` in the file
    line = path.read_text().splitlines()[p.line - 1]
    assert "Case.L2_Assigned__c" in line and '"false"' in line
    assert "existing_fields" in p.hint


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


def test_tier_without_accounts_and_unsupported_operator(tmp_path):
    problems = lint(tmp_path, """\
        tiers:
          - name: Nobody
            milestones:
              - name: Geo
                time_limit: 1h
                completes_when: [{field: Case.Priority, operator: within, value: "5"}]
          - name: Sold
            milestones: [{name: R, time_limit: 1h, completes_when: case_closed}]
            entitlement: {on_closed_won: {product_family: Support}}
    """)
    assert [(p.code, p.field) for p in problems] == [
        ("flow-operator-unsupported", "tiers[0].milestones[0].completes_when[0].operator"),
        ("tier-without-accounts", "tiers[0].entitlement"),
    ]
    assert all(p.severity == "warning" for p in problems)
    assert "Nobody" in problems[1].message
    assert problems[1].line == 2  # falls back to the tier (no entitlement key in the file)
