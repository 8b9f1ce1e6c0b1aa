"""CumulusCI's Metadata API tasks run in-process: Deploy a phase folder, retrieve current files.

CumulusCI logs deploy progress (`[InProgress]: Processing Type: EntitlementProcess`) on the task
logger; a private logger here forwards those lines to a progress callback and keeps CumulusCI's
own error logging off the user's terminal (slakit prints the failures itself, one per line).
Component failures come back as `type name: problem (file:line)` problems in one DeployError.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Callable, Literal
from xml.dom.minidom import Element

from slakit.errors import DeployError, Problem
from slakit.org.errors import ENTITLEMENTS_OFF, is_entitlements_off

if TYPE_CHECKING:
    from slakit.org.connect import OrgConnection

TestLevel = Literal["NoTestRun", "RunLocalTests", "RunAllTestsInOrg", "RunSpecifiedTests"]
TEST_LEVELS: tuple[TestLevel, ...] = ("NoTestRun", "RunLocalTests", "RunAllTestsInOrg", "RunSpecifiedTests")
Progress = Callable[[str], None]


class _Forward(logging.Handler):
    def __init__(self, on_progress: Progress | None):
        super().__init__(logging.INFO)
        self.on_progress = on_progress

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        m = re.match(r"\[(Pending|InProgress|Done|Success)\]:?\s*(.*)", text)
        if self.on_progress and m:
            self.on_progress(m.group(2) or m.group(1))


def _task_logger(on_progress: Progress | None) -> logging.Logger:
    logger = logging.getLogger("slakit.deploy.cumulusci")
    logger.handlers[:] = [_Forward(on_progress)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


def _use_api_version(conn: OrgConnection, api_version: str) -> None:
    """Deploy with tiers.yml's api_version (CumulusCI reads project.package.api_version)."""
    conn.project_config.config.setdefault("project", {}).setdefault("package", {})["api_version"] = api_version


def _text(el: Element, tag: str) -> str | None:
    found = el.getElementsByTagName(tag)
    return found[0].firstChild.nodeValue if found and found[0].firstChild else None


def component_problems(xml: bytes, folder: str | None = None) -> list[Problem]:
    """One Problem per componentFailure: `type name: problem (file:line)`."""
    from defusedxml.minidom import parseString

    problems = []
    for cf in parseString(xml).getElementsByTagName("componentFailures"):
        ctype = _text(cf, "componentType") or "Component"
        name = _text(cf, "fullName") or ""
        problem = " ".join((_text(cf, "problem") or "unknown problem").split())
        if is_entitlements_off(None, problem):
            problem = ENTITLEMENTS_OFF
        file_name = _text(cf, "fileName")
        line = _text(cf, "lineNumber")
        where = None
        if file_name:
            shown = file_name.split("/", 1)[1] if file_name.startswith("unpackaged/") else file_name
            if folder:
                shown = f"{folder.rstrip('/')}/{shown}"
            where = f"{shown}:{line}" if line else shown
        problems.append(Problem(f"{ctype} {name}: {problem}".replace(" :", ":"), hint=where,
                                code=_text(cf, "problemType")))
    return problems


def deploy_folder(conn: OrgConnection, folder: str | Path, *, api_version: str, check_only: bool = False,
                  test_level: TestLevel | None = None, specified_tests: list[str] | None = None,
                  on_progress: Progress | None = None, shown_folder: str | None = None) -> dict:
    """Deploy one Metadata API folder (with package.xml) through CumulusCI's Deploy task."""
    from cumulusci.core.config import TaskConfig
    from cumulusci.core.exceptions import CumulusCIException
    from cumulusci.salesforce_api.exceptions import MetadataApiError
    from cumulusci.tasks.salesforce import Deploy

    _use_api_version(conn, api_version)
    options = {"path": str(folder), "check_only": check_only, "unmanaged": True, "namespaced_org": False}
    if test_level:
        options["test_level"] = test_level
    if specified_tests:  # CumulusCI: only together with test_level RunSpecifiedTests (a comma list)
        options["specified_tests"] = ",".join(specified_tests)
    logger = _task_logger(on_progress)
    try:
        task = Deploy(conn.project_config, TaskConfig({"options": options}), conn.org_config, logger=logger)
        task()
    except MetadataApiError as exc:
        # CumulusCI wraps MetadataComponentFailure in MetadataParseError; both keep the response.
        response = getattr(exc, "response", None)
        problems = _safe_problems(response.content, shown_folder) if response is not None else []
        if problems:
            raise DeployError(f"{len(problems)} component(s) failed to deploy", problems=problems) from None
        text = _one_line(str(exc))
        raise DeployError(ENTITLEMENTS_OFF if is_entitlements_off(None, text) else f"deploy failed: {text}") from None
    except CumulusCIException as exc:
        raise DeployError(f"deploy failed: {type(exc).__name__}: {_one_line(str(exc))}") from None
    except Exception as exc:  # click exceptions and request errors from inside CumulusCI
        from slakit.org.redact import one_line

        raise DeployError(f"deploy failed: {type(exc).__name__}: {one_line(exc)}") from None
    return {"status": "Succeeded", "check_only": check_only, "folder": str(folder)}


def retrieve(conn: OrgConnection, members: dict[str, list[str]], *, api_version: str) -> dict[str, bytes]:
    """Current metadata files for `members` ({type: [fullName]}), keyed by relative path."""
    from cumulusci.core.exceptions import CumulusCIException
    from cumulusci.salesforce_api.metadata import ApiRetrieveUnpackaged

    from slakit.render.package_xml import package_xml

    if not any(members.values()):
        return {}
    pairs = [(t, m) for t, ms in members.items() for m in ms]
    task = SimpleNamespace(logger=_task_logger(None), org_config=conn.org_config, project_config=conn.project_config)
    try:
        zf = ApiRetrieveUnpackaged(task, package_xml(pairs, api_version), api_version)()
    except CumulusCIException as exc:
        text = _one_line(str(exc))
        raise DeployError(ENTITLEMENTS_OFF if is_entitlements_off(None, text) else f"retrieve failed: {text}") from None
    return {name: zf.read(name) for name in zf.namelist() if not name.endswith("/") and name != "package.xml"}


def _safe_problems(content: bytes, folder: str | None) -> list[Problem]:
    try:
        return component_problems(content, folder)
    except Exception:  # not XML (an HTML error page): fall back to the exception text
        return []


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]
