"""The flows slakit renders: their logic read back from the rendered XML (start, trigger, entry
conditions, lookups and their filters, what is assigned), graph sanity, bulk safety, schema."""

from __future__ import annotations

import dataclasses
import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree

from slakit.config import load_project
from slakit.errors import ConfigError, RenderError
from slakit.render import flows_rules, xsd
from slakit.render.writer import render_files

DATA = Path(__file__).resolve().parent.parent / "data"
NS = {"m": "http://soap.sforce.com/2006/04/metadata"}
DATA_ELEMENTS = ("recordLookups", "recordUpdates", "recordCreates", "recordDeletes")


def flows_of(project, fmt="mdapi") -> dict[str, etree._Element]:
    files, _, _ = render_files(project, fmt)
    out = {}
    for rel, data in files.items():
        if "/flows/" in "/" + rel:
            name = rel.rsplit("/", 1)[1].split(".")[0]
            out[name] = etree.fromstring(data)
    return out


def project_from(tmp_path, text: str):
    path = tmp_path / "tiers.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_project(path)


def x(el, path):
    return el.xpath(path, namespaces=NS)


def t(el, path) -> str:
    found = x(el, path)
    assert found, f"nothing at {path}"
    return found[0].text


def element(flow, name):
    found = x(flow, f"/m:Flow/*[m:name='{name}']")
    assert len(found) == 1, f"{name}: {len(found)} elements"
    return found[0]


def conditions(rule) -> list[tuple]:
    out = []
    for c in x(rule, "m:conditions"):
        rv = x(c, "m:rightValue/*")[0]
        out.append((t(c, "m:leftValueReference"), t(c, "m:operator"), etree.QName(rv).localname, rv.text))
    return out


def filters(lookup) -> list[tuple]:
    out = []
    for f in x(lookup, "m:filters"):
        v = x(f, "m:value/*")[0]
        out.append((t(f, "m:field"), t(f, "m:operator"), etree.QName(v).localname, v.text))
    return out


def targets(el) -> list[str]:
    return [n.text for n in x(el, ".//m:targetReference")]


@pytest.fixture(scope="module")
def acceptance():
    return load_project(DATA / "acceptance.yml")


@pytest.fixture(scope="module")
def accepted_flows(acceptance):
    return flows_of(acceptance)


CLOSED_WON = """\
    api_version: "62.0"
    tiers:
      - name: Platinum
        milestones:
          - {name: First Response, time_limit: 1h, completes_when: first_response}
        entitlement:
          accounts: "Support_Tier__c = 'Platinum'"
          term: 12 months
          on_closed_won: {product_family: Premium Support}
      - name: R&D "Gold" <1>
        milestones:
          - {name: Resolution, time_limit: 8h, completes_when: case_closed}
        entitlement:
          name: "{tier} Care"
          term: 30 days
          type: Phone Support
          on_closed_won: {product_family: "R&D <Kit>", product_codes: [GOLD-1, "GOLD-'2"]}
      - name: Basic
        milestones:
          - {name: Resolution, time_limit: 40h, completes_when: case_closed}
        entitlement:
          accounts: "Support_Tier__c = null"
"""


# --- what is rendered ------------------------------------------------------------------------

def test_acceptance_renders_the_five_flows_schema_valid_and_listed(acceptance):
    files, members, _ = render_files(acceptance)
    flows = sorted(rel for rel in files if rel.startswith("flows/"))
    assert flows == ["flows/Slakit_CaseComment_Milestone_Completion.flow",
                     "flows/Slakit_Case_Entitlement_Stamping.flow",
                     "flows/Slakit_Case_Milestone_Completion.flow",
                     "flows/Slakit_Case_Milestone_Completion_On_Entry.flow",
                     "flows/Slakit_EmailMessage_Milestone_Completion.flow"]
    for rel in flows:
        assert xsd.check_bytes(files[rel], rel, "Flow") == []
    package = etree.fromstring(files["package.xml"])
    listed = x(package, "//m:types[m:name='Flow']/m:members/text()")
    assert sorted(listed) == sorted(r.split("/")[1].split(".")[0] for r in flows)


def test_source_format_and_determinism(acceptance):
    a, _, _ = render_files(acceptance, "source")
    b, _, _ = render_files(acceptance, "source")
    assert a == b
    assert "force-app/main/default/flows/Slakit_Case_Entitlement_Stamping.flow-meta.xml" in a


def test_every_flow_is_an_active_autolaunched_flow_at_the_project_api_version(accepted_flows):
    for name, flow in accepted_flows.items():
        assert t(flow, "m:processType") == "AutoLaunchedFlow", name
        assert t(flow, "m:status") == "Active", name
        assert t(flow, "m:apiVersion") == "62.0", name


def test_flow_status_can_be_draft(acceptance):
    draft = dataclasses.replace(acceptance, extra={"flow_status": "Draft"})
    assert {t(f, "m:status") for f in flows_of(draft).values()} == {"Draft"}
    with pytest.raises(RenderError):
        flows_of(dataclasses.replace(acceptance, extra={"flow_status": "Obsolete"}))


def test_too_old_api_versions_are_refused(acceptance, tmp_path):
    with pytest.raises(RenderError, match="55.0"):
        flows_of(dataclasses.replace(acceptance, api_version="54.0"))
    project = project_from(tmp_path, CLOSED_WON)
    with pytest.raises(RenderError, match="57.0"):
        flows_of(dataclasses.replace(project, api_version="56.0"))
    assert "Slakit_Opportunity_Closed_Won_Entitlements" not in flows_of(
        dataclasses.replace(project, api_version="56.0", tiers=project.tiers[2:]))


# --- graph sanity and bulk safety ------------------------------------------------------------

def _graph(flow):
    nodes = {t(e, "m:name"): e for e in x(flow, "/m:Flow/*[m:name and m:locationX]")}
    return nodes


def _reachable(flow, nodes):
    start = x(flow, "m:start")[0]
    todo = list(targets(start))
    seen = set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(targets(nodes[n]))
    return seen


@pytest.mark.parametrize("config", ["acceptance", "closed_won"])
def test_every_connector_lands_and_every_element_is_reachable(config, acceptance, tmp_path):
    project = acceptance if config == "acceptance" else project_from(tmp_path, CLOSED_WON)
    for name, flow in flows_of(project).items():
        nodes = _graph(flow)
        names = [t(e, "m:name") for e in x(flow, "/m:Flow/*[m:name]") if etree.QName(e).localname != "processMetadataValues"]
        assert len(names) == len(set(names)), f"{name}: duplicate element names"
        for target in targets(flow):
            assert target in nodes, f"{name}: connector to unknown {target}"
        assert _reachable(flow, nodes) == set(nodes), f"{name}: unreachable elements"
        for ref in x(flow, "//m:elementReference/text() | //m:leftValueReference/text() | //m:assignToReference/text()"
                     " | //m:collectionReference/text() | //m:inputReference/text()"):
            root = ref.split(".")[0]
            assert root.startswith("$") or root in names, f"{name}: reference to unknown {ref}"


@pytest.mark.parametrize("config", ["acceptance", "closed_won"])
def test_no_query_or_dml_inside_a_loop(config, acceptance, tmp_path):
    project = acceptance if config == "acceptance" else project_from(tmp_path, CLOSED_WON)
    for name, flow in flows_of(project).items():
        nodes = _graph(flow)
        for loop in x(flow, "m:loops"):
            loop_name = t(loop, "m:name")
            todo, seen = [t(loop, "m:nextValueConnector/m:targetReference")], set()
            while todo:
                n = todo.pop()
                if n == loop_name or n in seen:
                    continue
                seen.add(n)
                kind = etree.QName(nodes[n]).localname
                assert kind not in DATA_ELEMENTS, f"{name}: {kind} {n} runs inside loop {loop_name}"
                todo.extend(targets(nodes[n]))
            assert seen, f"{name}: loop {loop_name} has an empty body"
        # every query and DML element runs at most once per interview (outside loops), and the
        # number of them is fixed by the flow, not by the data (Salesforce batches them across
        # the 200 interviews of a bulk save)
        assert len(x(flow, "m:recordLookups")) <= 4 and len(x(flow, "m:recordUpdates | m:recordCreates")) <= 1


# --- entitlement stamping --------------------------------------------------------------------

def test_stamping_runs_before_save_on_create_and_account_change_without_overwriting(accepted_flows):
    flow = accepted_flows["Slakit_Case_Entitlement_Stamping"]
    assert t(flow, "m:start/m:object") == "Case"
    assert t(flow, "m:start/m:triggerType") == "RecordBeforeSave"
    assert t(flow, "m:start/m:recordTriggerType") == "CreateAndUpdate"
    formula = t(flow, "m:start/m:filterFormula")
    assert formula.startswith("ISBLANK({!$Record.EntitlementId}) && ")
    assert "(ISNEW() || ISCHANGED({!$Record.AccountId}) || ISCHANGED({!$Record.ContactId}))" in formula
    # a before-save flow changes the record by assignment, never by DML
    assert x(flow, "m:recordUpdates | m:recordCreates") == []
    assigned = [(t(i, "m:assignToReference"), t(i, "m:value/m:elementReference"))
                for i in x(flow, "m:assignments/m:assignmentItems[starts-with(m:assignToReference, '$Record')]")]
    assert assigned == [("$Record.EntitlementId", "Best_Entitlement_Id")]


def test_stamping_looks_up_active_entitlements_of_the_account(accepted_flows):
    flow = accepted_flows["Slakit_Case_Entitlement_Stamping"]
    lookup = element(flow, "Get_Account_Entitlements")
    assert t(lookup, "m:object") == "Entitlement"
    assert t(lookup, "m:getFirstRecordOnly") == "false"
    assert filters(lookup) == [
        ("AccountId", "EqualTo", "elementReference", "Account_Id"),
        ("StartDate", "LessThanOrEqualTo", "elementReference", "$Flow.CurrentDate"),
        ("StartDate", "IsNull", "booleanValue", "true"),
        ("EndDate", "GreaterThanOrEqualTo", "elementReference", "$Flow.CurrentDate"),
        ("EndDate", "IsNull", "booleanValue", "true"),
    ]
    assert t(lookup, "m:filterLogic") == "1 AND (2 OR 3) AND (4 OR 5)"
    account = t(element(flow, "Account_Id"), "m:expression")
    assert "{!$Record.Contact.AccountId}" in account and "{!$Record.AccountId}" in account


# A small evaluator for the part of the Salesforce formula language the rank formulas use, with the
# documented semantics: IF evaluates only the branch it takes; CONTAINS and FIND are case-sensitive;
# FIND and MID count from 1 and FIND gives 0 when the text is absent; ISBLANK is true for null and
# ''; VALUE turns text into a number. {!A.B} reads a flow resource or a field of a record variable.

FORMULA_TOKEN = re.compile(r"\s*(?:(\{![^}]+\})|(\d+)|'((?:[^'\\]|\\.)*)'|([A-Z]+)|(.))")


def evaluate(expression: str, values: dict):
    tokens = [m.groups() for m in FORMULA_TOKEN.finditer(expression) if any(m.groups())]
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else (None,) * 5

    def take(symbol=None):
        nonlocal pos
        tok = peek()
        assert symbol is None or tok[4] == symbol, f"expected {symbol} at {tok} in {expression}"
        pos += 1
        return tok

    def call(name):
        take("(")
        args = []
        while peek()[4] != ")":
            start = pos
            args.append(start)
            skip_expression()
            if peek()[4] == ",":
                take(",")
        take(")")
        return args

    def skip_expression():
        depth = 0
        while True:
            tok = peek()
            if tok[4] in (",", ")") and depth == 0:
                return
            depth += {"(": 1, ")": -1}.get(tok[4], 0)
            take()

    def at(start):
        nonlocal pos
        saved, pos = pos, start
        value = sum_expression()
        pos = saved
        return value

    def primary():
        ref, number, text, name, symbol = take()
        if ref:
            root, *path = ref[2:-1].split(".")
            value = values[root]
            for part in path:
                value = None if value is None else value.get(part)
            return value
        if number:
            return int(number)
        if text is not None:
            return re.sub(r"\\(.)", r"\1", text)
        if symbol == "(":
            value = sum_expression()
            take(")")
            return value
        args = call(name)
        if name == "IF":
            return at(args[1]) if at(args[0]) else at(args[2])
        a = [at(i) for i in args]
        if name == "ISBLANK":
            return a[0] is None or a[0] == ""
        if name == "CONTAINS":
            assert a[1], "CONTAINS with an empty search text"
            return a[1] in (a[0] or "")
        if name == "FIND":
            return (a[1] or "").find(a[0]) + 1
        if name == "MID":
            return a[0][a[1] - 1:a[1] - 1 + a[2]]
        if name == "LEFT":
            return a[0][:a[1]]
        if name == "VALUE":
            assert re.fullmatch(r"\d+", a[0]), f"VALUE({a[0]!r})"
            return int(a[0])
        raise AssertionError(f"function {name} not modelled")

    def sum_expression():
        value = primary()
        while peek()[4] in ("+", "-"):
            op = take()[4]
            right = primary()
            value = value + right if op == "+" else value - right
        return value

    result = sum_expression()
    assert pos == len(tokens), f"trailing tokens in {expression}"
    return result


def id18(id15: str) -> str:
    """The case-safe 18-character form of a 15-character Salesforce Id (documented suffix: one
    character per 5-character chunk, its bits marking the upper-case letters)."""
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    return id15 + "".join(chars[sum(1 << i for i, ch in enumerate(id15[k:k + 5]) if ch.isupper())]
                          for k in range(0, 15, 5))


def ranked_process_ids(flow, processes) -> str:
    """What the flow's Loop_Processes leaves in Ranked_Process_Ids for Get_Tier_Processes returning
    `processes` [(Name, Id)]: the Which_Tier_Process rule matching the name leads to an assignment
    whose Add items are appended in order (a literal, or a formula evaluated for this process)."""
    formulas = {t(f, "m:name"): t(f, "m:expression") for f in x(flow, "m:formulas")}
    decision = element(flow, "Which_Tier_Process")
    ranked = ""
    for name, pid in processes:
        matching = [r for r in x(decision, "m:rules") if conditions(r) == [("Each_Process.Name", "EqualTo",
                                                                                 "stringValue", name)]]
        if not matching:
            assert t(decision, "m:defaultConnector/m:targetReference") == "Loop_Processes"
            continue
        collect = element(flow, t(matching[0], "m:connector/m:targetReference"))
        assert t(collect, "m:connector/m:targetReference") == "Loop_Processes"
        for item in x(collect, "m:assignmentItems"):
            assert (t(item, "m:assignToReference"), t(item, "m:operator")) == ("Ranked_Process_Ids", "Add")
            v = x(item, "m:value/*")[0]
            if etree.QName(v).localname == "stringValue":
                ranked += v.text
            else:
                ranked += evaluate(formulas[v.text], {"Each_Process": {"Id": pid}})
    return ranked


def rank_of(flow, ranked: str, sla_process_id):
    expression = t(element(flow, "Candidate_Rank"), "m:expression")
    return evaluate(expression, {"Ranked_Process_Ids": ranked, "Each_Entitlement": {"SlaProcessId": sla_process_id}})


def test_stamping_ranks_entitlements_by_tier_order(accepted_flows):
    flow = accepted_flows["Slakit_Case_Entitlement_Stamping"]
    processes = element(flow, "Get_Tier_Processes")
    assert t(processes, "m:object") == "SlaProcess"
    assert filters(processes) == [("IsActive", "EqualTo", "booleanValue", "true")] + [
        ("Name", "EqualTo", "stringValue", n) for n in ("Platinum", "Gold", "Standard")]
    assert t(processes, "m:filterLogic") == "1 AND (2 OR 3 OR 4)"
    # the active processes as Get Records returns them (18-character Ids, sorted by Name); Gold has
    # two active versions; the fourth key differs from Platinum's only in letter case (another record)
    plat, gold1, gold2, std, other = ("552Hs000000Pt1q", "552Hs000000Gd1q", "552Hs000000Gd2q",
                                      "552Hs000000St1q", "552Hs000000pT1q")
    ranked = ranked_process_ids(flow, [("Gold", id18(gold1)), ("Gold", id18(gold2)),
                                       ("Platinum", id18(plat)), ("Standard", id18(std))])
    # by hand: rank (3 digits), ':', the 15-character key, ';' in the order the loop meets them
    assert ranked == f"002:{gold1};002:{gold2};001:{plat};003:{std};"
    # FIND gives the key's position p; the rank is the 3 characters at p - 4 (before the ':')
    assert rank_of(flow, ranked, id18(plat)) == 1
    assert rank_of(flow, ranked, id18(gold2)) == 2 and rank_of(flow, ranked, id18(gold1)) == 2
    assert rank_of(flow, ranked, id18(std)) == 3
    assert rank_of(flow, ranked, std) == 3  # a 15-character Id reads the same
    assert rank_of(flow, ranked, id18(other)) == 0  # same letters, other case: another process
    assert rank_of(flow, ranked, id18("552Hs000000Zz9q")) == 0  # not a tier process
    assert rank_of(flow, ranked, None) == 0 and rank_of(flow, ranked, "") == 0
    assert rank_of(flow, "", id18(plat)) == 0  # no active tier process at all
    # the loop keeps a candidate only when strictly better; entitlements come newest StartDate first
    assert t(element(flow, "Get_Account_Entitlements"), "m:sortOrder") == "Desc"
    better = t(element(flow, "Candidate_Is_Better"), "m:expression")
    assert better == "{!Candidate_Rank} > 0 && ({!Best_Rank} = 0 || {!Candidate_Rank} < {!Best_Rank})"

    def stamped(entitlements):
        best, best_rank = None, 0
        for ent_id, process_id in entitlements:
            rank = rank_of(flow, ranked, process_id)
            if rank > 0 and (best_rank == 0 or rank < best_rank):
                best, best_rank = ent_id, rank
        return best

    newest_first = [("550A", id18(std)), ("550B", id18(other)), ("550C", id18(gold1)), ("550D", id18(gold2)),
                    ("550E", None)]
    assert stamped(newest_first) == "550C"  # Gold beats Standard; the newer Gold entitlement wins the tie
    assert stamped(newest_first + [("550F", id18(plat))]) == "550F"
    assert stamped([("550B", id18(other)), ("550E", None)]) is None


# --- milestone completion --------------------------------------------------------------------

def completion_rules(flow) -> dict[str, list[tuple]]:
    """milestone name -> the conditions of the rule that completes it (read from the XML)."""
    out = {}
    for rule in x(element(flow, "Which_Milestone_Type"), "m:rules"):
        conds = conditions(rule)
        name = [c[3] for c in conds if c[0] == "Each_Milestone_Type.Name"][0]
        holds = [c[0] for c in conds if c[0].endswith("_Holds")][0]
        flag = [a for a in x(flow, "m:assignments") if x(a, f"m:assignmentItems[m:assignToReference='{holds}']")][0]
        check = [d for d in x(flow, "m:decisions") if t(flag, "m:name") in targets(x(d, "m:rules")[0])][0]
        out.setdefault(name, []).append((t(check, "m:rules/m:conditionLogic"), conditions(x(check, "m:rules")[0])))
    return out


def test_case_completion_on_update_runs_in_the_same_save_on_the_fields_it_needs(accepted_flows):
    """Updates complete on the immediate after-save path: in the transaction, before the
    entitlement rules run the process exit on close (issue 11 item 8)."""
    flow = accepted_flows["Slakit_Case_Milestone_Completion"]
    assert t(flow, "m:start/m:object") == "Case"
    assert t(flow, "m:start/m:triggerType") == "RecordAfterSave"
    assert t(flow, "m:start/m:recordTriggerType") == "Update"
    assert targets(x(flow, "m:start/m:connector")[0]) == ["Check_Rule_1"]  # the immediate path
    assert x(flow, "m:start/m:scheduledPaths") == []
    formula = t(flow, "m:start/m:filterFormula")
    assert formula.split(" || ") == ["ISCHANGED({!$Record.Status})", "ISCHANGED({!$Record.OwnerId})",
                                     "ISCHANGED({!$Record.L2_Assigned__c})"]


def test_case_completion_on_entry_runs_after_commit(accepted_flows):
    """A new case (or one given an entitlement) has no CaseMilestones until the entitlement rules
    run after the after-save flows: only that completion stays on the asynchronous path."""
    flow = accepted_flows["Slakit_Case_Milestone_Completion_On_Entry"]
    assert t(flow, "m:start/m:recordTriggerType") == "CreateAndUpdate"
    assert x(flow, "m:start/m:connector") == []  # all work on the asynchronous path
    assert t(flow, "m:start/m:scheduledPaths/m:pathType") == "AsyncAfterCommit"
    assert targets(x(flow, "m:start/m:scheduledPaths")[0]) == ["Check_Rule_1"]
    assert t(flow, "m:start/m:filterFormula") == "ISNEW() || ISCHANGED({!$Record.EntitlementId})"
    assert completion_rules(flow) == completion_rules(accepted_flows["Slakit_Case_Milestone_Completion"])


def test_case_completion_rules_match_completes_when(accepted_flows):
    rules = completion_rules(accepted_flows["Slakit_Case_Milestone_Completion"])
    assert rules == {
        "Resolution": [("and", [("$Record.IsClosed", "EqualTo", "booleanValue", "true")])],
        "Agent Assignment": [("and", [("$Record.OwnerId", "StartsWith", "stringValue", "005")])],
        "L2 Dwell": [("and", [("$Record.L2_Assigned__c", "EqualTo", "booleanValue", "false")])],
    }
    types = element(accepted_flows["Slakit_Case_Milestone_Completion"], "Get_Milestone_Types")
    assert t(types, "m:object") == "MilestoneType"
    assert sorted(f[3] for f in filters(types)) == ["Agent Assignment", "L2 Dwell", "Resolution"]
    assert t(types, "m:filterLogic") == "or"


@pytest.mark.parametrize("name, case_id", [("Slakit_Case_Milestone_Completion", "$Record.Id"),
                                           ("Slakit_Case_Milestone_Completion_On_Entry", "$Record.Id"),
                                           ("Slakit_EmailMessage_Milestone_Completion", "$Record.ParentId"),
                                           ("Slakit_CaseComment_Milestone_Completion", "$Record.ParentId")])
def test_completion_sets_completion_date_on_the_cases_open_milestones(accepted_flows, name, case_id):
    flow = accepted_flows[name]
    lookup = element(flow, "Get_Open_Case_Milestones")
    assert t(lookup, "m:object") == "CaseMilestone"
    assert filters(lookup) == [("CaseId", "EqualTo", "elementReference", case_id),
                               ("IsCompleted", "EqualTo", "booleanValue", "false")]
    mark = element(flow, "Mark_Complete")
    items = [(t(i, "m:assignToReference"), t(i, "m:value/m:elementReference")) for i in x(mark, "m:assignmentItems")]
    assert items == [("Each_Case_Milestone.CompletionDate", "Completion_Time"),
                     ("Milestones_To_Complete", "Each_Case_Milestone")]
    assert "StartDate" in [q.text for q in x(lookup, "m:queriedFields")]
    update = element(flow, "Complete_Milestones")
    assert etree.QName(update).localname == "recordUpdates"
    assert t(update, "m:inputReference") == "Milestones_To_Complete"
    due = t(element(flow, "Milestone_Is_Due"), "m:expression")
    assert "CONTAINS({!Type_Ids_To_Complete}, {!Each_Case_Milestone.MilestoneTypeId})" in due


EVENT_TIMES = {
    # the close for milestones a close completes, else the save that made the rule hold
    "Slakit_Case_Milestone_Completion": "IF(AND(CONTAINS({!Closed_Type_Ids}, {!Each_Case_Milestone.MilestoneTypeId}), "
                                        "NOT(ISBLANK({!$Record.ClosedDate}))), {!$Record.ClosedDate}, "
                                        "{!$Record.LastModifiedDate})",
    "Slakit_EmailMessage_Milestone_Completion": "BLANKVALUE({!$Record.MessageDate}, {!$Record.CreatedDate})",
    "Slakit_CaseComment_Milestone_Completion": "{!$Record.CreatedDate}",
}


@pytest.mark.parametrize("name", sorted(EVENT_TIMES))
def test_completion_date_is_the_events_own_time_never_before_the_start(accepted_flows, name):
    """CompletionDate = ClosedDate / the save / EmailMessage.MessageDate / CaseComment.CreatedDate,
    not $Flow.CurrentDateTime (when the flow ran), and never before the milestone's StartDate."""
    flow = accepted_flows[name]
    assert "$Flow.CurrentDateTime" not in " ".join(x(flow, "//m:assignments//m:elementReference/text()"))
    assert t(element(flow, "Event_Time"), "m:expression") == EVENT_TIMES[name]
    assert t(element(flow, "Event_Time"), "m:dataType") == "DateTime"
    assert t(element(flow, "Completion_Time"), "m:expression") == (
        "IF({!Event_Time} < {!Each_Case_Milestone.StartDate}, {!Each_Case_Milestone.StartDate}, {!Event_Time})")


def test_only_milestones_the_close_completes_take_the_closed_date(accepted_flows, tmp_path):
    """Read from the XML: the Which_Milestone_Type rule of each milestone leads through
    Add_Closed_Type_Id (ClosedDate) only for case_closed milestones."""
    flow = accepted_flows["Slakit_Case_Milestone_Completion"]
    via = {}
    for rule in x(element(flow, "Which_Milestone_Type"), "m:rules"):
        name = [c[3] for c in conditions(rule) if c[0] == "Each_Milestone_Type.Name"][0]
        via[name] = targets(rule)[0]
    assert via == {"Resolution": "Add_Closed_Type_Id", "Agent Assignment": "Add_Type_Id", "L2 Dwell": "Add_Type_Id"}
    assert targets(element(flow, "Add_Closed_Type_Id")) == ["Add_Type_Id"]
    solo = flows_of(project_from(tmp_path, """\
        tiers:
          - name: Solo
            milestones:
              - {name: Agent Assignment, time_limit: 1h, completes_when: owner_assigned}
    """))["Slakit_Case_Milestone_Completion"]
    assert x(solo, "/m:Flow/*[m:name='Add_Closed_Type_Id']") == []
    assert t(element(solo, "Event_Time"), "m:expression") == "{!$Record.LastModifiedDate}"


def test_first_response_by_outbound_email(accepted_flows):
    flow = accepted_flows["Slakit_EmailMessage_Milestone_Completion"]
    assert t(flow, "m:start/m:object") == "EmailMessage"
    assert t(flow, "m:start/m:triggerType") == "RecordAfterSave"
    assert t(flow, "m:start/m:doesRequireRecordChangedToMeetCriteria") == "true"
    assert filters(x(flow, "m:start")[0]) == [("Incoming", "EqualTo", "booleanValue", "false"),
                                                 ("Status", "EqualTo", "stringValue", "3"),
                                                 ("ParentId", "IsNull", "booleanValue", "false")]
    assert completion_rules(flow) == {
        "First Response": [("and", [("$Record.Incoming", "EqualTo", "booleanValue", "false")])]}


def test_first_response_by_public_comment_of_an_internal_user(accepted_flows):
    flow = accepted_flows["Slakit_CaseComment_Milestone_Completion"]
    assert t(flow, "m:start/m:object") == "CaseComment"
    assert filters(x(flow, "m:start")[0]) == [("IsPublished", "EqualTo", "booleanValue", "true")]
    assert completion_rules(flow) == {
        "First Response": [("and", [("$Record.CreatedBy.UserType", "EqualTo", "stringValue", "Standard")])]}


def test_one_milestone_completed_differently_per_tier_is_scoped_by_process(tmp_path):
    project = project_from(tmp_path, """\
        tiers:
          - name: Alpha
            milestones:
              - {name: Response, time_limit: 1h, completes_when: first_response}
          - name: Beta
            milestones:
              - {name: Response, time_limit: 1h, completes_when: owner_assigned}
              - name: Triage
                time_limit: 2h
                completes_when:
                  - {field: Case.Subject, operator: notContain, value: "[new]"}
                  - {field: Case.Priority, operator: equals, value: High}
    """)
    flows = flows_of(project)
    assert completion_rules(flows["Slakit_Case_Milestone_Completion"]) == {
        "Response": [("1 AND 2", [("$Record.OwnerId", "StartsWith", "stringValue", "005"),
                                  ("$Record.SlaProcess.Name", "EqualTo", "stringValue", "Beta")])],
        "Triage": [("NOT 1 AND 2", [("$Record.Subject", "Contains", "stringValue", "[new]"),
                                    ("$Record.Priority", "EqualTo", "stringValue", "High")])],
    }
    assert completion_rules(flows["Slakit_EmailMessage_Milestone_Completion"]) == {
        "Response": [("1 AND 2", [("$Record.Incoming", "EqualTo", "booleanValue", "false"),
                                  ("$Record.Parent.SlaProcess.Name", "EqualTo", "stringValue", "Alpha")])]}


def test_only_the_flows_a_file_needs_are_rendered(tmp_path):
    project = project_from(tmp_path, """\
        tiers:
          - name: Solo
            milestones:
              - {name: Resolution, time_limit: 8h, completes_when: case_closed}
              - {name: Nothing, time_limit: 8h}
    """)
    assert sorted(flows_of(project)) == ["Slakit_Case_Entitlement_Stamping", "Slakit_Case_Milestone_Completion",
                                         "Slakit_Case_Milestone_Completion_On_Entry"]


def test_a_criterion_a_flow_cannot_check_is_refused_by_validate_at_its_line(tmp_path):
    # issue 15: what render would refuse, validate refuses first, located in tiers.yml
    with pytest.raises(ConfigError, match="within") as caught:
        project_from(tmp_path, """\
            tiers:
              - name: Geo
                milestones:
                  - name: Visit
                    time_limit: 8h
                    completes_when: [{field: Case.Location__c, operator: within, value: "10"}]
        """)
    assert (caught.value.problem.line, caught.value.problem.field) == (6, "tiers[0].milestones[0].completes_when[0].operator")


# --- Closed Won entitlements -----------------------------------------------------------------

def test_no_closed_won_flow_without_on_closed_won(accepted_flows):
    assert "Slakit_Opportunity_Closed_Won_Entitlements" not in accepted_flows


def test_closed_won_creates_the_tiers_entitlements(tmp_path):
    project = project_from(tmp_path, CLOSED_WON)
    flow = flows_of(project)["Slakit_Opportunity_Closed_Won_Entitlements"]
    start = x(flow, "m:start")[0]
    assert t(start, "m:object") == "Opportunity"
    assert t(start, "m:triggerType") == "RecordAfterSave"
    assert t(start, "m:doesRequireRecordChangedToMeetCriteria") == "true"
    assert filters(start) == [("IsWon", "EqualTo", "booleanValue", "true"),
                              ("AccountId", "IsNull", "booleanValue", "false")]
    assert filters(element(flow, "Get_Line_Items")) == [("OpportunityId", "EqualTo", "elementReference", "$Record.Id")]
    assert filters(element(flow, "Get_Products")) == [("Id", "In", "elementReference", "Product_Ids")]
    processes = element(flow, "Get_Tier_Processes")
    assert filters(processes) == [("IsActive", "EqualTo", "booleanValue", "true"),
                                  ("IsVersionDefault", "EqualTo", "booleanValue", "true"),
                                  ("Name", "EqualTo", "stringValue", "Platinum"),
                                  ("Name", "EqualTo", "stringValue", 'R&D "Gold" <1>')]
    assert t(processes, "m:filterLogic") == "1 AND 2 AND (3 OR 4)"
    # tier 1 sells on the family, tier 2 on the family or either product code
    assert conditions(x(element(flow, "Is_Tier_1_Product"), "m:rules")[0]) == [
        ("Each_Product.Family", "EqualTo", "stringValue", "Premium Support")]
    rule2 = x(element(flow, "Is_Tier_2_Product"), "m:rules")[0]
    assert t(rule2, "m:conditionLogic") == "or"
    assert conditions(rule2) == [("Each_Product.Family", "EqualTo", "stringValue", "R&D <Kit>"),
                                 ("Each_Product.ProductCode", "EqualTo", "stringValue", "GOLD-1"),
                                 ("Each_Product.ProductCode", "EqualTo", "stringValue", "GOLD-'2")]
    build = element(flow, "Build_Tier_2_Entitlement")
    items = {t(i, "m:assignToReference"): x(i, "m:value/*")[0].text for i in x(build, "m:assignmentItems")}
    assert items == {
        "New_Tier_2_Entitlement.Name": 'R&D "Gold" <1> Care',
        "New_Tier_2_Entitlement.AccountId": "$Record.AccountId",
        "New_Tier_2_Entitlement.SlaProcessId": "Tier_2_Process_Id",
        "New_Tier_2_Entitlement.StartDate": "$Flow.CurrentDate",
        "New_Tier_2_Entitlement.EndDate": "Tier_2_End_Date",
        "New_Tier_2_Entitlement.Type": "Phone Support",
        "Entitlements_To_Create": "New_Tier_2_Entitlement",
    }
    # 12 months from today ends the day before the same date next year; 30 days ends on day 30
    assert t(element(flow, "Tier_1_End_Date"), "m:expression") == "ADDMONTHS({!$Flow.CurrentDate}, 12) - 1"
    assert t(element(flow, "Tier_2_End_Date"), "m:expression") == "{!$Flow.CurrentDate} + 29"
    create = element(flow, "Create_Entitlements")
    assert etree.QName(create).localname == "recordCreates"
    assert t(create, "m:inputReference") == "Entitlements_To_Create"
    # an entitlement is only built when its tier sold and its process exists
    assert conditions(x(element(flow, "Create_Tier_1"), "m:rules")[0]) == [
        ("Tier_1_Won", "EqualTo", "booleanValue", "true"), ("Tier_1_Process_Id", "IsNull", "booleanValue", "false")]


def test_a_hundred_tiers_render_a_stamping_flow_with_the_same_rank_formula(acceptance):
    base = acceptance.tiers[0]
    many = tuple(dataclasses.replace(base, name=f"Tier {i:03d}", api_name=f"Tier_{i:03d}") for i in range(1, 101))
    files, _, _ = render_files(dataclasses.replace(acceptance, tiers=many))
    rel = "flows/Slakit_Case_Entitlement_Stamping.flow"
    assert xsd.check_bytes(files[rel], rel, "Flow") == []
    flow = etree.fromstring(files[rel])
    three = t(element(flows_of(acceptance)["Slakit_Case_Entitlement_Stamping"], "Candidate_Rank"), "m:expression")
    rank = t(element(flow, "Candidate_Rank"), "m:expression")
    assert len(rank) == len(three) and rank == three
    # one variable, one formula: nothing per tier outside the decision rules and their assignments
    assert [t(v, "m:name") for v in x(flow, "m:variables[m:dataType='String']")] == [
        "Best_Entitlement_Id", "Ranked_Process_Ids"]
    assert len(x(element(flow, "Which_Tier_Process"), "m:rules")) == 100
    keys = {n: f"552Hs0000{n:03d}Ab9" for n in (1, 7, 42, 99, 100)}  # 15 characters each
    ranked = ranked_process_ids(flow, [(f"Tier {n:03d}", id18(k)) for n, k in sorted(keys.items(), reverse=True)])
    assert ranked.startswith(f"100:{keys[100]};099:{keys[99]};")
    for n, key in keys.items():
        assert rank_of(flow, ranked, id18(key)) == n


def test_past_999_tiers_the_rank_is_written_wider():
    tiers = flows_rules.stamping_tiers(SimpleNamespace(tiers=[SimpleNamespace(name=f"T{i}") for i in range(1200)]))
    assert (tiers[0]["prefix"], tiers[999]["prefix"]) == ("0001:", "1000:")
    formula = flows_rules.rank_formula(1200)
    keys = {1: "552Hs0000001Ab9", 1000: "552Hs0001000Ab9", 1200: "552Hs0001200Ab9"}
    ranked = "".join(f"{tiers[n - 1]['prefix']}{k};" for n, k in keys.items())
    for n, key in keys.items():
        values = {"Ranked_Process_Ids": ranked, "Each_Entitlement": {"SlaProcessId": id18(key)}}
        assert evaluate(formula, values) == n
    assert flows_rules.stamping_tiers(SimpleNamespace(tiers=[SimpleNamespace(name="A")]))[0]["prefix"] == "001:"
