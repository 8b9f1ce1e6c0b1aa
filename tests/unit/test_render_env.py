"""The Jinja environment: where templates come from, what is escaped, Salesforce time format."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from slakit.render.env import bundled_templates_dir, environment, xml_time

ROOT = Path(__file__).resolve().parents[2]


def test_bundled_templates_found_from_the_repo_and_shipped_in_the_wheel():
    assert bundled_templates_dir() == ROOT / "templates"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # the wheel carries templates/ as slakit/templates: where bundled_templates_dir looks first
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["templates"] == "slakit/templates"


def test_xml_templates_escape_and_text_templates_do_not(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "x.xml.j2").write_text("<a>{{ v }}</a>", encoding="utf-8")
    (tmp_path / "templates" / "x.txt.j2").write_text("{{ v }}", encoding="utf-8")
    env = environment(tmp_path)
    value = 'R&D "Tier" <1> \'q\''
    assert env.get_template("x.xml.j2").render(v=value) == "<a>R&amp;D &#34;Tier&#34; &lt;1&gt; &#39;q&#39;</a>"
    assert env.get_template("x.txt.j2").render(v=value) == value


def test_undefined_variables_are_errors(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "y.xml.j2").write_text("{{ missing }}", encoding="utf-8")
    with pytest.raises(UndefinedError):
        environment(tmp_path).get_template("y.xml.j2").render()


def test_user_folder_comes_first(tmp_path):
    (tmp_path / "templates" / "milestoneTypes").mkdir(parents=True)
    (tmp_path / "templates" / "milestoneTypes" / "milestoneType.xml.j2").write_text("mine", encoding="utf-8")
    assert environment(tmp_path).get_template("milestoneTypes/milestoneType.xml.j2").render() == "mine"
    assert environment(None).get_template("milestoneTypes/milestoneType.xml.j2").render(
        description="d", recurrence="none").startswith("<?xml")


@pytest.mark.parametrize(("minutes", "text"), [(0, "00:00:00.000Z"), (540, "09:00:00.000Z"),
                                               (1020, "17:00:00.000Z"), (1439, "23:59:00.000Z"),
                                               (1440, "00:00:00.000Z")])
def test_salesforce_time_of_day(minutes, text):
    # an end of 24:00 is written as midnight, 00:00, as Salesforce does for 24h days
    assert xml_time(minutes) == text
