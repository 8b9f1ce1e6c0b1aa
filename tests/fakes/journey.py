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
- (workflow children merge on deploy as in an org: tests/fakes/metadata.py.)
"""

from __future__ import annotations

import datetime as dt

from tests.fakes.audit_org import define_objects
from tests.fakes.smoke_org import SmokeOrg


class JourneyOrg:
    def __init__(self, org, mdapi, *, completions: dict | None = None, zone: str = "America/Los_Angeles"):
        self.org, self.mdapi, self.zone = org, mdapi, zone
        org.set_now(dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0))
        define_objects(org)  # FlowDefinitionView + Account.Support_Tier__c
        self.smoke = SmokeOrg(org, mdapi, completions=completions)
        org.route("GET", r"/services/oauth2/userinfo/?$", "auth")(self._userinfo)

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
