"""The action-kind registry (config/project.ACTION_KINDS) is the one list of kinds: the tagged
union, the tiers.yml model, the workflow template and the tables derived from it agree with it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import get_args

import pytest

from slakit.config import project as p
from slakit.config.model import ActionModel
from slakit.deploy.folder import TYPE_FOLDERS
from slakit.importer.read import WORKFLOW_KINDS
from slakit.render.manifest import WORKFLOW_CHILDREN

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_registry_is_the_union() -> None:
    assert [k.model for k in p.ACTION_KINDS] == list(get_args(p.Action))
    for k in p.ACTION_KINDS:
        assert k.model.kind == k.key
        assert dataclasses.is_dataclass(k.model) and k.model.__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert "line" in {f.name for f in dataclasses.fields(k.model)}
    assert len({k.key for k in p.ACTION_KINDS}) == len({k.action_type for k in p.ACTION_KINDS}) == len(p.ACTION_KINDS)


def test_tiers_model_has_one_field_per_kind() -> None:
    assert {k.key for k in p.ACTION_KINDS} == set(ActionModel.model_fields)
    keys = [k.key for k in p.ACTION_KINDS]
    with pytest.raises(ValueError, match=f"exactly one of {', '.join(keys[:-1])} or {keys[-1]}"):
        ActionModel.model_validate({})


def test_derived_tables_follow_the_registry() -> None:
    for k in p.ACTION_KINDS:
        assert WORKFLOW_CHILDREN[k.workflow_tag] == k.package_child
        assert TYPE_FOLDERS[k.package_child] == "workflows"
        assert WORKFLOW_KINDS[k.workflow_tag] == k.action_type
        assert f"<{k.workflow_tag}>" in (TEMPLATES / "workflows" / "Case.workflow.xml.j2").read_text()


def test_kind_of_each_action() -> None:
    actions = [p.EmailAction(recipients=("owner",)), p.SetAction(field="Status", value="Escalated"),
               p.TaskAction(subject="Call back")]
    assert [p.kind_of(a).action_type for a in actions] == ["Alert", "FieldUpdate", "Task"]


def test_smoke_expectation_reads_the_kinds_own_fields() -> None:
    """Each entry's `smoke` names attributes its dataclass has, and one kind per ExpectedAction.kind."""
    for k in p.ACTION_KINDS:
        fields = {f.name for f in dataclasses.fields(k.model)}
        assert {attr for _, attr in k.smoke.attrs} <= fields
        assert {name for name, _ in k.smoke.attrs} <= {"field", "value", "subject"}
        assert k.smoke.observable or (k.smoke.label and k.smoke.unseen)
    assert len(p.EXPECT_OF) == len(p.ACTION_KINDS)
    actions = [p.EmailAction(recipients=("owner",)), p.SetAction(field="Status", value="Escalated"),
               p.TaskAction(subject="Call back")]
    assert [p.kind_of(a).smoke.of(a) for a in actions] == [{}, {"field": "Status", "value": "Escalated"},
                                                           {"subject": "Call back"}]
