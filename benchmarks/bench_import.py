"""`slakit import --metadata` at scale: a synthetic retrieved folder with N processes (default
1,000, Salesforce's limit per org), each with 10 milestones (the per-process limit) with warning
and violation triggers calling workflow actions, plus a Case workflow holding all their actions.

    PYTHONPATH=src python benchmarks/bench_import.py [--processes 1000]

Reported: seconds to read + build + dump, seconds for the validation pass (slakit's own loader on
the output), output size, peak RSS. Run by hand; never timed in tests.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<EntitlementProcess xmlns="http://soap.sforce.com/2006/04/metadata">
    <SObjectType>Case</SObjectType>
    <active>true</active>
    <businessHours>Office</businessHours>
    <entryStartDateField>Case.CreatedDate</entryStartDateField>
    <exitCriteriaFilterItems><field>Case.IsClosed</field><operation>equals</operation><value>true</value></exitCriteriaFilterItems>
{milestones}
    <name>Tier {n}</name>
</EntitlementProcess>
"""
MILESTONE = """    <milestones>
        <milestoneCriteriaFilterItems><field>Case.Priority</field><operation>equals</operation><value>High</value></milestoneCriteriaFilterItems>
        <milestoneName>Milestone {m}</milestoneName>
        <minutesToComplete>{minutes}</minutesToComplete>
        <timeTriggers><actions><name>Warn_{n}_{m}</name><type>Alert</type></actions><timeLength>-{warn}</timeLength><workflowTimeTriggerUnit>Minutes</workflowTimeTriggerUnit></timeTriggers>
        <timeTriggers><actions><name>Breach_{n}_{m}</name><type>FieldUpdate</type></actions><timeLength>0</timeLength><workflowTimeTriggerUnit>Minutes</workflowTimeTriggerUnit></timeTriggers>
        <useCriteriaStartTime>false</useCriteriaStartTime>
    </milestones>"""
HOURS = """<?xml version="1.0" encoding="UTF-8"?>
<BusinessHoursSettings xmlns="http://soap.sforce.com/2006/04/metadata"><businessHours><active>true</active><default>false</default>
{days}<name>Office</name><timeZoneId>Europe/Paris</timeZoneId></businessHours></BusinessHoursSettings>
"""


def make(folder: Path, n_processes: int) -> None:
    for sub in ("entitlementProcesses", "workflows", "settings"):
        (folder / sub).mkdir(parents=True)
    alerts, updates = [], []
    for n in range(n_processes):
        ms = [MILESTONE.format(n=n, m=m, minutes=60 * (m + 1), warn=15 * (m + 1)) for m in range(10)]
        (folder / "entitlementProcesses" / f"tier {n}.entitlementProcess").write_text(
            PROCESS.format(n=n, milestones="\n".join(ms)), encoding="utf-8")
        for m in range(10):
            alerts.append(f"<alerts><fullName>Warn_{n}_{m}</fullName><protected>false</protected><recipients>"
                          "<type>owner</type></recipients><senderType>CurrentUser</senderType>"
                          "<template>unfiled$public/Warn</template></alerts>")
            updates.append(f"<fieldUpdates><fullName>Breach_{n}_{m}</fullName><field>SLA_Breached__c</field>"
                           "<literalValue>1</literalValue><name>Breach</name><notifyAssignee>false</notifyAssignee>"
                           "<operation>Literal</operation><protected>false</protected></fieldUpdates>")
    (folder / "workflows" / "Case.workflow").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><Workflow xmlns="http://soap.sforce.com/2006/04/metadata">'
        + "".join(alerts) + "".join(updates) + "</Workflow>", encoding="utf-8")
    days = "".join(f"<{d}EndTime>17:00:00.000Z</{d}EndTime><{d}StartTime>09:00:00.000Z</{d}StartTime>"
                   for d in ("monday", "tuesday", "wednesday", "thursday", "friday"))
    (folder / "settings" / "BusinessHours.settings").write_text(HOURS.format(days=days), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--processes", type=int, default=1000)
    args = ap.parse_args()
    from slakit.importer import import_folder, write_tiers

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "retrieved"
        make(folder, args.processes)
        t0 = time.perf_counter()
        result = import_folder(folder)
        t1 = time.perf_counter()
        out = Path(tmp) / "tiers.yml"
        write_tiers(result, out)
        t2 = time.perf_counter()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"processes={args.processes} milestones={args.processes * 10} notes={len(result.notes)}")
        print(f"read+build+dump {t1 - t0:.2f} s; validate+write {t2 - t1:.2f} s; "
              f"output {out.stat().st_size / 1024:.0f} KiB; peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
