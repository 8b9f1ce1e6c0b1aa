"""The Metadata API (SOAP) of the fake org: deploy / checkDeployStatus, retrieve / checkStatus /
checkRetrieveStatus, answered with the XML Salesforce sends (DeployResult with details).

    mdapi = MetadataApi(org)             # registers on the org's route table
    mdapi.fail("EntitlementProcess", "gold", "Invalid milestone name", line=12)
    mdapi.in_progress_polls = 2          # checkDeployStatus says InProgress twice first

Stateful: a successful, non-check-only deploy stores its files (`mdapi.files`, what retrieve
returns) and updates records the way the org would: Entitlement.settings turns Entitlement
Management on (for the NEXT deploy), BusinessHours.settings upserts BusinessHours, milestone
types create MilestoneType rows, processes create SlaProcess versions. Rules the real org
enforces and slakit must respect are enforced here too: entitlement metadata fails with
`Cannot use: EntitlementProcess in this organization` while Entitlement Management is off, a
process naming business hours or milestone types the org lacks fails, and a versioned process
whose versionMaster is not the org's fails with "Another entitlement process is already using
this name".

Also modelled (issue 11): SlaProcess.NameNorm per version, `gold` or `gold_v1` for version 1
(`mdapi.v1_suffix`), `gold_vN` after, and a file stored under it; a fullName the org does not
hold for a version it has is refused. Holidays and their links to business hours live in
`mdapi.holidays` (`add_holiday`), a retrieve of `Settings: BusinessHours` is built from org state
(`business_hours_settings`), and a deployed BusinessHours.settings drops the holidays it leaves
out. A retrieve returns what the org writes back (`uiType` Aloha, `useCriteriaStartTime` false).
Production (Organization.IsSandbox false) refuses Active flows no deployed Apex test covers, and
lands them inactive when `mdapi.deploy_flows_active` is False; `runTests` is recorded.

One SOAP endpoint per fake org (`soap_endpoint(org)`): Salesforce serves every Metadata API call
on `/services/Soap/m/{version}[/{orgId}]` and tells them apart by the SOAP body element (and the
SOAPAction header). `SoapEndpoint` routes `deploy`, `checkDeployStatus`, `retrieve`,
`checkStatus`, `checkRetrieveStatus`, `listMetadata` and `readMetadata` to whoever registered
them, checks the SessionHeader, and faults with `INVALID_OPERATION` for anything else. So the
deploy fake (`MetadataApi`) and the audit's readMetadata fake (tests/fakes/audit_org.py) work in
the same test: `readMetadata` answers from explicitly installed components first, then from what
a deploy stored (`files`), the way the org reads back what it was given.
"""

from __future__ import annotations

import base64
import io
import itertools
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

from lxml import etree

from slakit.config.project import WEEKDAYS as DAYS
from slakit.deploy.folder import TYPE_FOLDERS
from slakit.deploy.plan import ENTITLEMENT_TYPES
from slakit.render.xsd import SCHEMA_FILE
from slakit.salesforce import MD_NS as NS
from slakit.render.manifest import WORKFLOW_CHILDREN

# Tables built from the product's (tests/fakes/README.md): the folder of each file-level metadata
# type from slakit's TYPE_FOLDERS, leaving out the types that live inside a parent's file (the
# Metadata API's "child" types: workflow actions and rules, custom fields, business hours entries).
_CHILD_TYPES = {*WORKFLOW_CHILDREN.values(), "CustomField", "BusinessHoursEntry"}
FOLDER_TYPES = {folder: type_ for type_, folder in TYPE_FOLDERS.items() if type_ not in _CHILD_TYPES}
assert len(FOLDER_TYPES) == len([t for t in TYPE_FOLDERS if t not in _CHILD_TYPES]), \
    "two file-level types share a folder in slakit.deploy.folder.TYPE_FOLDERS"
_ids = itertools.count(1)


@dataclass
class DeployRecord:
    id: str
    files: dict[str, bytes]
    check_only: bool
    test_level: str | None
    run_tests: list[str] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    polls: int = 0
    success: bool = False


def _env(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
            'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            f'xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>").encode()


def _x(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _child(root, tag):
    return root.findtext(f"{{{NS}}}{tag}")


SESSIONS_OK = ("fake.session.token", "refreshed.session.token")


def soap_fault(code: str, message: str, status: int = 500) -> tuple[int, bytes]:
    return status, ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
                    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.soap.sforce.com">'
                    f"<soapenv:Body><soapenv:Fault><faultcode>{code}</faultcode><faultstring>{_x(message)}"
                    "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>").encode()


class SoapEndpoint:
    """The org's one Metadata API SOAP endpoint, dispatching on the body element."""

    def __init__(self, org):
        self.org = org
        self.handlers: dict[str, object] = {"listMetadata": self._listMetadata, "readMetadata": self._readMetadata}
        self.components: dict[tuple[str, str], str | bytes] = {}  # installed by tests, read first
        self.files: dict[str, bytes] = {}  # what successful deploys stored (shared with MetadataApi)
        self.log: list[str] = []  # "listMetadata EntitlementProcess", "deploy", ...
        org.route("POST", r"/services/Soap/m/[\d.]+(?:/\w+)?/?$", "soap")(self._handle)

    def on(self, action: str, handler) -> None:
        self.handlers[action] = handler

    def _handle(self, org, request, match):
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        root = etree.fromstring(body.encode())
        session = root.findtext(".//{*}SessionHeader/{*}sessionId") or ""
        if not session.endswith(SESSIONS_OK):
            return soap_fault("sf:INVALID_SESSION_ID", "INVALID_SESSION_ID: Invalid Session ID found in "
                              "SessionHeader: Illegal Session")
        ops = root.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Body")
        op = ops[0] if ops is not None and len(ops) else None
        action = etree.QName(op).localname if op is not None else (request.headers.get("SOAPAction") or "").strip('"')
        header = (request.headers.get("SOAPAction") or "").strip('"')
        if header and header.lower() != action.lower():
            return soap_fault("soapenv:Client", f"SOAPAction '{header}' does not match the body element '{action}'")
        md_type = op.findtext(f".//{{{NS}}}type") if op is not None else None
        self.log.append(f"{action} {md_type}" if md_type else action)
        handler = self.handlers.get(action)
        if handler is None:
            return soap_fault("sf:INVALID_OPERATION", f"fake: {action} not supported")
        answer = handler(op)
        return answer if isinstance(answer, tuple) else (200, answer)

    # -- read side: listMetadata / readMetadata over installed components and deployed files --
    def _all(self, md_type: str) -> dict[str, bytes | str]:
        out: dict[str, bytes | str] = {}
        for path, data in self.files.items():
            if path.endswith("-meta.xml") or path == "package.xml":
                continue
            ctype, name = MetadataApi._component(path)
            if ctype == md_type:
                out[name] = data
        out.update({n: xml for (t, n), xml in self.components.items() if t == md_type})
        return out

    def _listMetadata(self, op):
        md_type = op.findtext(f".//{{{NS}}}type")
        results = "".join(f"<result><fullName>{_x(n)}</fullName><type>{md_type}</type></result>"
                          for n in sorted(self._all(md_type)))
        return _env(f"<listMetadataResponse>{results}</listMetadataResponse>")

    def _readMetadata(self, op):
        md_type = op.findtext(f"{{{NS}}}type")
        known = self._all(md_type)
        records = "".join(_record(md_type, f.text, known.get(f.text)) for f in op.findall(f"{{{NS}}}fullNames"))
        return _env(f"<readMetadataResponse><result>{records}</result></readMetadataResponse>")


def _record(md_type: str, full_name: str, xml: str | bytes | None) -> str:
    """A metadata file as readMetadata's `<records xsi:type=...>` element (missing: nil)."""
    if xml is None:
        return '<records xsi:nil="true"/>'
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml,
                            etree.XMLParser(remove_comments=True))
    inner = "".join(etree.tostring(child, encoding="unicode") for child in root)
    return f'<records xsi:type="{md_type}"><fullName>{_x(full_name)}</fullName>{inner}</records>'


def soap_endpoint(org) -> SoapEndpoint:
    """The org's SOAP endpoint, created on first use (one per org, whoever asks first)."""
    endpoint = getattr(org, "_soap_endpoint", None)
    if endpoint is None:
        endpoint = org._soap_endpoint = SoapEndpoint(org)
    return endpoint


class MetadataApi:
    def __init__(self, org):
        self.org = org
        self.endpoint = soap_endpoint(org)
        self.files: dict[str, bytes] = self.endpoint.files
        self.deploys: list[DeployRecord] = []
        self.retrieves: list[dict] = []
        self.configured: dict[tuple[str, str], tuple[str, int | None]] = {}
        self.in_progress_polls = 1
        # NameNorm of version 1 in a versioned org: bare `gold` (SwarajSalesforce/caseMgmtAccelerator
        # retrieves `wholesale support` next to `wholesale support_v3`) or `gold_v1` (gvinnakota/
        # createdraftarticlefromcase retrieves `developer support_v1`). Later versions: `gold_vN`.
        self.v1_suffix = False
        # The org's holidays as its BusinessHoursSettings lists them (name -> <holidays> element):
        # links to business hours exist only there (SOQL's Holiday has none).
        self.holidays: dict[str, bytes] = {}
        # Production's "Deploy processes and flows as active" (Process Automation Settings): on, a
        # flow deploys active only if the deploy's Apex tests cover it (Tooling API,
        # FlowTestCoverage); off, production flows land inactive. Sandboxes deploy as the file says.
        self.deploy_flows_active = True
        self.flow_test_classes: set[str] = set()  # Apex test classes that cover flows (tests may add)
        for action in ("deploy", "checkDeployStatus", "retrieve", "checkStatus", "checkRetrieveStatus"):
            self.endpoint.on(action, getattr(self, f"_{action}"))

    def add_holiday(self, name: str, *, business_hours: tuple[str, ...] = (), **fields: str) -> None:
        """An org holiday (test setup): its settings element, linked to `business_hours`, and
        its Holiday record. `fields` use the metadata names (activityDate, isRecurring, ...)."""
        el = etree.Element(f"{{{NS}}}holidays", nsmap={None: NS})
        values = {**fields, "name": name, "isRecurring": fields.get("isRecurring", "false")}
        for tag in HOLIDAY_FIELDS:
            if tag == "businessHours":
                for bh in business_hours:
                    etree.SubElement(el, f"{{{NS}}}businessHours").text = bh
            elif tag in values:
                etree.SubElement(el, f"{{{NS}}}{tag}").text = str(values[tag])
        self.holidays[name] = etree.tostring(el)
        self.org.insert("Holiday", Name=name, ActivityDate=fields.get("activityDate"),
                        IsAllDay="startTime" not in fields, IsRecurrence=values["isRecurring"] == "true")

    def business_hours_settings(self) -> bytes:
        """What a retrieve of `Settings: BusinessHours` returns: every BusinessHours record and
        every holiday with its links, by name (as in the retrieved files of
        fpintelandgraf/alpinedemo and SwarajSalesforce/caseMgmtAccelerator)."""
        root = etree.Element(f"{{{NS}}}BusinessHoursSettings", nsmap={None: NS})
        for r in sorted(self.org.records["BusinessHours"].values(), key=lambda r: r["Name"]):
            bh = etree.SubElement(root, f"{{{NS}}}businessHours")
            etree.SubElement(bh, f"{{{NS}}}active").text = str(bool(r.get("IsActive"))).lower()
            etree.SubElement(bh, f"{{{NS}}}default").text = str(bool(r.get("IsDefault"))).lower()
            times = {f"{d}{e}Time": r.get(f"{d.title()}{e}Time") for d in DAYS for e in ("Start", "End")}
            for tag in sorted([*times, "name", "timeZoneId"]):
                value = r["Name"] if tag == "name" else r.get("TimeZoneSidKey") if tag == "timeZoneId" else times[tag]
                if value:
                    etree.SubElement(bh, f"{{{NS}}}{tag}").text = value
        for name in sorted(self.holidays):
            root.append(etree.fromstring(self.holidays[name]))
        etree.indent(root, space="    ")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def fail(self, ctype: str, full_name: str, problem: str, line: int | None = None) -> None:
        self.configured[(ctype, full_name)] = (problem, line)

    def _deploy(self, op):
        raw = base64.b64decode(_child(op, "ZipFile"))
        opts = op.find(f"{{{NS}}}DeployOptions")
        zf = zipfile.ZipFile(io.BytesIO(raw))
        files = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
        rec = DeployRecord(id=f"0Af5g00000{next(_ids):05d}", files=files,
                           check_only=_child(opts, "checkOnly") == "true", test_level=_child(opts, "testLevel"),
                           run_tests=[t.text for t in opts.findall(f"{{{NS}}}runTests")])
        rec.failures = self._failures(files) + self._coverage_failures(rec)
        rec.success = not rec.failures
        if rec.success and not rec.check_only:
            self._apply(files)
        self.deploys.append(rec)
        return _env(f"<deployResponse><result><done>false</done><id>{rec.id}</id><state>Queued</state>"
                    "</result></deployResponse>")

    def _checkDeployStatus(self, op):
        rec = next(d for d in self.deploys if d.id == _child(op, "asyncProcessId"))
        rec.polls += 1
        n = sum(1 for f in rec.files if f != "package.xml")
        if rec.polls <= self.in_progress_polls:
            return _env(f"<checkDeployStatusResponse><result><checkOnly>{str(rec.check_only).lower()}</checkOnly>"
                        f"<done>false</done><id>{rec.id}</id><numberComponentsDeployed>{rec.polls - 1}"
                        f"</numberComponentsDeployed><numberComponentsTotal>{n}</numberComponentsTotal>"
                        "<stateDetail>Processing Type: EntitlementProcess</stateDetail><status>InProgress</status>"
                        "<success>false</success></result></checkDeployStatusResponse>")
        details = "".join(self._success_xml(p) for p in rec.files if p != "package.xml") if rec.success else ""
        details += "".join(self._failure_xml(f) for f in rec.failures)
        status = "Succeeded" if rec.success else "Failed"
        return _env(f"<checkDeployStatusResponse><result><checkOnly>{str(rec.check_only).lower()}</checkOnly>"
                    "<completedDate>2026-03-02T15:00:05.000Z</completedDate>"
                    f"<details>{details}</details><done>true</done><id>{rec.id}</id>"
                    f"<ignoreWarnings>true</ignoreWarnings><numberComponentErrors>{len(rec.failures)}"
                    f"</numberComponentErrors><numberComponentsDeployed>{n - len(rec.failures)}"
                    f"</numberComponentsDeployed><numberComponentsTotal>{n}</numberComponentsTotal>"
                    f"<rollbackOnError>true</rollbackOnError><status>{status}</status>"
                    f"<success>{str(rec.success).lower()}</success></result></checkDeployStatusResponse>")

    def _retrieve(self, op):
        req = op.find(f"{{{NS}}}retrieveRequest/{{{NS}}}unpackaged")
        wanted = [(t.findtext(f"{{{NS}}}name"), m.text) for t in req.findall(f"{{{NS}}}types")
                  for m in t.findall(f"{{{NS}}}members")]
        rid = f"09S5g00000{next(_ids):05d}"
        self.retrieves.append({"id": rid, "members": wanted})
        return _env(f"<retrieveResponse><result><done>false</done><id>{rid}</id><state>Queued</state>"
                    "</result></retrieveResponse>")

    def _checkStatus(self, op):
        return _env(f"<checkStatusResponse><result><done>true</done><id>{_child(op, 'asyncProcessIds') or ''}"
                    "</id><state>Completed</state></result></checkStatusResponse>")

    def _checkRetrieveStatus(self, op):
        wanted = set(self.retrieves[-1]["members"])
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for path, data in sorted(self.files.items()):
                if path != "settings/BusinessHours.settings" and wanted & self._members_of(path):
                    zf.writestr(f"unpackaged/{path}", data)
            if ("Settings", "BusinessHours") in wanted:  # the org's state, not the last file deployed
                zf.writestr("unpackaged/settings/BusinessHours.settings", self.business_hours_settings())
            zf.writestr("unpackaged/package.xml", b"<Package/>")
        data = base64.b64encode(buf.getvalue()).decode()
        return _env("<checkRetrieveStatusResponse><result><done>true</done><status>Succeeded</status>"
                    f"<success>true</success><zipFile>{data}</zipFile></result></checkRetrieveStatusResponse>")

    def _members_of(self, path: str) -> set[tuple[str, str]]:
        """(type, member) pairs a stored file answers for in a retrieve."""
        key = path[: -len("-meta.xml")] if path.endswith("-meta.xml") else path
        ctype, name = self._component(key)
        if ctype == "CustomObject":
            fields = re.findall(rb"<fullName>(\w+__c)</fullName>", self.files[path])
            return {(ctype, name)} | {("CustomField", f"{name}.{f.decode()}") for f in fields}
        if ctype == "Workflow":
            return {(ctype, name)}
        return {(ctype, name)}

    # -- rules -----------------------------------------------------------------------------
    @staticmethod
    def _component(path: str) -> tuple[str, str]:
        folder, _, rest = path.partition("/")
        # the fullName as the API knows it: encoded as in the file name ("legal %26 compliance")
        return FOLDER_TYPES.get(folder, folder), rest.rsplit(".", 1)[0]

    def _failures(self, files: dict[str, bytes]) -> list[dict]:
        out = []
        deploying_types = {unquote(self._component(p)[1]).lower() for p in files if p.startswith("milestoneTypes/")}
        for path, data in files.items():
            if path == "package.xml":
                continue
            ctype, name = self._component(path)
            problem, line = self.configured.get((ctype, name), (None, None))
            if problem is None and ctype in ENTITLEMENT_TYPES and not self.org.entitlements:
                problem = f"Cannot use: {ctype} in this organization"
            if problem is None and ctype == "EntitlementProcess":
                problem = self._process_problem(unquote(name), data, deploying_types)
            if problem:
                out.append({"type": ctype, "name": name, "file": path, "problem": problem, "line": line})
        return out

    def _coverage_failures(self, rec: DeployRecord) -> list[dict]:
        """Production, flows deployed active: the deploy must run an Apex test class covering them
        (deployed with it, or already in the org). The wording is the fake's."""
        org_sandbox = bool(self.org.get_record(self.org.org_id).get("IsSandbox"))
        active = [p for p, d in rec.files.items() if p.startswith("flows/") and b"<status>Active</status>" in d]
        if org_sandbox or not self.deploy_flows_active or not active:
            return []
        deployed = {self._component(p)[1] for p, d in rec.files.items()
                    if p.startswith("classes/") and p.endswith(".cls") and b"@isTest" in d}
        known = deployed | self.flow_test_classes
        ran = set(rec.run_tests) if rec.test_level == "RunSpecifiedTests" else (
            known if rec.test_level in ("RunLocalTests", "RunAllTestsInOrg") or (rec.test_level is None and deployed)
            else set())
        if ran & known:
            return []
        return [{"type": "Flow", "name": self._component(p)[1], "file": p, "line": None,
                 "problem": "The flow can't be deployed as active: no Apex test in this deployment covers it "
                            "(Deploy processes and flows as active is on)"} for p in sorted(active)]

    def _process_problem(self, member: str, data: bytes, deploying_types: set[str]) -> str | None:
        root = etree.fromstring(data)
        hours = _child(root, "businessHours")
        if hours and not self.org.find("BusinessHours", Name=hours):
            return f"Business hours '{hours}' do not exist in this organization"
        known = {r["Name"].lower() for r in self.org.records["MilestoneType"].values()} | deploying_types
        for ms in root.findall(f"{{{NS}}}milestones"):
            if (_child(ms, "milestoneName") or "").lower() not in known:
                return f"Milestone type '{_child(ms, 'milestoneName')}' does not exist"
            for act in [*ms.iter(f"{{{NS}}}actions"), *ms.iter(f"{{{NS}}}successActions")]:
                if (_child(act, "name") or "").startswith("Case."):
                    return f"Invalid action name: {_child(act, 'name')}"
        master = _child(root, "versionMaster")
        number = int(_child(root, "versionNumber") or 1)
        base = _family(member, number)
        family = [r for r in self.org.records["SlaProcess"].values() if _row_family(r) == base]
        if master and family and all((r.get("VersionMaster") or "")[:15] != master[:15] for r in family):
            return "Another entitlement process is already using this name."
        # a fullName the org does not hold for a version it has (bare `gold` where the org holds
        # `gold_v1`) is a second process of the same name, which Salesforce refuses
        if any(int(r.get("VersionNumber") or 1) == number and r.get("NameNorm") != member for r in family):
            return "Another entitlement process is already using this name."
        return None

    def _success_xml(self, path: str) -> str:
        ctype, name = self._component(path)
        return (f"<componentSuccesses><changed>true</changed><componentType>{ctype}</componentType>"
                f"<created>true</created><deleted>false</deleted><fileName>{_x(path)}</fileName>"
                f"<fullName>{_x(name)}</fullName><success>true</success></componentSuccesses>")

    @staticmethod
    def _failure_xml(f: dict) -> str:
        line = f"<lineNumber>{f['line']}</lineNumber><columnNumber>5</columnNumber>" if f["line"] else ""
        return (f"<componentFailures><changed>false</changed>{line}<componentType>{f['type']}</componentType>"
                f"<created>false</created><deleted>false</deleted><fileName>{_x(f['file'])}</fileName>"
                f"<fullName>{_x(f['name'])}</fullName><problem>{_x(f['problem'])}</problem>"
                "<problemType>Error</problemType><success>false</success></componentFailures>")

    # -- effects of a successful deploy ----------------------------------------------------
    def _merge_workflows(self, files: dict[str, bytes]) -> dict[str, bytes]:
        """A deployed workflow adds or updates its children and keeps every child the file leaves
        out: package.xml adds, only destructiveChanges.xml deletes (Metadata API guide, "Deleting
        Components from an Organization"). With package.xml listing children (`WorkflowAlert:
        Case.X`, how `slakit smoke` deploys its actions) only the listed ones are taken; with
        `Workflow: Case`, all of them."""
        members = _package_members(files.get("package.xml", b""))
        files = dict(files)
        for path in [p for p in files if p.startswith("workflows/") and p.endswith(".workflow")]:
            obj = path[len("workflows/"):-len(".workflow")]
            if obj in members.get("Workflow", ()) or "*" in members.get("Workflow", ()):
                listed = None  # the whole workflow: every child in the file
            else:
                listed = {(t, m.split(".", 1)[1]) for t, ms in members.items() if t in WORKFLOW_CHILDREN.values()
                          for m in ms if m.startswith(f"{obj}.")}
            files[path] = _merge_workflow(self.files.get(path), files[path], listed)
        return files

    def _apply(self, files: dict[str, bytes]) -> None:
        org = self.org
        files = self._merge_workflows(files)
        for path, data in sorted(files.items()):
            if path == "package.xml":
                continue
            ctype, name = self._component(path)
            name = unquote(name)  # records hold the decoded name
            if ctype == "EntitlementProcess":  # stored (and retrieved) under the NameNorm the org gives it
                name = self._name_norm(name, etree.fromstring(data))
                path = f"entitlementProcesses/{_encode(name)}.entitlementProcess"
            data = self.files[path] = _written_back(path, data)
            if ctype == "Flow" and "FlowDefinitionView" in org.objects:
                self._apply_flow(name, etree.fromstring(data))
            if not (path.startswith("settings/") or ctype in ENTITLEMENT_TYPES):
                continue
            root = etree.fromstring(data)
            if path == "settings/Entitlement.settings" and _child(root, "enableEntitlements") == "true":
                org.entitlements = True
            elif path == "settings/BusinessHours.settings":
                for bh in root.findall(f"{{{NS}}}businessHours"):
                    values = {"Name": _child(bh, "name"), "IsActive": _child(bh, "active") == "true",
                              "TimeZoneSidKey": _child(bh, "timeZoneId")}
                    for day in DAYS:
                        for edge in ("Start", "End"):  # SOQL returns times as 09:00:00.000Z
                            values[f"{day.title()}{edge}Time"] = _child(bh, f"{day}{edge}Time")
                    if _child(bh, "default") == "true":
                        values["IsDefault"] = True
                    found = org.find("BusinessHours", Name=values["Name"])
                    org.update("BusinessHours", found[0]["Id"], values) if found else org.insert("BusinessHours", values)
                self._replace_holidays(root)
            elif ctype == "MilestoneType" and not org.find("MilestoneType", Name=name):
                org.insert("MilestoneType", Name=name, RecurrenceType=_child(root, "recurrenceType") or "none")
            elif ctype == "EntitlementProcess":
                self._apply_process(name, root)

    def _replace_holidays(self, root) -> None:
        """The org's holidays become exactly those the deployed file lists, linked as it lists
        them: holidays it leaves out are gone (what admins report of BusinessHoursSettings
        deploys, issue 11). Business hours are never deleted (records only deactivate)."""
        listed = {_child(h, "name"): etree.tostring(h) for h in root.findall(f"{{{NS}}}holidays")}
        self.holidays = dict(listed)
        for rec in list(self.org.records.get("Holiday", {}).values()):
            if rec["Name"] not in listed:
                self.org.delete("Holiday", rec["Id"])
        for name, xml in listed.items():
            if not self.org.find("Holiday", Name=name):
                h = etree.fromstring(xml)
                self.org.insert("Holiday", Name=name, ActivityDate=_child(h, "activityDate"),
                                IsAllDay=_child(h, "startTime") is None, IsRecurrence=_child(h, "isRecurring") == "true")

    def holiday_links(self) -> dict[str, list[str]]:
        """{holiday name: [business hours it is linked to]} (test assertions)."""
        return {n: [b.text for b in etree.fromstring(x).findall(f"{{{NS}}}businessHours")]
                for n, x in self.holidays.items()}

    def _apply_flow(self, name: str, root) -> None:
        """A deployed flow shows in FlowDefinitionView (when a test defined that object)."""
        start = root.find(f"{{{NS}}}start")
        sandbox = bool(self.org.get_record(self.org.org_id).get("IsSandbox"))
        active = _child(root, "status") == "Active" and (sandbox or self.deploy_flows_active)
        values = {"ApiName": name, "Label": _child(root, "label") or name, "IsActive": active,
                  "ActiveVersionId": f"301{zlib.crc32(name.encode()):012d}AAA" if active else None,
                  "ProcessType": _child(root, "processType"),
                  "TriggerType": _child(start, "triggerType") if start is not None else None,
                  "TriggerObjectOrEventLabel": _child(start, "object") if start is not None else None}
        found = self.org.find("FlowDefinitionView", ApiName=name)
        if found:
            self.org.update("FlowDefinitionView", found[0]["Id"], values)
        else:
            self.org.insert("FlowDefinitionView", values)

    def _name_norm(self, member: str, root) -> str:
        number = int(_child(root, "versionNumber") or 1)
        base = _family(member, number)
        return f"{base}_v{number}" if number > 1 or self.v1_suffix else base

    def _apply_process(self, member: str, root) -> None:
        org = self.org
        number = int(_child(root, "versionNumber") or 1)
        base = _family(member, number)
        hours = _child(root, "businessHours")
        hours_id = org.find("BusinessHours", Name=hours)[0]["Id"] if hours else None
        values = {"Name": _child(root, "name") or base, "NameNorm": member, "IsActive": _child(root, "active") == "true",
                  "VersionNumber": number, "BusinessHoursId": hours_id, "SObjectType": "Case",
                  "IsVersionDefault": _child(root, "isVersionDefault") != "false"}
        family = [r for r in org.records["SlaProcess"].values() if _row_family(r) == base]
        same = [r for r in family if int(r.get("VersionNumber") or 1) == number]
        if values["IsVersionDefault"]:
            for r in family:
                r["IsVersionDefault"] = False
        if same:
            org.update("SlaProcess", same[0]["Id"], values)
        else:
            new_id = org.insert("SlaProcess", values)
            master = _child(root, "versionMaster") or (family[0].get("VersionMaster") if family else None)
            org.get_record(new_id)["VersionMaster"] = (master or new_id)[:15]



@lru_cache(maxsize=1)
def workflow_order() -> list[str]:
    """The Workflow children in the order the Metadata API schema's sequence declares them (the
    reduced XSD slakit validates against, src/slakit/schema)."""
    xs = "{http://www.w3.org/2001/XMLSchema}"
    root = etree.parse(str(SCHEMA_FILE)).getroot()
    workflow = root.find(f"{xs}complexType[@name='Workflow']")
    return [el.get("name") for el in workflow.iter(f"{xs}element")]


HOLIDAY_FIELDS = ("activityDate", "businessHours", "description", "endTime", "isRecurring", "name",
                  "recurrenceDayOfMonth", "recurrenceDayOfWeek", "recurrenceInstance", "recurrenceMonthOfYear",
                  "recurrenceStartDate", "recurrenceType", "startTime")  # schema order


def _written_back(path: str, data: bytes) -> bytes:
    """What a retrieve returns for a deployed file: the org writes values the file left out.
    - EmailTemplate: `<uiType>Aloha</uiType>` on Classic (text) templates, last in the schema
      sequence (retrieved text templates as recorded in salto-io's Salesforce adapter tests; the
      Metadata API EmailTemplate page: uiType Aloha = Classic, SFX = Lightning).
    - EntitlementProcess: `<useCriteriaStartTime>false</useCriteriaStartTime>` on every milestone
      that omits it (every retrieved process in /work/shared/reference/public-metadata has it).
    """
    if not (path.endswith(".email-meta.xml") or path.startswith("entitlementProcesses/")):
        return data
    root = etree.fromstring(data)
    kind = etree.QName(root).localname
    if kind == "EmailTemplate" and root.find(f"{{{NS}}}uiType") is None:
        etree.SubElement(root, f"{{{NS}}}uiType").text = "Aloha"
    elif kind == "EntitlementProcess":
        for ms in root.findall(f"{{{NS}}}milestones"):
            if ms.find(f"{{{NS}}}useCriteriaStartTime") is None:
                etree.SubElement(ms, f"{{{NS}}}useCriteriaStartTime").text = "false"
    else:
        return data
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _family(member: str, number: int) -> str:
    """`gold_v2` (version 2) -> `gold`; `gold_v1` -> `gold`; `gold` -> `gold`."""
    suffix = f"_v{number}"
    return member[: -len(suffix)] if member.endswith(suffix) else member


def _row_family(row: dict) -> str:
    return _family(row.get("NameNorm") or "", int(row.get("VersionNumber") or 1))


def _encode(name: str) -> str:
    """A fullName as the Metadata API writes it in a file name: ASCII letters, digits, space,
    `-`, `_`, `*` kept, everything else (and a run of underscores) UTF-8 %XX."""
    kept = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -_*")
    out = []
    for tok in re.findall(r"_{2,}|.", name, re.S):
        out.append(tok if len(tok) == 1 and tok in kept else "".join(f"%{b:02X}" for b in tok.encode()))
    return "".join(out)


WORKFLOW_CHILDREN = {"alerts": "WorkflowAlert", "fieldUpdates": "WorkflowFieldUpdate", "tasks": "WorkflowTask",
                     "rules": "WorkflowRule", "outboundMessages": "WorkflowOutboundMessage"}


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
    order = workflow_order()
    kids = sorted(base, key=lambda el: (order.index(etree.QName(el).localname)
                                        if etree.QName(el).localname in order else len(order),
                                        el.findtext(f"{{{NS}}}fullName") or ""))
    for el in list(base):
        base.remove(el)
    base.extend(kids)
    return etree.tostring(base, xml_declaration=True, encoding="UTF-8")


def versions_of(org, family: str, **where) -> list[dict]:
    """SlaProcess rows of one process, every version (NameNorm `gold`, `gold_v1`, `gold_v2`...)."""
    return [r for r in org.find("SlaProcess", **where) if _row_family(r) == family]
