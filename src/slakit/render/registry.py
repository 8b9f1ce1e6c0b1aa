"""Which metadata a project renders: a list of component builders, each turning the resolved
`Project` into `Component`s (one file each). The writer renders every component through its
Jinja template and places it by format; package.xml is derived from the same list.

Builders (in dependency order, which package.xml and deploy phases follow):
  slakit.render.context:   settings, business hours, custom fields, milestone types, email
                           templates, Case workflow, entitlement processes, entitlement templates
  slakit.render.flows:     the flows (stamping, completion, Closed Won) and the Milestone
                           Tracker page
  slakit.render.apex:      the Apex test class that covers the flows (production deploys)
A builder module exposes `components(project) -> list[Component]`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slakit.config.project import Project

BUILDERS = ["slakit.render.context", "slakit.render.flows", "slakit.render.apex"]


@dataclass(frozen=True)
class Component:
    """One metadata file to render.

    type:      Metadata API type name for package.xml (EntitlementProcess, Flow, CustomField, ...)
    member:    package.xml member (fullName), e.g. "gold", "Case.SLA_Breached__c"
    template:  template path under templates/, e.g. "entitlementProcesses/entitlementProcess.xml.j2"
    mdapi:     path in Metadata API format, e.g. "entitlementProcesses/gold.entitlementProcess"
    source:    path in source format under force-app/main/default, e.g.
               "entitlementProcesses/gold.entitlementProcess-meta.xml"
    context:   template variables
    phase:     deploy phase (0 settings/business hours: deployed first, on their own, by
               slakit.deploy.package; 1 fields/types/templates/workflow, 2 processes/entitlement
               templates, 3 flows/pages: one package after); carried in the manifest
    xsd_type:  the schema type to validate against when it differs from `type` (e.g. a
               CustomObject file holding only fields); None = `type`
    extra_members: more package.xml members of `type` the same file carries (a CustomObject
               file holding several fields: member "Case.A", extra_members ("Case.B",))

    A component with an empty `mdapi` (or `source`) path is not written in that format. A
    template whose name does not end in `.xml.j2` renders a non-XML file (an email body): it is
    neither autoescaped nor schema-validated.
    """

    type: str
    member: str
    template: str
    mdapi: str
    source: str
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    phase: int = 1
    xsd_type: str | None = None
    extra_members: tuple[str, ...] = ()


def all_components(project: Project) -> list[Component]:
    out: list[Component] = []
    for name in BUILDERS:
        out.extend(importlib.import_module(name).components(project))
    return out
