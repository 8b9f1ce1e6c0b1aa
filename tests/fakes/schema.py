"""Object definitions of the fake org: field names and types, and describe/describeGlobal bodies.

Tests add what they need: `org.define("Foo__c", {"Name": "string"})`, `org.add_field("Account",
"Support_Tier__c", "picklist")`. Types follow describe: id, string, textarea, picklist, boolean,
int, double, date, datetime, reference (with `refs`), time. Fields listed in READ_ONLY are not
createable (describe says so and writes to them fail with INVALID_FIELD_FOR_INSERT_UPDATE).
"""

from __future__ import annotations

from tests.fakes.ids import prefix_of

SYSTEM = {"Id": "id", "CreatedDate": "datetime", "LastModifiedDate": "datetime", "SystemModstamp": "datetime",
          "IsDeleted": "boolean", "CreatedById": "reference:User", "LastModifiedById": "reference:User"}

OBJECTS: dict[str, dict[str, str]] = {
    "Organization": {"Name": "string", "IsSandbox": "boolean", "OrganizationType": "picklist",
                     "InstanceName": "string", "NamespacePrefix": "string", "TrialExpirationDate": "datetime"},
    "User": {"Name": "string", "Username": "string", "Email": "string", "IsActive": "boolean",
             "UserRoleId": "reference:UserRole"},
    "UserRole": {"Name": "string", "DeveloperName": "string"},
    "Group": {"Name": "string", "DeveloperName": "string", "Type": "picklist"},
    "CaseTeamRole": {"Name": "string", "AccessLevel": "picklist"},
    "RecordType": {"Name": "string", "DeveloperName": "string", "SobjectType": "picklist", "IsActive": "boolean"},
    "Account": {"Name": "string", "Type": "picklist", "Industry": "picklist", "OwnerId": "reference:User",
                "AnnualRevenue": "double", "ParentId": "reference:Account"},
    "Contact": {"LastName": "string", "FirstName": "string", "Email": "string", "AccountId": "reference:Account"},
    "Case": {"CaseNumber": "string", "Subject": "string", "Status": "picklist", "IsClosed": "boolean",
             "Origin": "picklist", "Priority": "picklist", "AccountId": "reference:Account",
             "ContactId": "reference:Contact", "EntitlementId": "reference:Entitlement",
             "BusinessHoursId": "reference:BusinessHours", "OwnerId": "reference:User,Group",
             "SlaStartDate": "datetime", "SlaExitDate": "datetime", "IsStopped": "boolean",
             "StopStartDate": "datetime", "ClosedDate": "datetime", "MilestoneStatus": "string",
             "IsEscalated": "boolean"},
    "Entitlement": {"Name": "string", "AccountId": "reference:Account", "SlaProcessId": "reference:SlaProcess",
                    "BusinessHoursId": "reference:BusinessHours", "StartDate": "date", "EndDate": "date",
                    "Status": "picklist", "Type": "picklist", "AssetId": "reference:Asset",
                    "IsPerIncident": "boolean", "CasesPerEntitlement": "int", "RemainingCases": "int"},
    "SlaProcess": {"Name": "string", "NameNorm": "string", "Description": "textarea", "IsActive": "boolean",
                   "IsVersionDefault": "boolean", "VersionNumber": "int", "VersionMaster": "string",
                   "VersionNotes": "textarea", "SObjectType": "picklist", "StartDateField": "string",
                   "BusinessHoursId": "reference:BusinessHours"},
    "MilestoneType": {"Name": "string", "Description": "textarea", "RecurrenceType": "picklist"},
    "BusinessHours": {"Name": "string", "IsActive": "boolean", "IsDefault": "boolean", "TimeZoneSidKey": "picklist",
                      **{f"{d}{k}Time": "time" for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                          "Saturday", "Sunday") for k in ("Start", "End")}},
    "Holiday": {"Name": "string", "ActivityDate": "date", "IsAllDay": "boolean", "IsRecurrence": "boolean"},
    "CaseMilestone": {"CaseId": "reference:Case", "MilestoneTypeId": "reference:MilestoneType",
                      "StartDate": "datetime", "TargetDate": "datetime", "CompletionDate": "datetime",
                      "IsCompleted": "boolean", "IsViolated": "boolean", "TargetResponseInMins": "int",
                      "ElapsedTimeInMins": "int", "TimeRemainingInMins": "string",
                      "BusinessHoursId": "reference:BusinessHours"},
    "Task": {"Subject": "string", "WhatId": "reference:Case,Account", "OwnerId": "reference:User",
             "ActivityDate": "date", "Status": "picklist"},
    "Asset": {"Name": "string", "AccountId": "reference:Account"},
}

ENTITLEMENT_OBJECTS = {"Entitlement", "SlaProcess", "MilestoneType", "CaseMilestone"}

READ_ONLY = {
    ("Case", "CaseNumber"), ("Case", "IsClosed"), ("Case", "MilestoneStatus"), ("Case", "SlaExitDate"),
    ("Entitlement", "Status"), ("Entitlement", "RemainingCases"),
    ("CaseMilestone", "IsViolated"), ("CaseMilestone", "TargetDate"), ("CaseMilestone", "StartDate"),
    ("CaseMilestone", "CaseId"), ("CaseMilestone", "MilestoneTypeId"), ("CaseMilestone", "ElapsedTimeInMins"),
    ("CaseMilestone", "TimeRemainingInMins"), ("CaseMilestone", "TargetResponseInMins"),
    ("CaseMilestone", "IsCompleted"),
}
# SlaProcess/BusinessHours/Organization are setup objects: not writable through REST here.
NOT_CREATEABLE_OBJECTS = {"Organization", "SlaProcess", "CaseMilestone", "RecordType"}


def default_objects() -> dict[str, dict[str, str]]:
    return {name: {**SYSTEM, **fields} for name, fields in OBJECTS.items()}


def _field_describe(sobject: str, name: str, ftype: str) -> dict:
    base, _, refs = ftype.partition(":")
    system = name in SYSTEM
    createable = not system and (sobject, name) not in READ_ONLY and sobject not in NOT_CREATEABLE_OBJECTS
    rel = None
    if base == "reference":
        rel = name[:-3] + "__r" if name.endswith("__c") else (name[:-2] if name.endswith("Id") else None)
    return {
        "name": name,
        "label": name,
        "type": base,
        "createable": createable,
        "updateable": createable,
        "nillable": name not in ("Id", "Name") and base != "boolean",
        "referenceTo": refs.split(",") if refs else [],
        "relationshipName": rel,
        "custom": name.endswith("__c"),
        "picklistValues": [],
        "length": 255 if base in ("string", "picklist", "textarea") else 0,
    }


def describe(sobject: str, fields: dict[str, str], instance_url: str, version: str) -> dict:
    return {
        "name": sobject,
        "label": sobject,
        "keyPrefix": prefix_of(sobject),
        "custom": sobject.endswith("__c"),
        "createable": sobject not in NOT_CREATEABLE_OBJECTS,
        "updateable": sobject not in NOT_CREATEABLE_OBJECTS,
        "deletable": sobject not in NOT_CREATEABLE_OBJECTS,
        "queryable": True,
        "fields": [_field_describe(sobject, n, t) for n, t in fields.items()],
        "urls": {"sobject": f"/services/data/v{version}/sobjects/{sobject}"},
    }


def describe_global(names, version: str) -> dict:
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [
            {
                "name": n, "label": n, "keyPrefix": prefix_of(n), "custom": n.endswith("__c"),
                "createable": n not in NOT_CREATEABLE_OBJECTS, "queryable": True,
                "urls": {"sobject": f"/services/data/v{version}/sobjects/{n}",
                         "describe": f"/services/data/v{version}/sobjects/{n}/describe"},
            }
            for n in names
        ],
    }
