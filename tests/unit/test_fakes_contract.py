"""The tables the fakes take from the product (tests/fakes/README.md) checked against a source
that is not the product: the Metadata API schema slakit ships (src/slakit/schema, reduced from the
API 66.0 WSDL) and what the renderer writes. A wrong product table would otherwise make the fake
agree with the product's mistake."""

from __future__ import annotations

from lxml import etree

from slakit.config.project import ACTION_KINDS
from slakit.render.actions import TYPE_OF
from slakit.render.xsd import SCHEMA_FILE, check_bytes
from slakit.salesforce import MD_NS
from slakit.render.manifest import WORKFLOW_CHILDREN
from tests.fakes.metadata import FOLDER_TYPES, _merge_workflow, workflow_order
from tests.fakes.smoke_org import WORKFLOW_TAG

XS = "{http://www.w3.org/2001/XMLSchema}"


def _schema():
    return etree.parse(str(SCHEMA_FILE)).getroot()


def test_workflow_children_are_the_schemas_workflow_elements():
    workflow = _schema().find(f"{XS}complexType[@name='Workflow']")
    declared = {el.get("name"): el.get("type") for el in workflow.iter(f"{XS}element")}
    for tag, child_type in WORKFLOW_CHILDREN.items():
        assert declared.get(tag) == f"tns:{child_type}", tag
    assert workflow_order() == list(declared)


def test_action_types_are_workflow_action_types_with_a_workflow_element():
    enum = _schema().find(f"{XS}simpleType[@name='WorkflowActionType']")
    allowed = {e.get("value") for e in enum.iter(f"{XS}enumeration")}
    assert set(TYPE_OF.values()) <= allowed
    # the fake strips "Workflow" from the child type: that must give back each kind's action type
    assert WORKFLOW_TAG == {k.action_type: k.workflow_tag for k in ACTION_KINDS}
    assert WORKFLOW_TAG["Alert"] == "alerts" and WORKFLOW_TAG["Task"] == "tasks"


def test_every_rendered_file_has_its_folders_type(rendered_acceptance):
    from slakit.config import load_project
    from slakit.render.registry import all_components
    from tests.conftest import ROOT

    files = [p.relative_to(rendered_acceptance).as_posix() for p in rendered_acceptance.rglob("*") if p.is_file()]
    folders = {f.split("/", 1)[0] for f in files if "/" in f}
    assert folders and folders <= set(FOLDER_TYPES)
    for comp in all_components(load_project(ROOT / "tests" / "data" / "acceptance.yml")):
        if comp.mdapi:
            assert FOLDER_TYPES[comp.mdapi.split("/", 1)[0]] in (comp.type, comp.xsd_type), comp.mdapi


RULE = (f'<Workflow xmlns="{MD_NS}"><rules><fullName>Escalate Case</fullName><active>true</active>'
        "<triggerType>onCreateOnly</triggerType></rules></Workflow>").encode()


def test_a_merged_workflow_keeps_the_schemas_order(rendered_acceptance):
    """The org's workflow (a rule) plus a deploy of slakit's alerts, field updates and tasks reads
    back as the Metadata API writes it: one valid Workflow, rules before tasks."""
    ours = (rendered_acceptance / "workflows" / "Case.workflow").read_bytes()
    merged = _merge_workflow(RULE, ours, None)
    assert check_bytes(merged, "workflows/Case.workflow", "Workflow") == []
    tags = [etree.QName(el).localname for el in etree.fromstring(merged)]
    assert tags.index("rules") < tags.index("tasks") and tags[0] == "alerts"
