"""Business hours for the clock: the org's BusinessHours records (weekly times, TimeZoneSidKey)
and, where tiers.yml defines hours of the same name, the file's hours (they carry the holidays).

The org's holidays are not read: SOQL exposes Holiday records but not which business hours they
belong to, so hours known only from the org count without holidays (docs/audit.md says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from slakit import clock
from slakit.org.soql import iter_records

if TYPE_CHECKING:
    from simple_salesforce import Salesforce

    from slakit.config.project import Project

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS_SOQL = ("SELECT Id, Name, IsActive, IsDefault, TimeZoneSidKey, "
              + ", ".join(f"{d}StartTime, {d}EndTime" for d in DAYS) + " FROM BusinessHours")


def _minutes(value: str | None) -> int | None:
    """'09:30:00.000Z' -> 570."""
    if not value:
        return None
    hh, mm = value[:5].split(":")
    return int(hh) * 60 + int(mm)


def week_from_record(rec: dict) -> tuple:
    """Seven windows, Monday first: None closed; 00:00-00:00 a 24h day; end 00:00 = midnight."""
    week: list[tuple[int, int] | None] = []
    for day in DAYS:
        start, end = _minutes(rec.get(f"{day}StartTime")), _minutes(rec.get(f"{day}EndTime"))
        if start is None or end is None:
            week.append(None)
            continue
        if end == 0:
            end = clock.DAY
        week.append((start, end) if end > start else None)
    return tuple(week)


def calendar_from_record(rec: dict) -> clock.Calendar:
    return clock.Calendar(rec.get("TimeZoneSidKey") or "UTC", week_from_record(rec), name=rec.get("Name") or "")


def calendar_from_project(bh) -> clock.Calendar | None:
    """A tiers.yml BusinessHours as a clock calendar (None when the file does not know the hours)."""
    if not bh.known:
        return None
    from slakit.simulate import calendar_for  # the one project-hours -> calendar conversion

    return calendar_for(bh)


@dataclass
class HoursBook:
    """Calendars by BusinessHours Id; `default_id` is the org default (cases without hours)."""

    calendars: dict[str, clock.Calendar]
    names: dict[str, str]
    default_id: str | None = None
    from_file: frozenset[str] = frozenset()  # names whose calendar came from tiers.yml

    def get(self, hours_id: str | None) -> clock.Calendar | None:
        """The calendar for an Id (the default's when None); None means 24/7 wall time."""
        return self.calendars.get(hours_id or self.default_id or "")

    def name(self, hours_id: str | None) -> str | None:
        return self.names.get(hours_id or self.default_id or "")


def load_hours(sf: Salesforce, project: Project | None = None) -> HoursBook:
    """Every BusinessHours record of the org as a calendar (tiers.yml hours win by name)."""
    by_name = {}
    if project is not None:
        by_name = {n.lower(): bh for n, bh in project.business_hours.items()}
    calendars, names, default_id, from_file = {}, {}, None, set()
    for rec in iter_records(sf, HOURS_SOQL, action="reading business hours"):
        names[rec["Id"]] = rec["Name"]
        if rec.get("IsDefault"):
            default_id = rec["Id"]
        cal = None
        bh = by_name.get((rec.get("Name") or "").lower())
        if bh is not None:
            cal = calendar_from_project(bh)
            if cal is not None:
                from_file.add(rec["Name"])
        calendars[rec["Id"]] = cal or calendar_from_record(rec)
    return HoursBook(calendars, names, default_id, frozenset(from_file))
