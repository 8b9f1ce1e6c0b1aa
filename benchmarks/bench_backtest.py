"""Backtest at scale: N cases (default 100,000) with histories against a zero-latency in-process org.

    PYTHONPATH=. python benchmarks/bench_backtest.py [--cases 100000] [--bulk auto|never|always]

The org is a `requests` transport adapter mounted on the simple-salesforce session: every call
goes through the real client (URL building, JSON, CSV, exception mapping) and is answered from
state computed from each case's index (nothing stored). Every case has a history: 80% are
assigned from a queue to an agent (two CaseHistory rows each, as Salesforce writes), 90% get an
outbound email, 10% a public comment, 87.5% are closed (5% of them reopened and closed again), 5%
were paused for a day, 20% went to L2 and back, and each has two recorded CaseMilestones.
The tiers are tests/data/backtest-tiers.yml (70% Gold, 30% Standard). Runs in its own process so
its peak RSS is its own. Reported: API calls by kind, client CPU (process CPU minus the time spent
inside the fake), peak RSS, and the goals of issue 14: <= 60 s client CPU, <= 300 MB peak.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import parse_qs, urlparse

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

INSTANCE = "https://bench.my.salesforce.com"
SINCE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
UNTIL = SINCE + dt.timedelta(days=95)
AGENT, QUEUE, HOURS = "005000000000001AAA", "00G000000000001AAA", "01m000000000001AAA"
IDS = re.compile(r"'(500\d{12}AAA)'")


def case_id(i: int) -> str:
    return f"500{i:012d}AAA"


def sf_dt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class BenchOrg:
    def __init__(self, n: int):
        self.n = n
        self.step = 90 * 1440 / n  # cases spread over the first 90 days, minutes apart
        self.calls: Counter = Counter()
        self.cursors: dict[str, list] = {}
        self.jobs: dict[str, list[int]] = {}
        self.cpu = 0.0

    # -- one case, from its index -------------------------------------------------------------
    def created(self, i: int) -> dt.datetime:
        return SINCE + dt.timedelta(minutes=int(i * self.step))

    def tier_of(self, i: int) -> str:
        return "Gold" if i % 10 < 7 else "Standard"

    def events(self, i: int) -> dict:
        c = self.created(i)
        m = dt.timedelta(minutes=1)
        ev: dict = {"created": c, "history": [], "email": None, "comment": None, "closed": None}
        if i % 5:
            at = c + (i % 90) * m
            ev["history"] += [("Owner", "Tier 1 Queue", "Dana Reyes", at), ("Owner", QUEUE, AGENT, at)]
        if i % 10:
            ev["email"] = c + (i * 7 % 600) * m
        elif i % 20 == 0:
            ev["comment"] = c + 30 * m
        if i % 8:
            close = c + (120 + i * 13 % 5000) * m
            ev["history"].append(("Status", "New", "Closed", close))
            ev["closed"] = close
            if i % 20 == 1:
                ev["history"].append(("Status", "Closed", "Working", close + 60 * m))
                ev["closed"] = close + 1500 * m
                ev["history"].append(("Status", "Working", "Closed", ev["closed"]))
        if i % 20 == 3:
            ev["history"] += [("IsStopped", False, True, c + 10 * m), ("IsStopped", True, False, c + 1450 * m)]
        if i % 5 == 2:
            ev["history"] += [("L2_Assigned__c", False, True, c + 60 * m),
                              ("L2_Assigned__c", True, False, c + (60 + i % 400) * m)]
        return ev

    def case_row(self, i: int) -> dict:
        ev = self.events(i)
        return {"attributes": {"type": "Case"}, "Id": case_id(i), "CaseNumber": f"{i:08d}",
                "AccountId": f"001{i % 5000:012d}AAA", "CreatedDate": sf_dt(ev["created"]),
                "ClosedDate": sf_dt(ev["closed"]) if ev["closed"] else None, "IsClosed": bool(ev["closed"]),
                "Status": "Closed" if ev["closed"] else "New", "OwnerId": AGENT if i % 5 else QUEUE,
                "BusinessHoursId": HOURS, "IsStopped": False, "StopStartDate": None,
                "L2_Assigned__c": False}

    # -- SOQL -----------------------------------------------------------------------------------
    def tier_cases(self, soql: str) -> list[int]:
        tier = "Standard" if "= 'Standard'" in soql else "Gold"
        return [i for i in range(self.n) if self.tier_of(i) == tier]

    def query(self, soql: str) -> tuple[list, int, bool]:
        head = soql.split(" WHERE ")[0]
        if "COUNT()" in head:
            return [], len(self.tier_cases(soql)), True
        if "FROM CaseStatus" in head:
            return [{"attributes": {"type": "CaseStatus"}, "ApiName": "Closed", "MasterLabel": "Closed"}], 1, False
        if "FROM BusinessHours" in head:
            days = {f"{d}{k}Time": (v if d not in ("Saturday", "Sunday") else None)
                    for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
                    for k, v in (("Start", "09:00:00.000Z"), ("End", "17:00:00.000Z"))}
            return [{"Id": HOURS, "Name": "US Business Hours", "IsActive": True, "IsDefault": True,
                     "TimeZoneSidKey": "America/New_York", **days}], 1, False
        if "FROM CaseHistory" in head and soql.endswith("LIMIT 1"):  # is this field's history tracked?
            return [{"attributes": {"type": "CaseHistory"}, "Id": "017000000000001AAA"}], 1, False
        if "FROM Case " in head + " ":
            return self.tier_cases(soql), 0, False
        ids = [int(x[3:15]) for x in IDS.findall(soql)]
        rows: list[dict] = []
        for i in ids:
            ev = self.events(i)
            cid = case_id(i)
            if "FROM EmailMessage" in head and ev["email"]:
                rows.append({"attributes": {"type": "EmailMessage"}, "ParentId": cid, "MessageDate": sf_dt(ev["email"]),
                             "CreatedDate": sf_dt(ev["email"])})
            elif "FROM CaseComment" in head and ev["comment"]:
                rows.append({"attributes": {"type": "CaseComment"}, "ParentId": cid, "CreatedDate": sf_dt(ev["comment"])})
            elif "FROM CaseHistory" in head:
                rows += [{"attributes": {"type": "CaseHistory"}, "CaseId": cid, "Field": f, "OldValue": o,
                          "NewValue": nv, "CreatedDate": sf_dt(t)} for f, o, nv, t in ev["history"]]
            elif "FROM CaseMilestone" in head:
                c = ev["created"]
                for name, done in (("First Response", ev["email"]), ("Resolution", ev["closed"])):
                    target = c + dt.timedelta(hours=4 if name == "First Response" else 72)
                    rows.append({"attributes": {"type": "CaseMilestone"}, "CaseId": cid,
                                 "MilestoneType": {"Name": name}, "StartDate": sf_dt(c), "TargetDate": sf_dt(target),
                                 "CompletionDate": sf_dt(done) if done else None, "IsCompleted": bool(done),
                                 "IsViolated": (done or UNTIL) > target, "BusinessHoursId": HOURS,
                                 "Case": {"BusinessHoursId": HOURS}})
        return rows, len(rows), False

    def page(self, rows: list, total: int) -> dict:
        first, rest = rows[:2000], rows[2000:]
        records = [self.case_row(r) if isinstance(r, int) else r for r in first]
        body = {"totalSize": total or len(rows), "done": not rest, "records": records}
        if rest:
            cursor = f"c{len(self.cursors)}"
            self.cursors[cursor] = rest
            body["nextRecordsUrl"] = f"/services/data/v62.0/query/{cursor}"
        return body

    # -- HTTP -------------------------------------------------------------------------------------
    def handle(self, request) -> tuple[int, object, str, dict]:
        url = urlparse(request.url)
        path, method = url.path, request.method
        if "/jobs/query" in path:
            return self.bulk(request, path, method, parse_qs(url.query))
        if path.rstrip("/").endswith("/query"):
            self.calls["query"] += 1
            rows, total, count_only = self.query(parse_qs(url.query)["q"][0])
            if count_only:
                return 200, {"totalSize": total, "done": True, "records": []}, "json", {}
            return 200, self.page(rows, total), "json", {}
        if "/query/" in path:
            self.calls["query_more"] += 1
            rest = self.cursors.pop(path.rsplit("/", 1)[1])
            return 200, self.page(rest, len(rest)), "json", {}
        if path.endswith("/sobjects") or path.endswith("/sobjects/"):
            self.calls["describe_global"] += 1
            names = ["Case", "CaseHistory", "EmailMessage", "CaseComment", "CaseMilestone", "Entitlement",
                     "SlaProcess", "MilestoneType", "BusinessHours", "CaseStatus"]
            return 200, {"sobjects": [{"name": n} for n in names]}, "json", {}
        if path.endswith("/describe"):
            self.calls["describe"] += 1
            fields = ["Id", "CaseNumber", "AccountId", "CreatedDate", "ClosedDate", "IsClosed", "Status", "OwnerId",
                      "BusinessHoursId", "IsStopped", "StopStartDate", "L2_Assigned__c", "Priority"]
            return 200, {"name": "Case", "fields": [{"name": f} for f in fields]}, "json", {}
        raise AssertionError(f"unexpected {method} {path}")

    def bulk(self, request, path: str, method: str, query: dict):
        tail = path.split("/jobs/query", 1)[1].strip("/")
        if not tail:
            self.calls["bulk_create"] += 1
            job_id = f"750{len(self.jobs) + 1:012d}AAA"
            self.jobs[job_id] = self.tier_cases(json.loads(request.body)["query"])
            return 200, {"id": job_id, "state": "UploadComplete"}, "json", {}
        job_id = tail.split("/")[0]
        if not tail.endswith("results"):
            self.calls["bulk_poll"] += 1
            return 200, {"id": job_id, "state": "JobComplete"}, "json", {}
        self.calls["bulk_results"] += 1
        rows = self.jobs[job_id]
        size = int(query.get("maxRecords", ["50000"])[0])
        start = int(query.get("locator", ["0"])[0])
        out = io.StringIO()
        cols = ["Id", "CaseNumber", "AccountId", "CreatedDate", "ClosedDate", "IsClosed", "Status", "OwnerId",
                "BusinessHoursId", "IsStopped", "StopStartDate", "L2_Assigned__c"]
        w = csv.writer(out, lineterminator="\n")
        w.writerow(cols)
        for i in rows[start:start + size]:
            rec = self.case_row(i)
            w.writerow(["" if rec[c] is None else ("true" if rec[c] is True else "false" if rec[c] is False
                                                    else rec[c]) for c in cols])
        nxt = start + size
        return 200, out.getvalue().encode(), "text", {"Sforce-Locator": str(nxt) if nxt < len(rows) else "null"}


class Adapter(BaseAdapter):
    def __init__(self, org: BenchOrg):
        super().__init__()
        self.org = org

    def send(self, request, **kwargs):
        t0 = time.process_time()
        status, body, kind, extra = self.org.handle(request)
        resp = requests.Response()
        resp.status_code = status
        resp._content = json.dumps(body).encode() if kind == "json" else body
        resp._content_consumed = True
        resp.headers = CaseInsensitiveDict({"Content-Type": "application/json" if kind == "json" else "text/csv",
                                            "Sforce-Limit-Info": "api-usage=1/5000000", **extra})
        resp.url, resp.request, resp.encoding = request.url, request, "utf-8"
        self.org.cpu += time.process_time() - t0
        return resp

    def close(self):
        pass


def child(n: int, bulk: str) -> dict:
    from simple_salesforce import Salesforce

    from slakit.backtest import run_backtest
    from slakit.config import load_project

    project = load_project(os.path.join(ROOT, "tests", "data", "backtest-tiers.yml"))
    org = BenchOrg(n)
    session = requests.Session()
    session.mount("https://", Adapter(org))
    sf = Salesforce(instance_url=INSTANCE, session_id="00Dbench!token", version="62.0", session=session)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = run_backtest(project, sf, since=SINCE, until=UNTIL, bulk=bulk, sleep=lambda s: None)
    cpu = time.process_time() - cpu0
    doc = result.as_dict()
    gold = {g["milestone"]: (g["cases"], g["met"], g["missed"], g["pct_met"]) for g in doc["proposals"][0]["groups"]
            if g["tier"] == "Gold"}
    return {"cases": result.cases_read, "modes": result.modes, "calls": dict(org.calls),
            "client_cpu_s": round(cpu - org.cpu, 2), "fake_cpu_s": round(org.cpu, 2),
            "wall_s": round(time.perf_counter() - wall0, 2), "rss_before_mb": round(rss_before, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "gold": gold}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--bulk", choices=["auto", "never", "always"], default="auto")
    ap.add_argument("--child", action="store_true")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.cases, args.bulk)))
        return
    out = subprocess.run([sys.executable, __file__, "--child", "--cases", str(args.cases), "--bulk", args.bulk],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                             [os.path.join(ROOT, "src"), ROOT, os.environ.get("PYTHONPATH", "")])})
    if out.returncode:
        print(out.stderr)
        raise SystemExit(1)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    total = sum(r["calls"].values())
    print(f"== {r['cases']:,} cases replayed ({', '.join(sorted(set(r['modes'].values())))})")
    print(f"  calls: {dict(sorted(r['calls'].items()))} -> total {total}")
    print(f"  client CPU {r['client_cpu_s']} s (<= 60: {'OK' if r['client_cpu_s'] <= 60 else 'MISSED'}); "
          f"fake CPU {r['fake_cpu_s']} s; wall {r['wall_s']} s")
    print(f"  peak RSS {r['peak_rss_mb']} MB incl. the fake (<= 300: {'OK' if r['peak_rss_mb'] <= 300 else 'MISSED'}); "
          f"before the run {r['rss_before_mb']} MB")
    print(f"  Gold (cases, met, missed, % met): {r['gold']}")


if __name__ == "__main__":
    main()
