"""Backfill at scale: N accounts (default 100,000) against a zero-latency in-process org.

    PYTHONPATH=. python benchmarks/bench_backfill.py [--accounts 100000] [--mode never|always|both]

The org is a `requests` transport adapter mounted on the simple-salesforce session: every call
goes through the real client (URL building, JSON, CSV, exception mapping) and is answered from
compact in-memory state; SOQL is parsed with the test fake's parser (tests/fakes/soql.py) and
evaluated here with semi-joins computed once per query. Each mode runs in its own process so its
peak RSS is its own. Reported: API calls by kind, client CPU (process CPU minus the time spent
inside the fake), peak RSS, and the goals of issue 6:
  REST  <= ceil(N/2000) query pages + ceil(N/200) writes + 10 calls
  Bulk  <= 20 calls for the writes;  <= 20 s client CPU;  <= 300 MB peak.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from urllib.parse import parse_qs, urlparse

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.fakes.bulk import TIERS_YML  # noqa: E402
from tests.fakes.soql import DateLiteral, Query, parse  # noqa: E402

INSTANCE = "https://bench.my.salesforce.com"
TODAY = dt.date(2026, 3, 2)
TIER_OF = ["Platinum", "Platinum", "Gold", "Gold", "Gold", "Standard", "Standard", "Standard", "Standard", None]


def acc_id(i: int) -> str:
    return f"001{i:012d}AAA"


class BenchOrg:
    """Accounts are computed from their index (nothing stored); entitlements are a dict."""

    def __init__(self, n: int):
        self.n = n
        self.processes = {"Platinum": "552000000000001AAA", "Gold": "552000000000002AAA",
                          "Standard": "552000000000003AAA"}
        self.hours_id = "01m000000000001AAA"
        self.ents: dict[int, tuple[str, str, str | None]] = {}  # account index -> (id, process, end)
        self.next_ent = 1
        self.calls: Counter = Counter()
        self.cursors: dict[str, tuple[list, int]] = {}
        self.jobs: dict[str, dict] = {}
        self.cpu = 0.0

    # -- SOQL over accounts/entitlements ------------------------------------------------------
    def account(self, i: int) -> dict:
        return {"Id": acc_id(i), "Support_Tier__c": TIER_OF[i % 10], "AnnualRevenue": 5e6 if i % 50 == 7 else 0.0,
                "Name": f"Account {i}"}

    def ent_rows(self):
        for i, (eid, proc, end) in self.ents.items():
            yield {"Id": eid, "AccountId": acc_id(i), "SlaProcessId": proc, "EndDate": end, "StartDate": "2026-03-02"}

    def match(self, rec: dict, node, cache: dict) -> bool:
        op = node[0]
        if op == "and":
            return self.match(rec, node[1], cache) and self.match(rec, node[2], cache)
        if op == "or":
            return self.match(rec, node[1], cache) or self.match(rec, node[2], cache)
        if op == "not":
            return not self.match(rec, node[1], cache)
        value = rec.get(node[1])
        if op == "in":
            values = node[2]
            if isinstance(values, Query):
                key = id(values)
                if key not in cache:
                    rows = self.ent_rows() if values.sobject == "Entitlement" else ()
                    cache[key] = {r[values.fields[0].path][:15] for r in rows
                                  if values.where is None or self.match(r, values.where, cache)}
                return (value or "")[:15] in cache[key]
            return any((value or "")[:15] == str(v)[:15] for v in values)
        lit = node[3]
        if isinstance(lit, DateLiteral):
            lit = TODAY.isoformat()
        if lit is None or value is None:
            return {"=": value is None and lit is None, "!=": (value is None) != (lit is None)}.get(node[2], False)
        if isinstance(lit, str):
            value, lit = str(value).lower(), lit.lower()
        return {"=": value == lit, "!=": value != lit, ">": value > lit, ">=": value >= lit, "<": value < lit,
                "<=": value <= lit}[node[2]]

    def query(self, soql: str) -> tuple[list, int, bool]:
        q = parse(soql)
        cache: dict = {}
        if q.sobject == "Organization":
            return [{"Id": "00D000000000001AAA", "IsSandbox": True, "OrganizationType": "Enterprise Edition",
                     "Name": "Bench"}], 1, False
        if q.sobject == "SlaProcess":
            return [{"attributes": {"type": "SlaProcess"}, "Id": pid, "Name": name, "IsActive": True,
                     "IsVersionDefault": True, "VersionNumber": 1, "VersionMaster": None,
                     "BusinessHoursId": self.hours_id if name != "Platinum" else None,
                     "BusinessHours": {"Name": "US Business Hours", "IsActive": True} if name != "Platinum" else None}
                    for name, pid in self.processes.items()], 3, False
        if q.sobject == "BusinessHours":
            return [{"Id": self.hours_id, "Name": "US Business Hours", "IsActive": True}], 1, False
        if q.sobject == "Entitlement":
            rows = [r for r in self.ent_rows() if q.where is None or self.match(r, q.where, cache)]
            return rows, len(rows), q.count_only
        assert q.sobject == "Account", soql
        hits = [i for i in range(self.n) if q.where is None or self.match(self.account(i), q.where, cache)]
        return hits, len(hits), q.count_only

    # -- HTTP -----------------------------------------------------------------------------
    def handle(self, request) -> tuple[int, object, str]:
        url = urlparse(request.url)
        path, method = url.path, request.method
        if "/jobs/ingest" in path:
            return self.bulk(request, path, method)
        if path.rstrip("/").endswith("/query"):
            self.calls["query"] += 1
            rows, total, count_only = self.query(parse_qs(url.query)["q"][0])
            if count_only:
                return 200, {"totalSize": total, "done": True, "records": []}, "json"
            return 200, self.page(rows, total, "c%d" % len(self.cursors)), "json"
        if "/query/" in path:
            self.calls["query_more"] += 1
            rows, total = self.cursors.pop(path.rsplit("/", 1)[1])
            return 200, self.page(rows, total, "c%d" % len(self.cursors)), "json"
        if path.endswith("/describe"):
            self.calls["describe"] += 1
            names = ["Name", "AccountId", "SlaProcessId", "BusinessHoursId", "StartDate", "EndDate", "Type"]
            return 200, {"name": "Entitlement", "fields": [{"name": f, "createable": True} for f in names]}, "json"
        if path.endswith("/composite/sobjects") and method == "POST":
            self.calls["collection_create"] += 1
            out = []
            for rec in json.loads(request.body)["records"]:
                out.append({"id": self.create(rec), "success": True, "errors": []})
            return 200, out, "json"
        raise AssertionError(f"unexpected {method} {path}")

    def create(self, rec: dict) -> str:
        eid = f"550{self.next_ent:012d}AAA"
        self.next_ent += 1
        self.ents[int(rec["AccountId"][3:15])] = (eid, rec.get("SlaProcessId"), rec.get("EndDate") or None)
        return eid

    def page(self, rows, total: int, cursor: str) -> dict:
        first, rest = rows[:2000], rows[2000:]
        records = [r if isinstance(r, dict) else {"attributes": {"type": "Account"}, "Id": acc_id(r)} for r in first]
        body = {"totalSize": total, "done": not rest, "records": records}
        if rest:
            self.cursors[cursor] = (rest, total)
            body["nextRecordsUrl"] = f"/services/data/v62.0/query/{cursor}"
        return body

    def bulk(self, request, path: str, method: str):
        tail = path.split("/jobs/ingest", 1)[1].strip("/")
        self.calls["bulk_" + (tail.split("/")[1] if "/" in tail else ("create" if not tail else method.lower()))] += 1
        if not tail:
            job_id = f"750{len(self.jobs) + 1:012d}AAA"
            self.jobs[job_id] = {"id": job_id, "state": "Open", "ok": []}
            return 200, {"id": job_id, "state": "Open"}, "json"
        job = self.jobs[tail.split("/")[0]]
        if tail.endswith("/batches"):
            data = request.body.read() if hasattr(request.body, "read") else request.body
            reader = csv.DictReader(io.StringIO(data.decode() if isinstance(data, bytes) else data))
            job["columns"] = reader.fieldnames
            for row in reader:
                job["ok"].append((self.create({k: v for k, v in row.items()}), row))
            return 201, b"", "text"
        if tail.endswith("successfulResults"):
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["sf__Id", "sf__Created", *job["columns"]])
            for eid, row in job["ok"]:
                w.writerow([eid, "true", *row.values()])
            return 200, out.getvalue().encode(), "text"
        if tail.endswith("failedResults"):
            return 200, ("sf__Id,sf__Error," + ",".join(job["columns"]) + "\n").encode(), "text"
        if method == "PATCH":
            job["state"] = "UploadComplete"
            return 200, {"id": job["id"], "state": "UploadComplete"}, "json"
        job["state"] = "JobComplete"
        return 200, {"id": job["id"], "state": "JobComplete", "numberRecordsProcessed": len(job["ok"]),
                     "numberRecordsFailed": 0}, "json"


class Adapter(BaseAdapter):
    def __init__(self, org: BenchOrg):
        super().__init__()
        self.org = org

    def send(self, request, **kwargs):
        t0 = time.process_time()
        status, body, kind = self.org.handle(request)
        resp = requests.Response()
        resp.status_code = status
        resp._content = json.dumps(body).encode() if kind == "json" else body
        resp._content_consumed = True
        resp.headers = CaseInsensitiveDict({"Content-Type": "application/json" if kind == "json" else "text/csv",
                                            "Sforce-Limit-Info": "api-usage=1/5000000"})
        resp.url, resp.request, resp.encoding = request.url, request, "utf-8"
        self.org.cpu += time.process_time() - t0
        return resp

    def close(self):
        pass


def child(n: int, mode: str) -> dict:
    from pathlib import Path

    from simple_salesforce import Salesforce

    from slakit.backfill import run_backfill
    from slakit.backfill.options import BackfillOptions
    from slakit.config import load_project

    tmp = tempfile.mkdtemp()
    with open(os.path.join(tmp, "tiers.yml"), "w") as fh:
        fh.write(TIERS_YML)
    project = load_project(os.path.join(tmp, "tiers.yml"))
    org = BenchOrg(n)
    session = requests.Session()
    session.mount("https://", Adapter(org))
    sf = Salesforce(instance_url=INSTANCE, session_id="00Dbench!token", version="62.0", session=session)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    opts = BackfillOptions(tiers=Path(project.source), bulk=mode, journal_dir=Path(tmp, "journal"))
    report = run_backfill(project, sf, opts, today=TODAY,
                          sleep=lambda s: None)
    cpu = time.process_time() - cpu0
    return {"mode": report.mode, "accounts": n, "created": report.totals()["created"], "ok": report.ok,
            "calls": dict(org.calls), "client_cpu_s": round(cpu - org.cpu, 2), "fake_cpu_s": round(org.cpu, 2),
            "wall_s": round(time.perf_counter() - wall0, 2), "rss_before_mb": round(rss_before, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "journal_bytes": os.path.getsize(report.journal)}


def verdict(r: dict) -> list[str]:
    n, c = r["accounts"], r["calls"]
    pages = c.get("query", 0) + c.get("query_more", 0)
    writes = sum(v for k, v in c.items() if k.startswith(("collection", "bulk")))
    other = c.get("describe", 0)
    total = pages + writes + other
    lines = [f"calls: {dict(sorted(c.items()))} -> total {total}"]
    if r["mode"] == "collections":
        goal = math.ceil(n / 2000) + math.ceil(n / 200) + 10
        lines.append(f"REST goal <= {goal}: {'OK' if total <= goal else 'MISSED'} ({total})")
    else:
        lines.append(f"Bulk writes <= 20: {'OK' if writes <= 20 else 'MISSED'} ({writes})")
    lines.append(f"client CPU {r['client_cpu_s']} s (<= 20: {'OK' if r['client_cpu_s'] <= 20 else 'MISSED'}); "
                 f"fake CPU {r['fake_cpu_s']} s; wall {r['wall_s']} s")
    lines.append(f"peak RSS {r['peak_rss_mb']} MB incl. the fake (<= 300: {'OK' if r['peak_rss_mb'] <= 300 else 'MISSED'}); "
                 f"before the run {r['rss_before_mb']} MB; journal {r['journal_bytes']:,} bytes")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--mode", choices=["never", "always", "both"], default="both")
    ap.add_argument("--child", action="store_true")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.accounts, args.mode)))
        return
    for mode in (["never", "always"] if args.mode == "both" else [args.mode]):
        out = subprocess.run([sys.executable, __file__, "--child", "--accounts", str(args.accounts), "--mode", mode],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ROOT})
        if out.returncode:
            print(out.stderr)
            raise SystemExit(1)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"== {r['mode']} ({r['accounts']:,} accounts, created {r['created']:,}, ok {r['ok']})")
        for line in verdict(r):
            print("  " + line)


if __name__ == "__main__":
    main()
