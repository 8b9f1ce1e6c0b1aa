"""JUnit XML for pipelines: one <testsuite> per tier (run-level checks in a suite of their own),
one <testcase> per check; fail -> <failure>, error -> <error>, skip -> <skipped>. Expected and
observed values go in the failure message and body, so a CI page shows both.
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from slakit.smoke.report import SmokeReport

SUITE_PREFIX = "slakit smoke"


def _suite_name(tier: str) -> str:
    return f"{SUITE_PREFIX}: {tier}" if tier else f"{SUITE_PREFIX}: run"


def _classname(tier: str) -> str:
    return "slakit.smoke." + ("".join(ch if ch.isalnum() else "_" for ch in tier) if tier else "run")


def _detail(check) -> str:
    parts = []
    if check.expected is not None:
        parts.append(f"expected: {check.expected}")
    if check.observed is not None:
        parts.append(f"observed: {check.observed}")
    if check.message:
        parts.append(check.message)
    return "; ".join(parts)


def to_element(report: SmokeReport) -> ET.Element:
    counts = report.counts()
    root = ET.Element(
        "testsuites",
        name=SUITE_PREFIX,
        tests=str(counts["total"]),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        skipped=str(counts["skip"]),
        time=f"{report.seconds:.3f}",
    )
    stamp = report.started.replace(microsecond=0).isoformat() if report.started else ""
    for tier in report.groups():
        checks = report.for_tier(tier)
        c = report.counts(tier)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_suite_name(tier),
            tests=str(c["total"]),
            failures=str(c["fail"]),
            errors=str(c["error"]),
            skipped=str(c["skip"]),
            time=f"{sum(ch.seconds for ch in checks):.3f}",
            timestamp=stamp,
        )
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="run_id", value=report.run_id)
        if tier and tier in report.processes:
            ET.SubElement(props, "property", name="smoke_process", value=report.processes[tier])
        for check in checks:
            case = ET.SubElement(suite, "testcase", classname=_classname(tier), name=check.name,
                                 time=f"{check.seconds:.3f}")
            detail = _detail(check)
            if check.status == "fail":
                el = ET.SubElement(case, "failure", message=detail or "failed", type="AssertionError")
                el.text = detail
            elif check.status == "error":
                el = ET.SubElement(case, "error", message=detail or "error", type="SmokeError")
                el.text = detail
            elif check.status == "skip":
                ET.SubElement(case, "skipped", message=check.message or "skipped")
            elif check.observed is not None:
                out = ET.SubElement(case, "system-out")
                out.text = detail
    return root


def to_string(report: SmokeReport) -> str:
    root = to_element(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(report: SmokeReport, path: str | os.PathLike) -> Path:
    """Write the JUnit XML atomically (a temp file in the same folder, then rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".junit-", suffix=".xml", dir=str(target.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(to_string(report))
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target
