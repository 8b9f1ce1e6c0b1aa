"""Config passes: resolution of units, defaults, names and references; lint advice; JSON schema."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest

from slakit.config import check, load_project
from slakit.config.names import api_name
from slakit.errors import ConfigError

DATA = Path(__file__).parent.parent / "data"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiers.yml"
    path.write_text(textwrap.dedent(text))
    return path


def test_acceptance_resolves_units_and_defaults():
    project = load_project(DATA / "acceptance.yml")
    assert project.api_version == "62.0"
    gold = project.tier("gold")
    limits = {m.name: m.time_limit_minutes for m in gold.milestones}
    assert limits == {"First Response": 240, "Agent Assignment": 30, "L2 Dwell": 360, "Resolution": 1440}
    standard = project.tier("Standard")
    # EMEA 08:00-18:00 is a 10-hour open day: 1bd = 600 business minutes, 5bd = 3000
    assert [m.time_limit_minutes for m in standard.milestones] == [600, 3000]
    agent = gold.milestones[1]
    assert agent.warnings == (75.0,)  # own warnings replace the defaults
    assert gold.milestones[0].warnings == (50.0, 75.0, 90.0)
    l2 = gold.milestones[2]
    assert [a.kind for a in l2.on_violation] == ["email", "task"]  # own actions replace defaults
    assert [a.kind for a in gold.milestones[0].on_violation] == ["email", "set"]
    assert l2.recurrence == "independent"
    assert l2.completes_when.kind == "fields"
    assert l2.completes_when.criteria[0].value == "false"
    assert project.tier("Platinum").milestones[1].on_success[0].value == "now"


def test_acceptance_business_hours_and_holidays():
    project = load_project(DATA / "acceptance.yml")
    us = project.business_hours["US Business Hours"]
    assert us.week[0].start == 9 * 60 and us.week[0].end == 17 * 60
    assert us.week[5] is None and us.week[6] is None
    thanksgiving, christmas, eve = us.holidays
    assert (thanksgiving.recurs, thanksgiving.instance, thanksgiving.weekday, thanksgiving.month) == ("nth", "fourth", 3, 11)
    assert (christmas.recurs, christmas.date, christmas.window) == ("yearly", dt.date(2026, 12, 25), None)
    assert (eve.window.start, eve.window.end) == (13 * 60, 17 * 60)
    assert project.business_hours["Support 24x7"].is_24x7
    assert project.business_hours["Default"].existing and not project.business_hours["Default"].known


def test_entitlement_terms():
    project = load_project(DATA / "acceptance.yml")
    plat = project.tier("Platinum").entitlement
    assert (plat.term_amount, plat.term_unit, plat.name_for("Platinum")) == (12, "months", "Platinum Support")
    std = project.tier("Standard").entitlement
    assert std.template.cases_per_entitlement == 20 and std.term_unit == "months"


@pytest.mark.parametrize("text,expected", [
    ('R&D "Tier" <1>', "R_D_Tier_1"),
    ("Überstunden Support", "Uberstunden_Support"),
    ("1st line", "X1st_line"),
    ("a__b", "a_b"),
    ("___", None),
])
def test_api_name(text, expected):
    name = api_name(text)
    if expected:
        assert name == expected
    assert name[0].isalpha() and "__" not in name and not name.endswith("_")


def test_api_name_caps_length_and_keeps_long_names_distinct():
    a = api_name("A very long support tier name that goes on and on, part one")
    b = api_name("A very long support tier name that goes on and on, part two")
    assert len(a) <= 40 and len(b) <= 40 and a != b


def test_api_version_from_cumulusci_yml(tmp_path):
    (tmp_path / "cumulusci.yml").write_text("project:\n  package:\n    api_version: '61.0'\n")
    path = write(tmp_path, """
        tiers:
          - name: Gold
            milestones: [{name: First Response, time_limit: 4h}]
    """)
    assert load_project(path).api_version == "61.0"


@pytest.mark.parametrize("version, ok", [("62.0", True), ("70.0", True), ("100.0", True), ("100.5", False),
                                         ("6.0", False), ("1000.0", False)])
def test_api_version_format_is_two_or_three_digits_dot_zero(tmp_path, version, ok):
    """The format rule accepts any NN.0 / NNN.0 (the 55.0 minimum is org_rules' to say), and its
    message shows the rule it applies."""
    path = write(tmp_path, f"""
        api_version: "{version}"
        tiers:
          - name: Gold
            milestones: [{{name: First Response, time_limit: 4h}}]
    """)
    if ok:
        assert load_project(path).api_version == version
        return
    with pytest.raises(ConfigError) as caught:
        load_project(path)
    assert f"'{version}' is not an API version like \"62.0\" or \"100.0\"" in str(caught.value)


def test_load_project_raises_with_every_problem(tmp_path):
    path = write(tmp_path, """
        tiers:
          - name: Gold
            business_hours: Nope
            milestones:
              - {name: First Response, time_limit: 4h, business_hours: Nada}
    """)
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert len(info.value.problems) == 2
    assert info.value.problems[0].field == "tiers[0].business_hours"


def test_d_unit_lint_explains_business_days(tmp_path):
    path = write(tmp_path, """
        business_hours:
          - name: Office
            time_zone: America/New_York
            hours: {weekdays: "09:00-17:00"}
        tiers:
          - name: Gold
            business_hours: Office
            milestones:
              - {name: Resolution, time_limit: 2d, completes_when: case_closed}
    """)
    result = check(path)
    assert result.ok
    d_unit = [w for w in result.warnings if w.code == "lint.d-unit"]
    assert len(d_unit) == 1
    # 2d = 48h = 2,880 business minutes; at 8 open hours a day that is 6 business days
    assert d_unit[0].message == ("2d on 09:00-17:00 is 2,880 business minutes = 6 business days of 8h; "
                                 "did you mean 2bd?")
    assert (d_unit[0].line, d_unit[0].field) == (10, "tiers[0].milestones[0].time_limit")


def test_lint_no_hours_no_warning_no_completion(tmp_path):
    path = write(tmp_path, """
        tiers:
          - name: Gold
            milestones:
              - {name: Resolution, time_limit: 4h}
    """)
    codes = {w.code for w in check(path).warnings}
    assert {"lint.no-hours", "lint.no-warning", "lint.no-completion"} <= codes


def test_json_schema_accepts_acceptance_and_rejects_typos():
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    from slakit.config.schema import json_schema

    schema = json_schema()
    data = YAML(typ="safe").load((DATA / "acceptance.yml").read_text())

    def plain(x):
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, list):
            return [plain(v) for v in x]
        return x.isoformat() if isinstance(x, dt.date) else x

    jsonschema.validate(plain(data), schema)
    data["tiers"][0]["milestones"][0]["time_limt"] = "2h"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(plain(data), schema)
    json.dumps(schema)  # serialisable


@pytest.mark.parametrize("term,days", [("12 months", 365), ("1 year", 365), ("2 years", 730),
                                       ("6 months", 182), ("1 month", 30), ("90 days", 90)])
def test_template_term_in_days(tmp_path, term, days):
    path = write(tmp_path, f"""
        tiers:
          - name: Gold
            milestones: [{{name: First Response, time_limit: 4h}}]
            entitlement:
              template: {{term: {term}}}
    """)
    # a year is 365 days, a month 365/12 = 30.42 days rounded (6 months = 182.5 -> 182, banker's rounding)
    assert load_project(path).tier("Gold").entitlement.template.term_days == days


def test_anchors_live_under_x_keys_and_merge(tmp_path):
    path = write(tmp_path, """
        x-fast: &fast
          time_limit: 30m
          completes_when: first_response
        tiers:
          - name: Gold
            milestones:
              - <<: *fast
                name: First Response
              - <<: *fast
                name: Agent Assignment
                time_limit: 1h
    """)
    gold = load_project(path).tier("Gold")
    assert [(m.name, m.time_limit_minutes, m.completes_when.kind) for m in gold.milestones] == [
        ("First Response", 30, "first_response"), ("Agent Assignment", 60, "first_response")]


@pytest.mark.parametrize("setting,status", [("", "Active"), ("automation: {flows: draft}\n", "Draft"),
                                            ("automation: {flows: active}\n", "Active")])
def test_flow_status_setting(tmp_path, setting, status):
    path = write(tmp_path, setting + "tiers:\n  - name: Gold\n    milestones: [{name: M, time_limit: 1h}]\n")
    assert load_project(path).extra["flow_status"] == status


def test_email_roles_do_not_count_against_the_five_addresses(tmp_path):
    path = write(tmp_path, """
        tiers:
          - name: Gold
            milestones:
              - name: First Response
                time_limit: 4h
                on_violation:
                  - email: [owner, account_owner, creator, "group:Managers", "role:Lead", a@x.io, b@x.io, c@x.io]
    """)
    assert len(load_project(path).tier("Gold").milestones[0].on_violation[0].recipients) == 8


def test_slakit_24x7_is_a_reserved_hours_name(tmp_path):
    """'Slakit 24x7' is what slakit renders for tiers without hours (issue 11 item 9)."""
    from slakit.config import load_project
    from slakit.errors import ConfigError

    path = tmp_path / "tiers.yml"
    path.write_text('api_version: "62.0"\nbusiness_hours:\n  - {name: slakit 24X7, time_zone: UTC, hours: {every_day: 24h}}\n'
                    "tiers:\n  - name: Gold\n    business_hours: slakit 24X7\n    milestones:\n"
                    "      - {name: First Response, time_limit: 1h}\n")
    with pytest.raises(ConfigError) as exc:
        load_project(path)
    assert any("Slakit 24x7" in line and ":3:" in line for line in exc.value.lines())


def test_lint_warns_without_a_sender_and_schema_offers_it(tmp_path):
    """Alerts without `sender` go out from the current user: lint says so (issue 11 item 11)."""
    from slakit.config.schema import json_schema

    src = Path(__file__).resolve().parents[1] / "data" / "acceptance.yml"
    without = check(src)
    assert [w.line for w in without.warnings if w.code == "lint.no-sender"] == [44]
    path = tmp_path / "tiers.yml"
    path.write_text(src.read_text().replace('api_version: "62.0"\n', 'api_version: "62.0"\nsender: {org_wide: support@acme.com}\n'))
    assert not [w for w in check(path).warnings if w.code == "lint.no-sender"]
    assert load_project(path).sender_org_wide == "support@acme.com"
    path.write_text(src.read_text().replace('api_version: "62.0"\n', 'api_version: "62.0"\nsender: {org_wide: support}\n'))
    with pytest.raises(ConfigError) as exc:
        load_project(path)
    assert any("sender" in line and "not an email address" in line for line in exc.value.lines())
    schema = json_schema()
    assert schema["properties"]["sender"]
    assert "org_wide" in json.dumps(schema)
