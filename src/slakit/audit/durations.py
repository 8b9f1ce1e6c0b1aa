"""Durations in option text ("2h", "1h30m", "30d") and as short text ("3h 20m", "-45m")."""

from __future__ import annotations

import datetime as dt
import re

from slakit.errors import UsageError

UNITS = {"m": 1, "h": 60, "d": 1440, "w": 10080}
PART = re.compile(r"(\d+)\s*([mhdw])")


def parse_minutes(text: str, *, option: str) -> int:
    """'2h' -> 120, '1h30m' -> 90, '30d' -> 43200; UsageError naming the option otherwise."""
    raw = (text or "").strip().lower()
    parts = PART.findall(raw)
    if not raw or not parts or PART.sub("", raw).strip():
        raise UsageError(f"cannot read '{text}' as a duration", field=option, hint="write e.g. 30m, 2h, 1h30m, 30d")
    total = sum(int(n) * UNITS[u] for n, u in parts)
    if total <= 0:
        raise UsageError(f"'{text}' is not a positive duration", field=option)
    return total


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """'30d' -> now - 30 days; '2026-01-01' -> that UTC midnight."""
    try:
        day = dt.date.fromisoformat(text.strip())
        return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)
    except ValueError:
        return now - dt.timedelta(minutes=parse_minutes(text, option="--since"))


def short(minutes: int | None) -> str:
    """120 -> '2h', 200 -> '3h 20m', 2500 -> '41h 40m', -45 -> '-45m' (business minutes; no days,
    since a business day's length depends on the hours)."""
    if minutes is None:
        return "-"
    sign, m = ("-" if minutes < 0 else ""), abs(int(minutes))
    h, mm = divmod(m, 60)
    parts = [f"{h}h"] * bool(h) + [f"{mm}m"] * bool(mm)
    return sign + (" ".join(parts) or "0m")


def soql_datetime(when: dt.datetime) -> str:
    """A SOQL datetime literal in UTC: 2026-03-02T15:00:00Z."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_sf_datetime(value: str | None) -> dt.datetime | None:
    """Salesforce '2026-03-02T15:00:00.000+0000' -> aware datetime."""
    if not value:
        return None
    text = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    return dt.datetime.fromisoformat(text)
