"""`slakit plan` against an org whose retrieve looks like a real one: Salesforce writes back the
defaults our templates omit, version bookkeeping, its own order and line endings. Modelled on
real retrieved files (tests cite the shape, see /work/shared/reference/public-metadata/SOURCES.txt):

- mmg-opp1/JCRC-Dev `sla policy for cases.entitlementProcess-meta.xml`: every milestone carries
  `<isDisplayedOnLinkedEntity>false</isDisplayedOnLinkedEntity>`; actions named `Case.<Name>`;
- SwarajSalesforce/caseMgmtAccelerator `wholesale support_v3`: `isVersionDefault`,
  `versionMaster`, `versionNumber`; its Entitlement.settings lists every flag (false ones too);
  its SLAViolation__c field carries `trackFeedHistory`/`trackHistory` false;
- fpintelandgraf/alpinedemo `First Response.milestoneType`: no `recurrenceType` (none omitted);
- divyaagrawal/force-code-demo `standard support`: a warning trigger in Hours (`-1 Hours`).
"""

from __future__ import annotations

import re

import pytest

from tests.http.test_deploy import cli
from tests.http.test_plan import deployed  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("no_sleep")
GOLD = "entitlementProcesses/gold.entitlementProcess"
SETTINGS_FLAGS = """
    <assetLookupLimitedToActiveEntitlementsOnAccount>false</assetLookupLimitedToActiveEntitlementsOnAccount>
    <assetLookupLimitedToSameAccount>false</assetLookupLimitedToSameAccount>
    <enableMilestoneFeedItem>true</enableMilestoneFeedItem>
    <enableMilestoneStoppedTime>true</enableMilestoneStoppedTime>
    <entitlementLookupLimitedToActiveStatus>false</entitlementLookupLimitedToActiveStatus>
    <ignoreMilestoneBusinessHours>false</ignoreMilestoneBusinessHours>
"""
OTHER_ALERT = b"""<alerts>
        <fullName>Notify_Legal_On_Escalation</fullName>
        <description>Owned by the legal team, not by slakit</description>
        <protected>false</protected>
        <recipients><type>owner</type></recipients>
        <senderType>CurrentUser</senderType>
        <template>unfiled$public/Legal_Escalation</template>
    </alerts>
    """


def as_retrieved_process(xml: bytes, master: str) -> bytes:
    """What retrieving gold.entitlementProcess from a real org gives back."""
    text = xml.decode()
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)
    # defaults written out on every milestone
    text = text.replace("<milestones>\n", "<milestones>\n        <isDisplayedOnLinkedEntity>false</isDisplayedOnLinkedEntity>\n")
    # the violation trigger's actions in Salesforce's order (field update first), names with Case.
    text = re.sub(r"(<actions>\s*<name>)(Gold_First_Response_Violation_Email)(</name>\s*<type>Alert</type>\s*</actions>)"
                  r"(\s*)(<actions>\s*<name>)(Gold_First_Response_Violation_Set)(</name>\s*<type>FieldUpdate</type>\s*</actions>)",
                  r"\5Case.\6\7\4\1Case.\2\3", text, count=1)
    assert "<name>Case.Gold_First_Response_Violation_Set</name>" in text
    # a -120 minute warning stored as -2 Hours
    text = text.replace("<timeLength>-120</timeLength>\n            <workflowTimeTriggerUnit>Minutes",
                        "<timeLength>-2</timeLength>\n            <workflowTimeTriggerUnit>Hours", 1)
    assert "<timeLength>-2</timeLength>" in text
    text = text.replace("</EntitlementProcess>", f"    <isVersionDefault>true</isVersionDefault>\n"
                        f"    <versionMaster>{master}</versionMaster>\n    <versionNumber>1</versionNumber>\n"
                        "</EntitlementProcess>")
    return text.replace("\n", "\r\n").replace("    ", "  ").encode()


def make_retrieve_realistic(mdapi, org):
    files = mdapi.files
    master = org.find("SlaProcess", NameNorm="gold")[0]["VersionMaster"]
    files[GOLD] = as_retrieved_process(files[GOLD], master)
    mt = "milestoneTypes/First Response.milestoneType"
    files[mt] = files[mt].replace(b"    <recurrenceType>none</recurrenceType>\n", b"")
    settings = "settings/Entitlement.settings"
    files[settings] = files[settings].replace(b"<EntitlementSettings xmlns=\"http://soap.sforce.com/2006/04/metadata\">",
                                              b"<EntitlementSettings xmlns=\"http://soap.sforce.com/2006/04/metadata\">"
                                              + SETTINGS_FLAGS.encode(), 1)
    obj = "objects/Case.object"
    files[obj] = files[obj].replace(b"<trackTrending>false</trackTrending>",
                                    b"<trackFeedHistory>false</trackFeedHistory>\n        <trackHistory>false"
                                    b"</trackHistory>\n        <trackTrending>false</trackTrending>")
    wf = "workflows/Case.workflow"
    files[wf] = files[wf].replace(b"<alerts>", OTHER_ALERT + b"<alerts>", 1)
    return files


def test_a_realistic_retrieve_of_what_was_deployed_is_unchanged(deployed, mdapi, tiers, capsys,  # noqa: F811
                                                                rendered_acceptance):
    make_retrieve_realistic(mdapi, deployed)
    code, out, err = cli(capsys, "plan", tiers, "--from", rendered_acceptance, "--org", "uat", "--detailed-exitcode")
    assert code == 0, out + err
    assert "Plan: 0 to add, 0 to change, 0 new process version(s)" in out


def test_a_real_change_still_shows_through_the_defaults(deployed, mdapi, tiers, capsys,  # noqa: F811
                                                        rendered_acceptance):
    files = make_retrieve_realistic(mdapi, deployed)
    # the org's Gold shows First Response on linked entities (not the default): a real difference
    files[GOLD] = files[GOLD].replace(b"<isDisplayedOnLinkedEntity>false</isDisplayedOnLinkedEntity>",
                                      b"<isDisplayedOnLinkedEntity>true</isDisplayedOnLinkedEntity>", 1)
    # someone switched milestone feed items off: a flag we do set? no, one we leave alone: unchanged
    files["settings/Entitlement.settings"] = files["settings/Entitlement.settings"].replace(
        b"<enableMilestoneFeedItem>true<", b"<enableMilestoneFeedItem>false<")
    # and one of OUR field updates was edited in Setup
    wf = "workflows/Case.workflow"
    files[wf] = files[wf].replace(b"<literalValue>1</literalValue>", b"<literalValue>0</literalValue>", 1)
    code, out, err = cli(capsys, "plan", tiers, "--from", rendered_acceptance, "--org", "uat", "--detailed-exitcode")
    assert code == 2, out + err
    lines = out.splitlines()
    assert "  ~ EntitlementProcess Gold: no open cases: edited in place" in lines
    assert "  ~ Workflow Case" in lines
    assert not any("Settings Entitlement" in line for line in lines if line.startswith("  ~"))
    assert "Plan: 0 to add, 2 to change" in out
