"""The backfill plan: which accounts each tier gets, as SOQL, and the Entitlement each one gets.

Accounts of a tier: its `entitlement.accounts` clause, minus every earlier tier's clause (file
order is priority: first matching tier wins), minus accounts that already hold a *current*
entitlement on any version of the tier's process. "Current" means not expired:
`EndDate = null OR EndDate >= TODAY` (Salesforce's Status Active, or Inactive because it starts
later), so a re-run - even one with a future `--start` - creates nothing twice. The anti-join runs
in Salesforce (`Id NOT IN (SELECT AccountId FROM Entitlement ...)`): the client never holds a set
of accounts, and counting needs no download.

Dates: StartDate is today or `--start`; EndDate is StartDate + term - 1 day (the term's last
day is inclusive, so 12 months from 2026-03-02 ends 2027-03-01); months clamp to the month's end
(Jan 31 + 1 month = Feb 28). No term = open-ended (no EndDate).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Iterator

from slakit.backfill.model import TierResult, TierTarget
from slakit.org.soql import soql
from slakit.salesforce import CASE

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

CURRENT = "(EndDate = null OR EndDate >= TODAY)"
ACTIVE = "(StartDate = null OR StartDate <= TODAY) AND (EndDate = null OR EndDate >= TODAY)"


def add_term(start: dt.date, amount: int, unit: str) -> dt.date:
    """`start` moved by a term: days exactly, months/years on the calendar (clamped)."""
    if unit.startswith("day"):
        return start + dt.timedelta(days=amount)
    months = amount * (12 if unit.startswith("year") else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def end_date(start: dt.date, amount: int | None, unit: str | None) -> dt.date | None:
    """Last day of an entitlement that starts on `start` (inclusive); None when open-ended."""
    if not amount or not unit:
        return None
    return add_term(start, amount, unit) - dt.timedelta(days=1)


def covered_subquery(target: TierTarget, *, active_only: bool = False) -> str:
    """SELECT AccountId of entitlements on any version of the tier's process that still count."""
    return soql("SELECT AccountId FROM Entitlement WHERE SlaProcessId IN {} AND {:literal}",
                list(target.version_ids), ACTIVE if active_only else CURRENT)


def to_create_soql(target: TierTarget, fields: str = "Id") -> str:
    return soql("SELECT {:literal} FROM Account WHERE {:literal} AND Id NOT IN ({:literal})",
                fields, target.where, covered_subquery(target))


def matched_count_soql(target: TierTarget) -> str:
    return soql("SELECT COUNT() FROM Account WHERE {:literal}", target.where)


def to_create_count_soql(target: TierTarget) -> str:
    return soql("SELECT COUNT() FROM Account WHERE {:literal} AND Id NOT IN ({:literal})",
                target.where, covered_subquery(target))


def open_cases_soql(target: TierTarget, fields: str = "Id, AccountId", extra: str | None = None) -> str:
    """Open cases without an entitlement whose account belongs to the tier (AND `extra`)."""
    return soql("SELECT {:literal} FROM {:literal} WHERE {:literal} = false AND {:literal} = null "
                "AND AccountId IN (SELECT Id FROM Account WHERE {:literal}){:literal}", fields, CASE.sobject,
                CASE.closed_field, CASE.entitlement_field, target.where, f" AND {extra}" if extra else "")


def entitlements_for_accounts_soql(target: TierTarget, account_ids: list[str]) -> str:
    """Active entitlements of the tier's process on these accounts, newest start first."""
    return soql("SELECT Id, AccountId FROM Entitlement WHERE AccountId IN {} AND SlaProcessId IN {} "
                "AND {:literal} ORDER BY AccountId ASC, StartDate DESC NULLS LAST, Id ASC",
                account_ids, list(target.version_ids), ACTIVE)


class RecordBuilder:
    """Builds the Entitlement for an account: only fields this org lets the user create."""

    def __init__(self, target: TierTarget, start: dt.date, createable: set[str]):
        end = end_date(start, target.term_amount, target.term_unit)
        base = {"Name": target.entitlement_name, "SlaProcessId": target.process_id,
                "BusinessHoursId": target.business_hours_id, "StartDate": start.isoformat(),
                "EndDate": end.isoformat() if end else None, "Type": target.type}
        self.base = {k: v for k, v in base.items() if v is not None and k in createable}

    def build(self, account_id: str) -> dict:
        record = dict(self.base)
        record["AccountId"] = account_id
        return record


def count_tier(sf: Salesforce, target: TierTarget, result: TierResult, *, samples: int = 0) -> None:
    """Fill matched / planned / skipped (two COUNT() calls, or one query page when sampling)."""
    from slakit.org.errors import org_errors

    with org_errors(f"counting accounts of tier '{target.name}'"):
        result.matched = int(sf.query(matched_count_soql(target))["totalSize"])
        if samples:
            page = sf.query(to_create_soql(target, "Id, Name"))
            result.planned = int(page["totalSize"])
            result.samples = [{"AccountId": r["Id"], "Account": r.get("Name")}
                              for r in page.get("records", [])[:samples]]
        else:
            result.planned = int(sf.query(to_create_count_soql(target))["totalSize"])
    result.skipped = max(0, result.matched - result.planned)


def count_cases(sf: Salesforce, target: TierTarget) -> int:
    from slakit.org.errors import org_errors

    with org_errors(f"counting open cases of tier '{target.name}'"):
        return int(sf.query(open_cases_soql(target, "COUNT()"))["totalSize"])


def batched(items, size: int) -> Iterator[list]:
    """Lists of up to `size` items from any iterable, lazily."""
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
