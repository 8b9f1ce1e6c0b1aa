"""A support org for the audit, at-risk and report tests, on top of the shared `FakeOrg`.

`support_org(org)` fills the fake with what a Service Cloud org holds after a tier rollout:
BusinessHours (weekly times as Salesforce returns them, '09:00:00.000Z'), SlaProcess, MilestoneType,
Accounts with Support_Tier__c, Entitlements (active, expired, per-incident over allowance), Users
and a queue as owners, Cases and CaseMilestones. `install_metadata_api(org, components)` answers
listMetadata/readMetadata on the SOAP endpoint from metadata XML strings, and FlowDefinitionView
is defined as a queryable object. The fake's clock stays at its default, Monday 2026-03-02 15:00Z
(10:00 in New York, 07:00 in Los Angeles).

Targets below are written out by hand from the documented rule (target = start + time limit in
business minutes on the milestone's hours), not computed by slakit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slakit.deploy.plan import DAYS  # the weekday prefixes of BusinessHours' time fields
from tests.fakes.ids import KEY_PREFIXES


def hours_fields(days: dict[str, tuple[str, str] | None]) -> dict:
    out = {}
    for d in DAYS:
        span = days.get(d)
        out[f"{d}StartTime"] = f"{span[0]}:00.000Z" if span else None
        out[f"{d}EndTime"] = f"{span[1]}:00.000Z" if span else None
    return out


@dataclass
class Ids:
    hours: dict[str, str] = field(default_factory=dict)
    process: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    entitlements: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)  # label -> Id


def define_objects(org) -> None:
    KEY_PREFIXES.setdefault("FlowDefinitionView", "300")
    org.define("FlowDefinitionView", {"ApiName": "string", "Label": "string", "IsActive": "boolean",
                                      "ProcessType": "picklist", "TriggerType": "picklist",
                                      "TriggerObjectOrEventLabel": "string", "ActiveVersionId": "string",
                                      "LatestVersionId": "string"})
    if "Support_Tier__c" not in org.objects["Account"]:
        org.add_field("Account", "Support_Tier__c", "picklist")


def milestone(org, ids: Ids, case: str, name: str, start: str, target: str, hours: str,
              completed: str | None = None) -> str:
    return org.insert("CaseMilestone", {"CaseId": ids.cases[case], "MilestoneTypeId": ids.types[name],
                                        "StartDate": start, "TargetDate": target, "CompletionDate": completed,
                                        "BusinessHoursId": ids.hours[hours]})


def support_org(org) -> Ids:
    define_objects(org)
    ids = Ids()
    weekdays = {d: ("09:00", "17:00") for d in DAYS[:5]}
    ids.hours["US Business Hours"] = org.insert("BusinessHours", {
        "Name": "US Business Hours", "IsActive": True, "IsDefault": False, "TimeZoneSidKey": "America/New_York",
        **hours_fields(weekdays)})
    ids.hours["Support 24x7"] = org.insert("BusinessHours", {
        "Name": "Support 24x7", "IsActive": True, "IsDefault": False, "TimeZoneSidKey": "America/Los_Angeles",
        **hours_fields({d: ("00:00", "00:00") for d in DAYS})})
    ids.hours["Default"] = org.insert("BusinessHours", {
        "Name": "Default", "IsActive": True, "IsDefault": True, "TimeZoneSidKey": "America/Los_Angeles",
        **hours_fields({d: ("00:00", "00:00") for d in DAYS})})
    ids.hours["Old EMEA Hours"] = org.insert("BusinessHours", {
        "Name": "Old EMEA Hours", "IsActive": False, "IsDefault": False, "TimeZoneSidKey": "Europe/London",
        **hours_fields({d: ("08:00", "18:00") for d in DAYS[:5]})})
    for name, hours in (("Gold", "US Business Hours"), ("Platinum", "Support 24x7")):
        ids.process[name] = org.insert("SlaProcess", {"Name": name, "NameNorm": name.lower(), "IsActive": True,
                                                      "IsVersionDefault": True, "VersionNumber": 1,
                                                      "SObjectType": "Case", "BusinessHoursId": ids.hours[hours]})
    for name in ("First Response", "Agent Assignment", "Resolution", "Legacy Triage"):
        ids.types[name] = org.insert("MilestoneType", {"Name": name, "RecurrenceType": "recursNever"})
    ids.users["Dana Reyes"] = org.insert("User", {"Name": "Dana Reyes", "Username": "dana@example.com",
                                                  "IsActive": True})
    ids.users["Tier 1 Queue"] = org.insert("Group", {"Name": "Tier 1 Queue", "DeveloperName": "Tier_1_Queue",
                                                     "Type": "Queue"})
    for name, tier in (("Acme Corp", "Gold"), ("Globex", "Platinum"), ("Initech", "Gold"),
                       ("Umbrella", "Gold"), ("Hooli", None)):
        ids.accounts[name] = org.insert("Account", {"Name": name, "Support_Tier__c": tier})
    ent = ids.entitlements
    ent["Acme"] = org.insert("Entitlement", {"Name": "Gold Support", "AccountId": ids.accounts["Acme Corp"],
                                             "SlaProcessId": ids.process["Gold"], "StartDate": "2026-01-01",
                                             "EndDate": "2026-12-31", "IsPerIncident": False})
    ent["Globex"] = org.insert("Entitlement", {"Name": "Platinum Support", "AccountId": ids.accounts["Globex"],
                                               "SlaProcessId": ids.process["Platinum"], "StartDate": "2026-01-01",
                                               "IsPerIncident": True, "CasesPerEntitlement": 5,
                                               "RemainingCases": -2})
    ent["Umbrella"] = org.insert("Entitlement", {"Name": "Gold Support", "AccountId": ids.accounts["Umbrella"],
                                                 "SlaProcessId": ids.process["Gold"], "StartDate": "2025-02-01",
                                                 "EndDate": "2026-01-31", "IsPerIncident": False})

    def case(label, account, entitlement, owner="Dana Reyes", origin="Email", status="New", **kw):
        ids.cases[label] = org.insert("Case", {
            "Subject": label, "Status": status, "Origin": origin, "AccountId": ids.accounts.get(account),
            "EntitlementId": ent.get(entitlement), "OwnerId": ids.users[owner], "IsStopped": False, **kw})

    # Open cases about to breach (now = Mon 2026-03-02 10:00 New York)
    case("acme-fr", "Acme Corp", "Acme")
    case("acme-assign", "Acme Corp", "Acme", owner="Tier 1 Queue", origin="Web")
    case("acme-weekend", "Acme Corp", "Acme", origin="Phone")
    case("globex-fr", "Globex", "Globex")
    case("acme-paused", "Acme Corp", "Acme", IsStopped=True, StopStartDate="2026-03-02T14:40:00.000+0000")
    case("acme-done", "Acme Corp", "Acme")
    case("acme-closed", "Acme Corp", "Acme", status="Closed")
    case("umbrella-open", "Umbrella", "Umbrella")
    # Gold First Response started 09:00 NY, 4h -> 13:00 NY (18:00Z): 180 business minutes left
    milestone(org, ids, "acme-fr", "First Response", "2026-03-02T14:00:00.000+0000",
              "2026-03-02T18:00:00.000+0000", "US Business Hours")
    # Gold Agent Assignment 30m from 09:15 NY -> 09:45 NY (14:45Z): violated 15 business minutes ago
    milestone(org, ids, "acme-assign", "Agent Assignment", "2026-03-02T14:15:00.000+0000",
              "2026-03-02T14:45:00.000+0000", "US Business Hours")
    # Gold First Response from Fri 15:00 NY: Fri 15-17 (120) + Mon 09-11 (120) -> Mon 11:00 NY (16:00Z)
    milestone(org, ids, "acme-weekend", "First Response", "2026-02-27T20:00:00.000+0000",
              "2026-03-02T16:00:00.000+0000", "US Business Hours")
    # Platinum First Response 2h on 24x7 from 14:30Z -> 16:30Z: 90 minutes left
    milestone(org, ids, "globex-fr", "First Response", "2026-03-02T14:30:00.000+0000",
              "2026-03-02T16:30:00.000+0000", "Support 24x7")
    # Platinum Resolution 8h from 14:30Z -> 22:30Z: 450 minutes left
    milestone(org, ids, "globex-fr", "Resolution", "2026-03-02T14:30:00.000+0000",
              "2026-03-02T22:30:00.000+0000", "Support 24x7")
    # Paused at 09:40 NY with target 10:30 NY (15:30Z): 50 business minutes frozen
    milestone(org, ids, "acme-paused", "Resolution", "2026-03-02T14:00:00.000+0000",
              "2026-03-02T15:30:00.000+0000", "US Business Hours")
    milestone(org, ids, "acme-done", "First Response", "2026-03-02T14:00:00.000+0000",
              "2026-03-02T18:00:00.000+0000", "US Business Hours", completed="2026-03-02T14:20:00.000+0000")
    milestone(org, ids, "acme-closed", "First Response", "2026-03-02T14:00:00.000+0000",
              "2026-03-02T15:10:00.000+0000", "US Business Hours")
    # Umbrella's entitlement expired 2026-01-31; its open case still runs a Resolution milestone
    milestone(org, ids, "umbrella-open", "Resolution", "2026-02-26T14:00:00.000+0000",
              "2026-03-03T14:00:00.000+0000", "US Business Hours")
    # Open cases with no entitlement: two by Email, one by Web (one closed one does not count)
    case("stray-1", None, None, origin="Email")
    case("stray-2", None, None, origin="Email")
    case("stray-3", None, None, origin="Web")
    case("stray-closed", None, None, origin="Phone", status="Closed")
    return ids


def history(org, ids: Ids) -> None:
    """Completed and violated milestones of the last weeks, for the report (NY = UTC-5 in Feb)."""
    def done(label, account, ent, name, start, target, completed, hours):
        ids.cases[label] = org.insert("Case", {"Subject": label, "Status": "Closed", "Origin": "Email",
                                                "AccountId": ids.accounts[account],
                                                "EntitlementId": ids.entitlements[ent],
                                                "OwnerId": ids.users["Dana Reyes"]})
        milestone(org, ids, label, name, start, target, hours, completed=completed)

    us, h24 = "US Business Hours", "Support 24x7"
    # week of Mon 2026-02-23, Gold First Response (4h, 09:00-17:00 NY)
    done("g1", "Acme Corp", "Acme", "First Response", "2026-02-23T14:00:00.000+0000",
         "2026-02-23T18:00:00.000+0000", "2026-02-23T15:30:00.000+0000", us)   # 90 min, met
    done("g2", "Acme Corp", "Acme", "First Response", "2026-02-24T21:00:00.000+0000",
         "2026-02-25T17:00:00.000+0000", "2026-02-25T15:00:00.000+0000", us)   # Tue 16-17 + Wed 9-10: 120, met
    done("g3", "Acme Corp", "Acme", "First Response", "2026-02-25T14:00:00.000+0000",
         "2026-02-25T18:00:00.000+0000", "2026-02-25T20:00:00.000+0000", us)   # 360 min, violated
    done("g4", "Acme Corp", "Acme", "First Response", "2026-02-26T14:00:00.000+0000",
         "2026-02-26T18:00:00.000+0000", "2026-02-26T17:20:00.000+0000", us)   # 200 min, met
    # week of Mon 2026-02-16
    done("g5", "Acme Corp", "Acme", "First Response", "2026-02-16T14:00:00.000+0000",
         "2026-02-16T18:00:00.000+0000", "2026-02-16T14:30:00.000+0000", us)   # 30 min, met
    done("p1", "Globex", "Globex", "First Response", "2026-02-20T10:00:00.000+0000",
         "2026-02-20T12:00:00.000+0000", "2026-02-20T11:00:00.000+0000", h24)  # 60 min, met
    done("p2", "Globex", "Globex", "First Response", "2026-02-21T10:00:00.000+0000",
         "2026-02-21T12:00:00.000+0000", "2026-02-21T13:00:00.000+0000", h24)  # 180 min, violated
    # before the 30-day window (since 2026-01-31T15:00Z): not reported
    done("old", "Acme Corp", "Acme", "First Response", "2026-01-12T14:00:00.000+0000",
         "2026-01-12T18:00:00.000+0000", "2026-01-12T20:00:00.000+0000", us)


# -- Metadata API (listMetadata / readMetadata) ----------------------------------------------
def install_metadata_api(org, components: dict[tuple[str, str], str]) -> list[str]:
    """Answer listMetadata/readMetadata from {(type, fullName): file XML} on the org's one SOAP
    endpoint (tests/fakes/metadata.py, shared with the deploy fake); returns the call log."""
    from tests.fakes.metadata import soap_endpoint

    endpoint = soap_endpoint(org)
    endpoint.components.update(components)
    return endpoint.log
