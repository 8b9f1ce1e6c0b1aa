"""`slakit.deploy.compare`, the content comparison `slakit plan` uses (pure; no HTTP). Each rule
has a case where the files must still differ, so a comparator that says "same" to everything fails."""

from __future__ import annotations

from slakit.deploy.compare import canonical, same

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def process(*milestones: str, head: str = "", exit_items: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<EntitlementProcess {NS}>\n<SObjectType>Case</SObjectType>'
            f"<active>true</active>{head}{exit_items}{''.join(milestones)}<name>Gold</name></EntitlementProcess>").encode()


def ms(name: str, minutes: int = 240, triggers: str = "", extra: str = "") -> str:
    return (f"<milestones>{extra}<milestoneName>{name}</milestoneName><minutesToComplete>{minutes}</minutesToComplete>"
            f"{triggers}<useCriteriaStartTime>false</useCriteriaStartTime></milestones>")


def trig(length: int, unit: str = "Minutes", *actions: tuple[str, str]) -> str:
    acts = "".join(f"<actions><name>{n}</name><type>{t}</type></actions>" for n, t in actions)
    return f"<timeTriggers>{acts}<timeLength>{length}</timeLength><workflowTimeTriggerUnit>{unit}</workflowTimeTriggerUnit></timeTriggers>"


def item(field: str, value: str) -> str:
    return f"<milestoneCriteriaFilterItems><field>{field}</field><operation>equals</operation><value>{value}</value></milestoneCriteriaFilterItems>"


def test_defaults_and_bookkeeping_are_not_differences():
    ours = process(ms("First Response"))
    org = process(ms("First Response", extra="<isDisplayedOnLinkedEntity>false</isDisplayedOnLinkedEntity>"),
                  head="<description></description><isRecordTypeApplied>false</isRecordTypeApplied>"
                       "<isVersionDefault>true</isVersionDefault>").replace(
        b"</EntitlementProcess>", b"<versionMaster>5522w000000CqaH</versionMaster><versionNumber>3</versionNumber>"
                                  b"</EntitlementProcess>")
    assert same(org, ours)
    assert not same(org.replace(b"<isDisplayedOnLinkedEntity>false", b"<isDisplayedOnLinkedEntity>true"), ours)
    assert not same(process(ms("First Response", 120)), ours)


def test_action_and_trigger_order_do_not_matter_milestone_order_does():
    a = trig(0, "Minutes", ("Gold_FR_Violation_Email", "Alert"), ("Gold_FR_Violation_Set", "FieldUpdate"))
    b = trig(0, "Minutes", ("Case.Gold_FR_Violation_Set", "FieldUpdate"), ("Gold_FR_Violation_Email", "Alert"))
    warn = trig(-60, "Minutes", ("Gold_FR_Warning_Email", "Alert"))
    assert same(process(ms("First Response", triggers=b + warn)), process(ms("First Response", triggers=warn + a)))
    assert not same(process(ms("First Response", triggers=b)), process(ms("First Response", triggers=warn)))
    assert not same(process(ms("Resolution"), ms("First Response")), process(ms("First Response"), ms("Resolution")))


def test_trigger_lengths_compare_in_minutes():
    hours = process(ms("First Response", triggers=trig(-1, "Hours", ("W", "Alert"))))
    assert same(hours, process(ms("First Response", triggers=trig(-60, "Minutes", ("W", "Alert")))))
    assert not same(hours, process(ms("First Response", triggers=trig(-1, "Minutes", ("W", "Alert")))))
    days = process(ms("Resolution", triggers=trig(1, "Days", ("V", "Alert"))))
    assert same(days, process(ms("Resolution", triggers=trig(1440, "Minutes", ("V", "Alert")))))


def test_filter_items_are_a_set_unless_a_boolean_filter_numbers_them():
    x, y = item("Case.Priority", "High"), item("Case.Origin", "Web")
    assert same(process(ms("FR", extra=x + y)), process(ms("FR", extra=y + x)))
    f = "<criteriaBooleanFilter>1 OR (2 AND 1)</criteriaBooleanFilter>"
    assert not same(process(ms("FR", extra=f + x + y)), process(ms("FR", extra=f + y + x)))


def test_whitespace_comments_and_line_endings():
    ours = process(ms("First Response"))
    org = ours.replace(b"<milestones>", b"\r\n  <!-- note -->\r\n  <milestones>\r\n    ")
    assert canonical(org) == canonical(ours)
    assert same(b"Dear {!Case.Owner},\r\nthe SLA...\r\n", b"Dear {!Case.Owner},\nthe SLA...\n")
    assert not same(b"Dear {!Case.Owner},\nthe SLA is breached", b"Dear {!Case.Owner},\nthe SLA...")


def test_milestone_type_recurrence_none_is_the_default():
    ours = f"<MilestoneType {NS}><description>d</description><recurrenceType>none</recurrenceType></MilestoneType>"
    org = f"<MilestoneType {NS}><description>d</description></MilestoneType>"
    assert same(org.encode(), ours.encode())
    assert not same(org.encode(), ours.replace(">none<", ">recursIndependently<").encode())


def test_settings_compare_only_the_flags_we_set():
    ours = f"<EntitlementSettings {NS}><enableEntitlementVersioning>true</enableEntitlementVersioning><enableEntitlements>true</enableEntitlements></EntitlementSettings>"
    org = ours.replace("<enableEntitlements>", "<enableMilestoneFeedItem>true</enableMilestoneFeedItem><enableEntitlements>")
    assert same(org.encode(), ours.encode())
    assert not same(org.replace("<enableEntitlementVersioning>true", "<enableEntitlementVersioning>false").encode(),
                    ours.encode())


def test_workflow_compares_only_our_actions():
    def alert(name, template):
        return (f"<alerts><fullName>{name}</fullName><protected>false</protected><recipients><type>owner</type>"
                f"</recipients><senderType>CurrentUser</senderType><template>{template}</template></alerts>")
    ours = f"<Workflow {NS}>{alert('Gold_W', 'slakit/W')}{alert('Gold_V', 'slakit/V')}</Workflow>"
    org = f"<Workflow {NS}>{alert('Legal', 'unfiled$public/L')}{alert('Gold_V', 'slakit/V')}{alert('Gold_W', 'slakit/W')}</Workflow>"
    assert same(org.encode(), ours.encode())
    assert not same(org.replace("slakit/V<", "slakit/X<").encode(), ours.encode())
    assert not same(org.replace(alert("Gold_W", "slakit/W"), "").encode(), ours.encode())  # ours missing


# -- differences(): the same comparison, saying what differs (before = the org, after = ours) ------
def test_differences_are_empty_exactly_when_same():
    from slakit.deploy.compare import differences

    hours = process(ms("First Response", triggers=trig(-1, "Hours", ("Case.W", "Alert"))))
    minutes = process(ms("First Response", triggers=trig(-60, "Minutes", ("W", "Alert"))))
    assert differences(hours, minutes) == []  # what canonical form ignores is never reported
    assert differences(process(ms("First Response", 120)), process(ms("First Response"))) == [
        {"path": "milestone First Response: minutesToComplete", "before": "120", "after": "240"}]


def test_differences_name_milestone_order_and_filter_values():
    from slakit.deploy.compare import differences

    assert differences(process(ms("Resolution"), ms("First Response")),
                       process(ms("First Response"), ms("Resolution"))) == [
        {"path": "milestone order", "before": ["Resolution", "First Response"],
         "after": ["First Response", "Resolution"]}]
    x = item("Case.Priority", "High")
    assert differences(process(ms("FR", extra=x)), process(ms("FR", extra=x.replace("High", "Low")))) == [
        {"path": "milestone FR: criteria Case.Priority: value", "before": "High", "after": "Low"}]
    # a flag left at its default in our file reads as that default, not as "removed"
    shown = process(ms("FR", extra="<isDisplayedOnLinkedEntity>true</isDisplayedOnLinkedEntity>"))
    assert differences(shown, process(ms("FR"))) == [
        {"path": "milestone FR: isDisplayedOnLinkedEntity", "before": "true", "after": "false"}]


def test_differences_in_containers_settings_and_text_files():
    from slakit.deploy.compare import differences

    ours = f"<Workflow {NS}><alerts><fullName>Gold_W</fullName><template>slakit/W</template></alerts></Workflow>"
    legal = f"<Workflow {NS}><alerts><fullName>Legal</fullName><template>x/L</template></alerts></Workflow>"
    assert differences(legal.encode(), ours.encode()) == [  # Legal is not ours: never "removed"
        {"path": "alert Gold_W", "before": None, "after": {"fullName": "Gold_W", "template": "slakit/W"}}]
    flags = f"<EntitlementSettings {NS}><enableEntitlements>true</enableEntitlements></EntitlementSettings>"
    assert differences(flags.replace(">true<", ">false<").encode(), flags.encode()) == [
        {"path": "enableEntitlements", "before": "false", "after": "true"}]
    assert differences(b"Dear {!Case.Owner},\r\nthe SLA is breached\r\n", b"Dear {!Case.Owner},\nthe SLA...\n") == [
        {"path": "line 2", "before": "the SLA is breached", "after": "the SLA..."}]


def test_email_template_ui_type_aloha_is_the_default_a_retrieve_writes_back():
    from slakit.deploy.compare import differences

    ours = (f'<EmailTemplate {NS}><available>true</available><encodingKey>UTF-8</encodingKey><name>X</name>'
            "<style>none</style><subject>S</subject><type>text</type></EmailTemplate>").encode()
    org = ours.replace(b"</EmailTemplate>", b"<uiType>Aloha</uiType></EmailTemplate>")
    assert same(org, ours)
    lightning = ours.replace(b"</EmailTemplate>", b"<uiType>SFX</uiType></EmailTemplate>")
    assert differences(lightning, ours) == [{"path": "uiType", "before": "SFX", "after": "Aloha"}]
