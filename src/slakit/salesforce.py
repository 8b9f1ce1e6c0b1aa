"""Constants of the Salesforce platform that every layer shares (no slakit imports here).

- `DEFAULT_API_VERSION`: the API version used when neither tiers.yml (`api_version`) nor the
  CumulusCI project (`project.package.api_version`) names one.
- `MD_NS`: the Metadata API namespace every metadata file and package.xml is written in
  (Metadata API Developer Guide, "Metadata API Namespace").
- `Target`: the object entitlement processes run on and the objects around it (`CASE` today; an
  entitlement process's `SObjectType` is Case or WorkOrder: Metadata API Developer Guide,
  "EntitlementProcess"). A WorkOrder SLA would be one more `TARGETS` entry plus its own flows.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_API_VERSION = "62.0"
MD_NS = "http://soap.sforce.com/2006/04/metadata"


@dataclass(frozen=True)
class Target:
    """The object an SLA runs on, with its milestone, history, comment and email objects and
    the fields slakit reads and writes on it. Field names are bare (no object prefix)."""

    sobject: str  # the entitlement process's SObjectType: "Case"
    milestone_object: str  # one row per milestone on a record: "CaseMilestone"
    parent_field: str  # the milestone object's lookup to the record: "CaseId"
    relationship: str  # that lookup's relationship name in SOQL paths: "Case" (CaseMilestone.Case.IsClosed)
    history_object: str  # field history (owner and field changes): "CaseHistory"
    comment_object: str | None = None  # public comments that may be a first response: "CaseComment"
    email_object: str | None = None  # outbound emails that may be a first response: "EmailMessage"
    entitlement_field: str = "EntitlementId"  # what the stamping flow and backfill set
    start_field: str = "SlaStartDate"  # where every rendered process starts its clock
    closed_field: str = "IsClosed"  # the process exits when it is true
    stopped_field: str = "IsStopped"  # the record's milestones are paused

    @property
    def prefix(self) -> str:
        """`Case.`: the prefix tiers.yml, criteria and org metadata may put on a field or action name."""
        return f"{self.sobject}."

    def bare(self, name: str, *, ignore_case: bool = True) -> str:
        """`Case.L2__c` -> `L2__c`; anything else (`L2__c`, `Account.Name`) unchanged, a relationship
        path `Case.Account.Name` -> `Account.Name`. tiers.yml may write the prefix in any case;
        names Salesforce wrote are matched exactly (`ignore_case=False`)."""
        has = name.lower().startswith(self.prefix.lower()) if ignore_case else name.startswith(self.prefix)
        return name[len(self.prefix):] if has else name

    def field(self, name: str) -> str:
        """`L2__c` -> `Case.L2__c` (a bare field name: messages, members, entryStartDateField)."""
        return self.prefix + name

    def via(self, path: str) -> str:
        """A path from the milestone object through its record: `IsClosed` -> `Case.IsClosed`."""
        return f"{self.relationship}.{path}"

    def qualified(self, name: str) -> str:
        """A criterion field as Salesforce writes it: prefixed unless it already names an object."""
        return name if "." in name else self.prefix + name


CASE = Target("Case", "CaseMilestone", "CaseId", "Case", "CaseHistory", comment_object="CaseComment",
              email_object="EmailMessage")
TARGETS = {t.sobject: t for t in (CASE,)}
