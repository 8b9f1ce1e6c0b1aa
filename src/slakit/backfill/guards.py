"""What a run must know before it writes, beyond preflight: which day it is for the org's user,
and whether a Bulk job of an earlier, stopped run is still creating entitlements.

- `org_today`: SOQL's TODAY and the entitlement's computed Status use the running user's time
  zone; the OAuth userinfo answer names it (`zoneinfo`). The client's date can be a day off (a
  consultant in Europe after midnight, a US org), which would make every new entitlement start
  tomorrow: Inactive today, so `--cases` finds none to stamp.
- `running_jobs`: a run stopped while polling a Bulk insert job (limit, repeated 5xx) leaves the
  job running in Salesforce. Until it finishes the anti-join cannot see its rows, so a re-run
  would create them again: it is refused (a warning in a dry run) until the job is final.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from slakit.backfill.model import BackfillReport
from slakit.errors import OrgError

if TYPE_CHECKING:
    from simple_salesforce import Salesforce


def running_jobs(sf: Salesforce, journal_dir: Path, org: dict, report: BackfillReport, policy, sleep) -> None:
    """Refuse to write while a Bulk insert job of an earlier, stopped run may still be creating
    entitlements: the anti-join cannot see rows not yet saved, so writing now could duplicate
    them. A finished job is fine (its rows are in the org; `--undo` of that run reads them)."""
    from slakit.backfill.bulk import FINAL_STATES, BulkClient
    from slakit.backfill.journal import unfinished_insert_jobs

    pending = unfinished_insert_jobs(journal_dir, org.get("Id"))
    if not pending:
        return
    client = BulkClient(sf, policy, sleep)
    running = []
    for path, job in pending:
        try:
            state = client.info(job).get("state")
        except Exception:  # noqa: BLE001 - a job Salesforce no longer knows is not running
            continue
        if state not in FINAL_STATES:
            running.append(f"{job} ({state}, from {path})")
    if not running:
        return
    message = ("a Bulk API job of an earlier backfill is still running: " + "; ".join(running))
    if report.dry_run:
        report.warnings.append(message + " - the counts will change when it finishes")
        return
    raise OrgError(message, hint="wait until it finishes (Setup > Bulk Data Load Jobs), then re-run the same command")


def org_today(sf: Salesforce, now=None) -> dt.date:
    """Today in the connected user's time zone (what SOQL's TODAY means for this user); the
    client's own date when the org does not say (userinfo unreachable or without `zoneinfo`)."""
    from zoneinfo import ZoneInfo

    clock = now or (lambda: dt.datetime.now(dt.timezone.utc))
    try:
        host = sf.base_url.split("/services/", 1)[0]
        response = sf.session.get(f"{host}/services/oauth2/userinfo", headers=sf.headers)
        zone = response.json().get("zoneinfo") if response.status_code == 200 else None
        if zone:
            return clock().astimezone(ZoneInfo(zone)).date()
    except Exception:  # noqa: BLE001 - the date is a convenience; fall back to the client's
        pass
    return clock().astimezone().date() if now is None else clock().date()
