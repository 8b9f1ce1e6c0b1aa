"""The clock's inputs: `Settings` (with `Boundary`, `WarningTime`, `DEFAULT`), `Holiday` (dated,
yearly, nth weekday; `nth_weekday`), and `Calendar` (a zone, a week of open windows, holidays), which
validates its week and lazily owns its interval engine (`slakit.clock.engine`). Pure standard
library; conventions are documented in `slakit.clock`.
"""

from __future__ import annotations

import calendar as _calmod
import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from .engine import _Engine

UTC = dt.timezone.utc
DAY = 1440
INSTANCES = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


class Boundary(str, enum.Enum):
    AT_CLOSE = "at_close"  # a budget ending exactly at closing time is due at the close
    NEXT_OPEN = "next_open"  # ... is due at the next opening


class WarningTime(str, enum.Enum):
    BUSINESS = "business"  # warning offset counts business time
    WALL = "wall"  # warning offset counts elapsed time before the target


@dataclass(frozen=True)
class Settings:
    boundary: Boundary = Boundary.AT_CLOSE
    warning_time: WarningTime = WarningTime.BUSINESS

    def describe(self) -> dict[str, str]:
        return {
            "boundary": self.boundary.value,
            "warning_time": self.warning_time.value,
            "minute_precision": "floor",
            "violation": "at_target",
        }


DEFAULT = Settings()


def nth_weekday(year: int, month: int, weekday: int, instance: int) -> dt.date | None:
    """The nth (1-4, -1 = last) `weekday` (0 = Monday) of a month."""
    first_wd, days = _calmod.monthrange(year, month)
    if instance == -1:
        last = dt.date(year, month, days)
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    day = 1 + (weekday - first_wd) % 7 + 7 * (instance - 1)
    return dt.date(year, month, day) if day <= days else None


@dataclass(frozen=True)
class Holiday:
    date: dt.date | None = None
    window: tuple[int, int] | None = None  # None = all day
    recurs_yearly: bool = False
    instance: int | None = None  # nth weekday: 1..4, -1 = last
    weekday: int | None = None
    month: int | None = None
    name: str = ""

    @classmethod
    def on_date(cls, date: dt.date, window: tuple[int, int] | None = None, name: str = "") -> Holiday:
        return cls(date=date, window=window, name=name)

    @classmethod
    def yearly(cls, date: dt.date, window: tuple[int, int] | None = None, name: str = "") -> Holiday:
        return cls(date=date, window=window, recurs_yearly=True, name=name)

    @classmethod
    def nth_weekday(cls, instance: int | str, weekday: int, month: int,
                    window: tuple[int, int] | None = None, name: str = "") -> Holiday:
        n = INSTANCES[instance] if isinstance(instance, str) else int(instance)
        if n not in (1, 2, 3, 4, -1) or not 0 <= weekday <= 6 or not 1 <= month <= 12:
            raise ValueError(f"bad nth-weekday holiday: {instance} {weekday} {month}")
        return cls(window=window, instance=n, weekday=weekday, month=month, name=name)

    def in_year(self, year: int) -> dt.date | None:
        if self.instance is not None:
            assert self.month is not None and self.weekday is not None  # set together by nth_weekday()
            return nth_weekday(year, self.month, self.weekday, self.instance)
        if self.date is None:
            return None
        if not self.recurs_yearly:
            return self.date if self.date.year == year else None
        if year < self.date.year:
            return None
        try:
            return self.date.replace(year=year)
        except ValueError:  # 29 February in a common year
            return None


def _norm_day(entry: Any) -> tuple[tuple[int, int], ...]:
    if not entry:
        return ()
    if isinstance(entry[0], int):
        entry = (entry,)
    wins = tuple(sorted((int(s), int(e)) for s, e in entry))
    for s, e in wins:
        if not 0 <= s < e <= DAY:
            raise ValueError(f"window {s}-{e} is not inside one day (0 <= start < end <= 1440)")
    return wins


@dataclass(frozen=True, eq=False)
class Calendar:
    time_zone: str
    week: tuple
    holidays: tuple[Holiday, ...] = ()
    name: str = ""
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("week needs 7 entries, Monday first")
        object.__setattr__(self, "week", tuple(_norm_day(d) for d in self.week))
        object.__setattr__(self, "holidays", tuple(self.holidays))
        ZoneInfo(self.time_zone)  # raises for an unknown zone

    @classmethod
    def always(cls, time_zone: str = "UTC") -> Calendar:
        return cls(time_zone, ((0, DAY),) * 7)

    @property
    def zone(self) -> ZoneInfo:
        return self.engine().zone

    def engine(self) -> _Engine:
        eng = self._cache.get("engine")
        if eng is None:
            from .engine import _Engine  # here, not at the top: engine imports this module

            eng = self._cache["engine"] = _Engine(self)
        return eng
