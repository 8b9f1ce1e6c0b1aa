"""BusinessHours.settings content: one entry per business hours defined in tiers.yml (none for
`existing: true`), with each open day as start/end times the way Salesforce writes them (a 24h
day is 00:00:00.000Z-00:00:00.000Z; an end of midnight is 00:00:00.000Z; a closed day has no
times), and the holidays, which are org-wide records linked to the hours that use them.

Conventions (Salesforce documents none of these):
- A holiday with the same name and rule in several business hours is one Holiday linked to all
  of them. The same name with different rules gets the hours' name appended, "(EMEA Hours)",
  because Holiday names are one namespace in the org.
- Nth-weekday holidays (no date in tiers.yml) get recurrenceStartDate 2000-01-01.
- A tier without business hours gets `Slakit 24x7` (config.names.ALWAYS_OPEN_HOURS): every day
  00:00-24:00 GMT, first in the file. A process without businessHours would run on the case's
  hours (usually the org default), not 24/7 as tiers.yml and simulate mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slakit.config.names import ALWAYS_OPEN_HOURS, ALWAYS_OPEN_TIME_ZONE
from slakit.config.project import WEEKDAYS

if TYPE_CHECKING:
    from slakit.config.project import Holiday, Project

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
NTH_START = "2000-01-01"


def always_open_needed(project: Project) -> bool:
    """True when a tier has no business hours: its process then references ALWAYS_OPEN_HOURS."""
    return any(t.business_hours is None for t in project.tiers)


def hours_entries(project: Project) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if always_open_needed(project):
        whole_days: dict[str, dict[str, Any]] = {day: {"day": day, "start": 0, "end": 1440} for day in WEEKDAYS}
        out.append({"name": ALWAYS_OPEN_HOURS, "time_zone": ALWAYS_OPEN_TIME_ZONE, "days": whole_days})
    for bh in project.business_hours.values():
        if bh.existing or not bh.known:
            continue
        days = []
        for i, day in enumerate(WEEKDAYS):
            w = bh.week[i]
            days.append({"day": day, "start": w.start if w else None, "end": w.end if w else None})
        by_day = {d["day"]: d for d in days}
        out.append({"name": bh.name, "time_zone": bh.time_zone, "days": by_day})
    return out


def _rule(h) -> tuple:
    w = (h.window.start, h.window.end) if h.window else None
    return (h.recurs, h.date, w, h.instance, h.weekday, h.month)


def holiday_entries(project: Project) -> list[dict]:
    groups: dict[str, list[tuple[tuple, Holiday, list[str]]]] = {}
    for bh in project.business_hours.values():
        if bh.existing or not bh.known:
            continue
        for h in bh.holidays:
            rules = groups.setdefault(h.name, [])
            for rule, _, names in rules:
                if rule == _rule(h):
                    if bh.name not in names:
                        names.append(bh.name)
                    break
            else:
                rules.append((_rule(h), h, [bh.name]))
    out = []
    for name, rules in groups.items():
        for _, h, hours in rules:
            label = name if len(rules) == 1 else f"{name} ({hours[0]})"
            out.append(_holiday(label[:80], h, hours))
    out.sort(key=lambda d: d["name"].lower())
    return out


def _holiday(name: str, h, hours: list[str]) -> dict:
    d = {"name": name, "business_hours": hours, "activity_date": None, "recurring": False,
         "start": h.window.start if h.window else None, "end": h.window.end if h.window else None,
         "day_of_month": None, "day_of_week": None, "instance": None, "month": None,
         "recurrence_start": None, "recurrence_type": None}
    if h.recurs == "none":
        d["activity_date"] = h.date.isoformat()
    elif h.recurs == "yearly":
        d.update(recurring=True, recurrence_type="RecursYearly", day_of_month=h.date.day,
                 month=MONTH_NAMES[h.date.month - 1], recurrence_start=h.date.isoformat())
    else:
        d.update(recurring=True, recurrence_type="RecursYearlyNth", day_of_week=WEEKDAYS[h.weekday].capitalize(),
                 instance=h.instance.capitalize(), month=MONTH_NAMES[h.month - 1], recurrence_start=NTH_START)
    return d
