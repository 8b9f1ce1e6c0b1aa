"""Render-time conventions and conflicts that tiers.yml validation does not see."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from slakit.config import load_project
from slakit.errors import ConfigError
from slakit.render.writer import render_files

NS = {"m": "http://soap.sforce.com/2006/04/metadata"}


def project(tmp_path: Path, text: str):
    path = tmp_path / "tiers.yml"
    path.write_text(text, encoding="utf-8")
    return load_project(path)


HOLIDAYS = """\
business_hours:
  - name: US
    time_zone: America/New_York
    hours: {weekdays: "09:00-17:00"}
    holidays:
      - {name: New Year, date: 2026-01-01, recurs: yearly}
      - {name: Bank Holiday, date: 2026-05-25}
  - name: UK
    time_zone: Europe/London
    hours: {weekdays: "09:00-17:00"}
    holidays:
      - {name: New Year, date: 2026-01-01, recurs: yearly}
      - {name: Bank Holiday, date: 2026-05-04}
tiers:
  - name: T
    business_hours: US
    milestones: [{name: M, time_limit: 1h}]
"""


def test_holidays_shared_by_name_and_rule_are_one_record(tmp_path):
    files, _, _ = render_files(project(tmp_path, HOLIDAYS))
    root = etree.fromstring(files["settings/BusinessHours.settings"])
    by_name = {h.findtext("m:name", namespaces=NS): h.xpath("m:businessHours/text()", namespaces=NS)
               for h in root.xpath("m:holidays", namespaces=NS)}
    # same name + same rule: one Holiday linked to both; same name, other date: told apart by hours
    assert by_name == {"New Year": ["US", "UK"], "Bank Holiday (US)": ["US"], "Bank Holiday (UK)": ["UK"]}


def test_a_milestone_name_with_two_recurrences_is_refused(tmp_path):
    text = """\
tiers:
  - name: A
    milestones: [{name: Update, time_limit: 1h, recurrence: sequential}]
  - name: B
    milestones: [{name: Update, time_limit: 2h}]
"""
    # caught by validate (config.resolve), before any render
    with pytest.raises(ConfigError, match="milestone 'Update' recurs 'none' here but 'sequential' in tier 'A'"):
        project(tmp_path, text)


def test_a_field_written_as_two_types_is_refused(tmp_path):
    text = """\
tiers:
  - name: A
    milestones:
      - name: M
        time_limit: 1h
        on_violation: [{set: {Flag__c: true}}]
        on_success: [{set: {Flag__c: now}}]
"""
    with pytest.raises(ConfigError, match="Flag__c is written as DateTime here but as Checkbox in A / M"):
        project(tmp_path, text)


def test_no_business_hours_file_when_all_hours_exist_in_the_org(tmp_path):
    text = """\
business_hours:
  - {name: Default, existing: true}
tiers:
  - name: A
    business_hours: Default
    milestones: [{name: M, time_limit: 1h, warnings: [50%], on_warning: [{email: [owner]}]}]
"""
    files, members, _ = render_files(project(tmp_path, text))
    assert "settings/BusinessHours.settings" not in files
    assert members["Settings"] == ["Entitlement"]
    proc = etree.fromstring(files["entitlementProcesses/a.entitlementProcess"])
    assert proc.findtext("m:businessHours", namespaces=NS) == "Default"


def test_older_api_version_is_written_into_package_xml(tmp_path):
    text = 'api_version: "55.0"\ntiers:\n  - name: A\n    milestones: [{name: M, time_limit: 90m}]\n'
    files, _, _ = render_files(project(tmp_path, text))
    pkg = etree.fromstring(files["package.xml"])
    assert pkg.findtext("m:version", namespaces=NS) == "55.0"
    proc = etree.fromstring(files["entitlementProcesses/a.entitlementProcess"])
    assert proc.findtext("m:milestones/m:minutesToComplete", namespaces=NS) == "90"
    assert not proc.xpath("//m:milestonePauseCriteria | //m:milestoneCompletionCriteria", namespaces=NS)


def test_long_names_are_capped_unique_and_stable(tmp_path):
    long_tier = "Enterprise Platinum Plus Worldwide"
    text = f"""\
tiers:
  - name: {long_tier}
    milestones:
      - name: Initial Customer Response Commitment
        time_limit: 1h
        on_violation: [{{email: [owner]}}, {{email: [creator]}}, {{set: {{A__c: true}}}}, {{set: {{B__c: true}}}}]
"""
    first, _, _ = render_files(project(tmp_path, text))
    wf = etree.fromstring(first["workflows/Case.workflow"])
    names = wf.xpath("//m:fullName/text()", namespaces=NS)
    assert len(names) == 4 and all(len(n) <= 40 for n in names)
    assert len({n for n in names}) == 4
    second, _, _ = render_files(project(tmp_path, text))
    assert second["workflows/Case.workflow"] == first["workflows/Case.workflow"]


TEMPLATE_TIERS = """\
tiers:
  - name: Open
    milestones: [{{name: M, time_limit: 1h}}]
    entitlement:
      accounts: "Name != null"
      template: {template}
"""


@pytest.mark.parametrize("template, per_incident, cases", [
    ("{term: 12 months}", "false", []),                                      # unlimited cases
    ("{term: 12 months, per_incident: true}", "true", []),                   # per incident, no cap given
    ("{term: 12 months, cases_per_entitlement: 5}", "true", ["5"]),          # a cap makes it per incident
    ("{term: 12 months, per_incident: true, cases_per_entitlement: 5}", "true", ["5"]),
])
def test_cases_per_entitlement_only_on_per_incident_templates(tmp_path, template, per_incident, cases):
    # EntitlementTemplate (Object Reference): CasesPerEntitlement "is only available if
    # IsPerIncident is true"; isPerIncident (Metadata API) is true when entitlements "service a
    # limited number of cases". A limit without isPerIncident true is a contradiction.
    files, _, _ = render_files(project(tmp_path, TEMPLATE_TIERS.format(template=template)))
    (path,) = [p for p in files if p.startswith("entitlementTemplates/")]
    root = etree.fromstring(files[path])
    assert root.xpath("m:isPerIncident/text()", namespaces=NS) == [per_incident]
    assert root.xpath("m:casesPerEntitlement/text()", namespaces=NS) == cases
