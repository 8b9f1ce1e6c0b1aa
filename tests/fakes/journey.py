"""One sandbox for the release journey (tests/http/test_journey.py): the shared FakeOrg, its
Metadata API fake and Salesforce's entitlement automation as the smoke tests model it, together.

    journey = JourneyOrg(fake_org, mdapi, completions={...})   # after `mdapi`
    journey.org, journey.mdapi, journey.smoke                  # the parts
    journey.seed_accounts({...}); journey.open_case(account_id, "Subject")

What this adds to the parts (and nothing about slakit):
- FlowDefinitionView is queryable (tests/fakes/audit_org.define_objects), so a deployed flow shows
  there as it does in an org, and Account has the Support_Tier__c picklist the tiers select on;
- the smoke fake (tests/fakes/smoke_org.SmokeOrg) runs the org's automation: the stamping flow on
  case insert, milestones from the deployed processes, completions, time moving only by sleep();
- the org's clock starts at the wall clock (a real sandbox's clock and the pipeline's agree; slakit
  backfill dates entitlements by the client's clock in the user's zone), to the minute;
- the OAuth userinfo carries the running user's `zoneinfo`, as Salesforce's does;
- a deployed workflow adds or updates its children (WorkflowAlert, WorkflowFieldUpdate, ...) in the
  org's workflow and keeps every child the file leaves out: package.xml adds, only a
  destructiveChanges.xml deletes (Metadata API guide, "Deleting Components from an Organization").
  With package.xml listing children (`WorkflowAlert: Case.X`, how `slakit smoke` deploys its
  actions, docs/smoke.md) only the listed ones are taken; with `Workflow: Case`, all of them. The
  shared fake stores each deployed file whole, so after a smoke run the real actions would vanish
  from the org and a later deploy would drop the smoke process's actions.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from tests.fakes.audit_org import define_objects
from tests.fakes.smoke_org import SmokeOrg

NS = "http://soap.sforce.com/2006/04/metadata"
WORKFLOW_CHILDREN = {"alerts": "WorkflowAlert", "fieldUpdates": "WorkflowFieldUpdate", "tasks": "WorkflowTask",
                     "rules": "WorkflowRule", "outboundMessages": "WorkflowOutboundMessage"}


class JourneyOrg:
    def __init__(self, org, mdapi, *, completions: dict | None = None, zone: str = "America/Los_Angeles"):
        self.org, self.mdapi, self.zone = org, mdapi, zone
        org.set_now(dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0))
        define_objects(org)  # FlowDefinitionView + Account.Support_Tier__c
        self.smoke = SmokeOrg(org, mdapi, completions=completions)
        org.route("GET", r"/services/oauth2/userinfo/?$", "auth")(self._userinfo)
        self._store_whole = mdapi._apply
        mdapi._apply = self._apply  # the instance's deploy effect, children merged first

    # -- Metadata API: workflow children -------------------------------------------------------
    def _apply(self, files: dict[str, bytes]) -> None:
        members = _package_members(files.get("package.xml", b""))
        files = dict(files)
        for path in [p for p in files if p.startswith("workflows/") and p.endswith(".workflow")]:
            obj = path[len("workflows/"):-len(".workflow")]
            if obj in members.get("Workflow", ()) or "*" in members.get("Workflow", ()):
                listed = None  # the whole workflow: every child in the file
            else:
                listed = {(t, m.split(".", 1)[1]) for t, ms in members.items() if t in WORKFLOW_CHILDREN.values()
                          for m in ms if m.startswith(f"{obj}.")}
            files[path] = _merge_workflow(self.mdapi.files.get(path), files[path], listed)
        self._store_whole(files)

    def _userinfo(self, org, request, match):
        return 200, {"sub": f"https://test.salesforce.com/id/{org.org_id}/{org.user_id}", "user_id": org.user_id,
                     "organization_id": org.org_id, "preferred_username": "ci@example.com.uat",
                     "email": "ci@example.com", "zoneinfo": self.zone, "locale": "en_US"}

    def today(self) -> dt.date:
        """The date in the running user's zone by the org's clock (what SOQL's TODAY means)."""
        from zoneinfo import ZoneInfo

        return self.org.now().astimezone(ZoneInfo(self.zone)).date()

    def seed_accounts(self, tiers: dict[str, str | None]) -> dict[str, str]:
        """{account name: Support_Tier__c value (None: no tier)} -> {name: Id}."""
        return {name: self.org.insert("Account", Name=name, Support_Tier__c=tier) for name, tier in tiers.items()}

    def open_case(self, account_id: str, subject: str, status: str = "New", origin: str = "Email") -> str:
        return self.org.insert("Case", Subject=subject, Status=status, Origin=origin, AccountId=account_id)


def _package_members(xml: bytes) -> dict[str, list[str]]:
    if not xml:
        return {}
    root = etree.fromstring(xml)
    return {t.findtext(f"{{{NS}}}name"): [m.text for m in t.findall(f"{{{NS}}}members")]
            for t in root.findall(f"{{{NS}}}types")}


def _merge_workflow(stored: bytes | None, deployed: bytes, listed: set[tuple[str, str]] | None) -> bytes:
    """The org's workflow after deploying the `listed` (child type, name) children of `deployed`
    (None: all of them): those are added or replaced, every other child the org had stays."""
    base = etree.fromstring(stored) if stored else etree.Element(f"{{{NS}}}Workflow", nsmap={None: NS})
    for child in etree.fromstring(deployed):
        tag = etree.QName(child).localname
        name = child.findtext(f"{{{NS}}}fullName")
        if listed is not None and (WORKFLOW_CHILDREN.get(tag), name) not in listed:
            continue
        for old in base.findall(f"{{{NS}}}{tag}"):
            if old.findtext(f"{{{NS}}}fullName") == name:
                base.remove(old)
        base.append(child)
    # the Metadata API writes children grouped by type, in the schema's order
    order = list(WORKFLOW_CHILDREN)
    kids = sorted(base, key=lambda el: (order.index(etree.QName(el).localname)
                                        if etree.QName(el).localname in order else len(order),
                                        el.findtext(f"{{{NS}}}fullName") or ""))
    for el in list(base):
        base.remove(el)
    base.extend(kids)
    return etree.tostring(base, xml_declaration=True, encoding="UTF-8")
