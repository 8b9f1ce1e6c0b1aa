"""The format's words for what the org stores, and the YAML shapes they are written in: durations
(`bd` where whole business days of the hours, else `h`, else `m`), warning percentages that map
back to the org's minutes through the clock, business hours and holidays as tiers.yml writes
them, template terms; flow-style maps and lists with the scalars a flow collection could misread
quoted, and comments placed before a key.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

from slakit.clock import business_day_minutes, warning_offset_minutes
from slakit.importer.read import DAYS, Hours, text

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
YAML11_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~", ""}  # read as non-strings somewhere


def safe(value: Any) -> Any:
    """Strings a flow collection could misread (`group:X`, `a, b`, `#1`) double-quoted."""
    if isinstance(value, str) and not isinstance(value, Quoted) and (
            any(ch in value for ch in ':#,[]{}&*!|>\'"@`') or value[:1] == "%" or value != value.strip()
            or value.lower() in YAML11_WORDS):
        return Quoted(value)
    return value


def flow(data: Any) -> Any:
    """Short maps and lists in flow style ({field: ..., operator: ...}, [owner])."""
    if isinstance(data, dict):
        cm = CommentedMap((k, safe(v)) for k, v in data.items())
        cm.fa.set_flow_style()
        return cm
    cs = CommentedSeq(safe(v) for v in data)
    cs.fa.set_flow_style()
    return cs


def comment(cm: CommentedMap, key: str, lines: list[str], indent: int) -> None:
    if lines:
        cm.yaml_set_comment_before_after_key(key, before="\n".join(lines), indent=indent)


# -- units -------------------------------------------------------------------------------------
def week(hours: Hours | None) -> list[tuple[int, int] | None] | None:
    if hours is None or not hours.zone:
        return None
    out: list[tuple[int, int] | None] = []
    for d in DAYS:
        w = hours.days.get(d)
        if w is None:
            out.append(None)
            continue
        s, e = (int(x[:2]) * 60 + int(x[3:5]) for x in w)
        out.append((s, 1440 if e == 0 else e))
    return out


def duration(minutes: int, hours: Hours | None) -> str:
    """'1bd' where whole business days of `hours` (not 24/7), else '4h', else '90m'."""
    spans = week(hours)
    if spans is not None and not all(w == (0, 1440) for w in spans):
        try:
            day = business_day_minutes(spans)
        except ValueError:
            day = 0
        if day and minutes % day == 0:
            return f"{minutes // day}bd"
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def percent_for(limit: int, offset: int) -> str | None:
    """The warning percentage that fires `offset` minutes before a `limit`-minute target: the
    exact one when it has at most two decimals (20% of 10m = 8 min), else the roundest one the
    clock rounds to those minutes (75% of 30m fires 7.5 -> 8 min before, as slakit deploys it)."""
    if not 0 < offset < limit:
        return None
    exact = 100.0 * (limit - offset) / limit
    below = 100.0 * (limit - offset + 1) / limit  # percentages up to here round to `offset`
    candidates = [round(exact, 2)] if abs(round(exact, 2) - exact) < 1e-9 else []
    for step in (25, 10, 5, 1, 0.5, 0.1, 0.01):
        candidates.append(round(math.ceil(exact / step - 1e-9) * step, 2))
    for p in candidates:
        if 0 < p < min(below, 100) and warning_offset_minutes(limit, p) == offset:
            return f"{p:g}%"
    return None


def window(w: tuple[str, str] | None) -> str:
    if w is None:
        return "closed"
    s, e = w
    if s == e == "00:00":
        return "24h"
    return Quoted(f"{s}-{'24:00' if e == '00:00' else e}")


def hours_map(h: Hours) -> CommentedMap:
    days = {d: window(h.days.get(d)) for d in DAYS}
    out = CommentedMap()
    if len(set(days.values())) == 1:
        out["every_day"] = days["monday"]
        return out
    weekdays = {days[d] for d in DAYS[:5]}
    if len(weekdays) == 1 and days["monday"] != "closed":
        out["weekdays"] = days["monday"]
        rest: tuple[str, ...] = DAYS[5:]
    else:
        rest = DAYS
    for d in rest:
        if days[d] != "closed":
            out[d] = days[d]
    return out


def holiday(el) -> tuple[dict | None, str | None]:
    name = text(el, "name") or "Holiday"
    item: dict[str, Any] = {"name": name}
    start, end = text(el, "startTime"), text(el, "endTime")
    if text(el, "isRecurring") == "true":
        rtype = text(el, "recurrenceType")
        month = (text(el, "recurrenceMonthOfYear") or "").lower()
        if rtype == "RecursYearly" and month in MONTHS and text(el, "recurrenceDayOfMonth"):
            year = int((text(el, "recurrenceStartDate") or "2000")[:4])
            try:
                item["date"] = dt.date(year, MONTHS.index(month) + 1, int(text(el, "recurrenceDayOfMonth") or 1))
            except ValueError:
                return None, f"holiday {name}: no such day"
            item["recurs"] = "yearly"
        elif rtype == "RecursYearlyNth" and month in MONTHS:
            item["recurs"] = flow({"instance": (text(el, "recurrenceInstance") or "").lower(),
                                    "weekday": (text(el, "recurrenceDayOfWeek") or "").lower(), "month": month})
        else:
            return None, f"holiday {name} recurs {rtype}: tiers.yml has one-off, yearly and nth-weekday holidays"
    elif text(el, "activityDate"):
        item["date"] = dt.date.fromisoformat((text(el, "activityDate") or "")[:10])
    else:
        return None, f"holiday {name} has no date"
    if start and end and not (start[:5] == "00:00" and end[:5] == "00:00"):
        item["time"] = Quoted(f"{start[:5]}-{'24:00' if end[:5] == '00:00' else end[:5]}")
    return item, None


# -- processes ---------------------------------------------------------------------------------


def term(days: int) -> str:
    """EntitlementTemplate.term (days) in the format's words: 365 -> '12 months' (resolve reads a
    month as a twelfth of 365 days), else 'N days'."""
    for n in range(1, 121):
        if round(n * 365 / 12) == days:
            return f"{n} month{'s' if n > 1 else ''}"
    return f"{days} days"
