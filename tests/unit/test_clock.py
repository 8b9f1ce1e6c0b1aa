"""The SLA clock on hand-built calendars. Every expected value is reasoned from the documented
rules (salesforce-notes.md: business hours, holidays, BusinessHours.add) in the comment next to
it, with the calendar dates worked out by hand:
  2026-01-01 is a Thursday, so 2026-02-01 and 2026-03-01 are Sundays; 2026-02-06 is a Friday.
  US DST 2026: starts Sunday 2026-03-08 02:00 EST (second Sunday of March), ends Sunday
  2026-11-01 02:00 EDT (first Sunday of November: 2026-03-01 + 245 days = 35 weeks).
  November 2026 Thursdays: 5, 12, 19, 26 -> Thanksgiving (fourth Thursday) = 2026-11-26.
  2026-12-24 is a Thursday, 2026-12-25 a Friday; 2027-12-25 is a Saturday.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from slakit import clock
from slakit.clock import Boundary, Calendar, Holiday, Settings, WarningTime

NY = ZoneInfo("America/New_York")
UTC = dt.timezone.utc
NINE_FIVE = (9 * 60, 17 * 60)
NEXT_OPEN = Settings(boundary=Boundary.NEXT_OPEN)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def z(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def us_hours(*holidays: Holiday) -> Calendar:
    w = NINE_FIVE
    return Calendar("America/New_York", (w, w, w, w, w, None, None), holidays, name="US Business Hours")


US_HOLIDAYS = (
    Holiday.nth_weekday("fourth", 3, 11, name="Thanksgiving"),
    Holiday.yearly(dt.date(2026, 12, 25), name="Christmas Day"),
    Holiday.on_date(dt.date(2026, 12, 24), window=(13 * 60, 17 * 60), name="Christmas Eve afternoon"),
)


# -- the seeds' Friday 16:30 example -------------------------------------------------------------

def test_friday_afternoon_case_consumes_thirty_minutes_then_resumes_monday():
    cal = us_hours()
    opened = dt.datetime(2026, 2, 6, 16, 30, tzinfo=NY)  # Friday, EST (-05:00) = 21:30Z
    # 4h = 240 min: 16:30-17:00 Friday uses 30, Saturday and Sunday are closed, Monday from
    # 09:00 EST uses the other 210 -> Monday 12:30 EST = 17:30Z.
    target = clock.add(cal, opened, 240)
    assert z(target) == "2026-02-09T17:30Z"
    assert target.utcoffset() == dt.timedelta(hours=-5)  # returned in the calendar's zone
    assert clock.minutes_by_day(cal, opened, target) == [(dt.date(2026, 2, 6), 30), (dt.date(2026, 2, 9), 210)]
    # Just before the close there are 30 open minutes left on Friday; the timer is paused all
    # weekend: Friday 17:00 EST (22:00Z) to Monday 09:00 EST (14:00Z) counts nothing.
    assert clock.diff(cal, utc("2026-02-06T22:00Z"), utc("2026-02-09T14:00Z")) == 0
    assert not clock.is_open(cal, utc("2026-02-07T15:00Z"))
    assert z(clock.next_open(cal, utc("2026-02-07T15:00Z"))) == "2026-02-09T14:00Z"


def test_budget_ending_exactly_at_close_follows_the_boundary_setting():
    cal = us_hours()
    opened = dt.datetime(2026, 2, 6, 16, 30, tzinfo=NY)
    # 30 minutes from Friday 16:30 run out exactly at the 17:00 close (22:00Z). AT_CLOSE keeps the
    # close; NEXT_OPEN moves to Monday's opening, 09:00 EST = 14:00Z. Both spend 30 minutes.
    assert z(clock.add(cal, opened, 30)) == "2026-02-06T22:00Z"
    assert z(clock.add(cal, opened, 30, NEXT_OPEN)) == "2026-02-09T14:00Z"
    for settings in (clock.DEFAULT, NEXT_OPEN):
        assert clock.diff(cal, opened, clock.add(cal, opened, 30, settings)) == 30


def test_salesforce_documented_24_business_hours_on_12h_days():
    # salesforce-notes: 08:00-20:00 daily, Mon 10:00 + 24h = Wed 10:00 (10h Mon, 12h Tue, 2h Wed).
    w = (8 * 60, 20 * 60)
    cal = Calendar("UTC", (w,) * 7)
    assert z(clock.add(cal, utc("2026-02-09T10:00Z"), 24 * 60)) == "2026-02-11T10:00Z"


def test_start_outside_hours_counts_from_next_opening_and_zero_minutes():
    cal = us_hours()
    saturday = utc("2026-02-07T18:00Z")
    # Counting starts at the next opening, Monday 09:00 EST = 14:00Z; + 60 min = 15:00Z.
    assert z(clock.add(cal, saturday, 60)) == "2026-02-09T15:00Z"
    assert z(clock.add(cal, saturday, 0)) == "2026-02-09T14:00Z"
    # Monday 17:00 EST is the close: windows are half-open, so it is closed there.
    assert clock.is_open(cal, utc("2026-02-09T14:00Z"))
    assert not clock.is_open(cal, utc("2026-02-09T22:00Z"))
    assert clock.is_open(cal, utc("2026-02-09T21:59Z"))


def test_precision_below_a_minute_is_dropped():
    cal = us_hours()
    # 16:30:45 floors to 16:30; 30 minutes later is the 17:00 close.
    assert z(clock.add(cal, dt.datetime(2026, 2, 6, 16, 30, 45, tzinfo=NY), 30)) == "2026-02-06T22:00Z"


def test_diff_counts_open_minutes_and_is_antisymmetric():
    cal = us_hours()
    a, b = utc("2026-02-06T21:00Z"), utc("2026-02-10T15:30Z")
    # Fri 16:00-17:00 EST = 60, Mon 480, Tue 09:00-10:30 EST = 90 -> 630.
    assert clock.diff(cal, a, b) == 630
    assert clock.diff(cal, b, a) == -630


def test_naive_instant_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        clock.add(us_hours(), dt.datetime(2026, 2, 6, 16, 30), 30)


def test_never_open_calendar_is_refused():
    with pytest.raises(ValueError, match="never open"):
        clock.add(Calendar("UTC", (None,) * 7), utc("2026-02-06T16:30Z"), 30)


# -- DST -------------------------------------------------------------------------------------------

def test_spring_forward_weekend_window_edges_are_local_wall_clock():
    cal = us_hours()
    # Fri 2026-03-06 16:00 EST (21:00Z) + 120: 60 Fri; Monday opens 09:00 EDT (-04:00) = 13:00Z,
    # so the other 60 end 10:00 EDT = 14:00Z. Friday 17:00 EST = 22:00Z.
    assert z(clock.add(cal, utc("2026-03-06T21:00Z"), 120)) == "2026-03-09T14:00Z"
    assert z(clock.next_open(cal, utc("2026-03-06T22:00Z"))) == "2026-03-09T13:00Z"


def test_fall_back_weekend_window_edges_are_local_wall_clock():
    cal = us_hours()
    # Fri 2026-10-30 16:00 EDT (20:00Z) + 120: 60 Fri; Monday 11-02 opens 09:00 EST = 14:00Z;
    # the other 60 end 10:00 EST = 15:00Z.
    assert z(clock.add(cal, utc("2026-10-30T20:00Z"), 120)) == "2026-11-02T15:00Z"


def test_24h_days_are_real_elapsed_time_across_both_changes():
    cal = Calendar("America/New_York", ((0, 1440),) * 7)
    # Spring forward: local day 2026-03-08 runs 05:00Z-04:00Z next day = 23 real hours.
    days = dict(clock.minutes_by_day(cal, utc("2026-03-08T05:00Z"), utc("2026-03-09T04:00Z")))
    assert days == {dt.date(2026, 3, 8): 23 * 60}
    # Fall back: local day 2026-11-01 runs 04:00Z-05:00Z next day = 25 real hours.
    days = dict(clock.minutes_by_day(cal, utc("2026-11-01T04:00Z"), utc("2026-11-02T05:00Z")))
    assert days == {dt.date(2026, 11, 1): 25 * 60}
    # 24/7 is elapsed time: Sat 03-07 12:00 EST (17:00Z) + 1440 = 17:00Z Sunday = 13:00 EDT.
    target = clock.add(cal, utc("2026-03-07T17:00Z"), 1440)
    assert z(target) == "2026-03-08T17:00Z" and target.hour == 13
    # Fall back: Sat 10-31 12:00 EDT (16:00Z) + 1440 = 16:00Z Sunday = 11:00 EST.
    target = clock.add(cal, utc("2026-10-31T16:00Z"), 1440)
    assert z(target) == "2026-11-01T16:00Z" and target.hour == 11


def test_window_spanning_the_transition_holds_real_time():
    sunday_early = (0, 6 * 60)
    cal = Calendar("America/New_York", (None,) * 6 + (sunday_early,))
    # 2026-03-08: 00:00 EST = 05:00Z to 06:00 EDT = 10:00Z -> 5 real hours.
    assert clock.diff(cal, utc("2026-03-08T00:00Z"), utc("2026-03-09T00:00Z")) == 300
    # 2026-11-01: 00:00 EDT = 04:00Z to 06:00 EST = 11:00Z -> 7 real hours.
    assert clock.diff(cal, utc("2026-11-01T00:00Z"), utc("2026-11-02T00:00Z")) == 420


def test_edge_inside_the_gap_moves_to_the_end_of_the_gap():
    cal = Calendar("America/New_York", (None,) * 6 + ((150, 240),))  # Sunday 02:30-04:00
    # 02:30 does not exist on 2026-03-08: the window opens at 03:00 EDT = 07:00Z, closes 04:00
    # EDT = 08:00Z: 60 minutes. At 06:45Z (01:45 EST) it is closed.
    assert not clock.is_open(cal, utc("2026-03-08T06:45Z"))
    assert z(clock.next_open(cal, utc("2026-03-08T06:45Z"))) == "2026-03-08T07:00Z"
    assert clock.diff(cal, utc("2026-03-08T00:00Z"), utc("2026-03-09T00:00Z")) == 60


def test_ambiguous_edge_takes_its_first_occurrence():
    cal = Calendar("America/New_York", (None,) * 6 + ((90, 180),))  # Sunday 01:30-03:00
    # 2026-11-01: 01:30 first happens at EDT = 05:30Z; 03:00 EST = 08:00Z -> 150 real minutes.
    assert clock.diff(cal, utc("2026-11-01T00:00Z"), utc("2026-11-02T00:00Z")) == 150


# -- holidays --------------------------------------------------------------------------------------

def test_thanksgiving_fourth_thursday_is_skipped():
    cal = us_hours(*US_HOLIDAYS)
    # Wed 2026-11-25 16:00 EST (21:00Z) + 120: 60 Wed, Thu 11-26 is Thanksgiving, Fri 11-27 09:00
    # EST + 60 = 10:00 EST = 15:00Z.
    assert z(clock.add(cal, utc("2026-11-25T21:00Z"), 120)) == "2026-11-27T15:00Z"
    # 2027: Nov 1 is a Monday (2026-11-01 Sunday + 365 days), Thursdays 4, 11, 18, 25.
    assert not clock.is_open(cal, utc("2027-11-25T15:00Z"))
    assert clock.is_open(cal, utc("2027-11-18T15:00Z"))


def test_nth_weekday_including_last():
    # 2026-05-31 is a Sunday (03-01 Sunday + 91 days), so the last Monday of May is the 25th.
    assert clock.nth_weekday(2026, 5, 0, -1) == dt.date(2026, 5, 25)
    assert clock.nth_weekday(2026, 11, 3, 4) == dt.date(2026, 11, 26)
    # Feb 2026 has four Sundays (1, 8, 15, 22) and four Mondays (2..23): no 5th, but "fourth" exists.
    assert clock.nth_weekday(2026, 2, 0, 4) == dt.date(2026, 2, 23)


def test_partial_christmas_eve_then_christmas_day():
    cal = us_hours(*US_HOLIDAYS)
    # Thu 12-24 12:00 EST (17:00Z) + 120: 60 until the 13:00 holiday afternoon, Fri 12-25 is
    # Christmas, weekend, Mon 12-28 09:00 EST + 60 = 10:00 EST = 15:00Z.
    assert z(clock.add(cal, utc("2026-12-24T17:00Z"), 120)) == "2026-12-28T15:00Z"
    assert clock.is_open(cal, utc("2026-12-24T17:59Z"))  # 12:59 EST
    assert not clock.is_open(cal, utc("2026-12-24T18:00Z"))  # 13:00 EST
    assert clock.minutes_by_day(cal, utc("2026-12-24T00:00Z"), utc("2026-12-29T00:00Z")) == [
        (dt.date(2026, 12, 24), 240), (dt.date(2026, 12, 28), 480)]


def test_holiday_on_a_closed_day_changes_nothing_and_is_not_moved():
    cal = us_hours(*US_HOLIDAYS)
    # 2027-12-25 is a Saturday: the yearly Christmas blocks only that closed day; Christmas Eve
    # afternoon was one-off (2026), so Fri 2027-12-24 is a full day and Mon 12-27 is open.
    # Fri 16:00 EST (21:00Z) + 120 -> 60 Fri, Mon 09:00-10:00 EST -> 15:00Z.
    assert z(clock.add(cal, utc("2027-12-24T21:00Z"), 120)) == "2027-12-27T15:00Z"
    assert clock.diff(cal, utc("2027-12-20T00:00Z"), utc("2027-12-27T00:00Z")) == 5 * 480


def test_yearly_holiday_recurs_from_its_date_and_feb_29_only_in_leap_years():
    christmas = Holiday.yearly(dt.date(2026, 12, 25))
    assert christmas.in_year(2030) == dt.date(2030, 12, 25)
    assert christmas.in_year(2025) is None  # recurrence starts at the given date's year
    leap = Holiday.yearly(dt.date(2028, 2, 29))
    assert leap.in_year(2029) is None and leap.in_year(2032) == dt.date(2032, 2, 29)


# -- other shapes ------------------------------------------------------------------------------------

def test_tokyo_business_day_from_utc_input():
    w = (9 * 60, 18 * 60)
    cal = Calendar("Asia/Tokyo", (w, w, w, w, w, None, None))
    # 2026-02-09T23:30Z = Tue 02-10 08:30 JST (+09:00), before opening. Counting starts 09:00
    # JST = 00:00Z; + 60 = 10:00 JST = 01:00Z.
    assert z(clock.next_open(cal, utc("2026-02-09T23:30Z"))) == "2026-02-10T00:00Z"
    assert z(clock.add(cal, utc("2026-02-09T23:30Z"), 60)) == "2026-02-10T01:00Z"
    # One business day (9h = 540 min) from Mon 12:00Z = 21:00 JST (closed): Tue 09:00-18:00 JST,
    # due at the close 18:00 JST = 09:00Z; NEXT_OPEN: Wed 09:00 JST = 00:00Z Wed.
    assert clock.business_day_minutes(cal) == 540
    assert z(clock.add(cal, utc("2026-02-09T12:00Z"), 540)) == "2026-02-10T09:00Z"
    assert z(clock.add(cal, utc("2026-02-09T12:00Z"), 540, NEXT_OPEN)) == "2026-02-11T00:00Z"


def test_no_calendar_is_plain_elapsed_time():
    opened = dt.datetime(2026, 3, 7, 16, 30, tzinfo=NY)  # EST, 21:30Z
    # 24/7: + 1440 = 21:30Z next day (17:30 EDT after the change), not 16:30 local.
    assert z(clock.add(None, opened, 1440)) == "2026-03-08T21:30Z"
    assert clock.diff(None, opened, utc("2026-03-08T21:30Z")) == 1440
    assert clock.is_open(None, opened) and clock.next_open(None, opened) == opened


def test_split_shift_and_midnight_end():
    split = ((9 * 60, 12 * 60), (13 * 60, 17 * 60))
    cal = Calendar("UTC", (split,) * 5 + (None, None))
    # Mon 11:00 + 120: 60 until 12:00, lunch closed, 13:00 + 60 = 14:00.
    assert z(clock.add(cal, utc("2026-02-09T11:00Z"), 120)) == "2026-02-09T14:00Z"
    late = Calendar("UTC", ((9 * 60, 1440), None, None, None, None, None, None))  # Mondays to midnight
    # Mon 23:00 + 120: 60 to midnight, next Monday 09:00 + 60 = 10:00.
    assert z(clock.add(late, utc("2026-02-09T23:00Z"), 120)) == "2026-02-16T10:00Z"
    full = Calendar("UTC", ((0, 1440), (0, 1440)) + (None,) * 5)
    # Mon and Tue are 24h days back to back: Mon 23:00 + 120 = Tue 01:00.
    assert z(clock.add(full, utc("2026-02-09T23:00Z"), 120)) == "2026-02-10T01:00Z"


def test_long_budgets_skip_whole_years():
    cal = us_hours()
    # 2026-01-05 is a Monday. 260 weekdays * 480 minutes = 52 full working weeks from Mon 09:00:
    # week 52 starts Mon 2026-01-05 + 51 weeks = Mon 2026-12-28 and ends Fri 2027-01-01 at the
    # 17:00 close (no holidays in this calendar; AT_CLOSE).
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=NY)
    assert clock.add(cal, start, 260 * 480) == dt.datetime(2027, 1, 1, 17, 0, tzinfo=NY)
    assert clock.diff(cal, start, dt.datetime(2027, 1, 1, 17, 0, tzinfo=NY)) == 260 * 480


# -- milestone helpers -------------------------------------------------------------------------------

def test_milestone_times_friday_example_with_warnings():
    cal = us_hours()
    opened = dt.datetime(2026, 2, 6, 16, 30, tzinfo=NY)
    # 4h with 50% (120 before) and 75% (60 before), business-time warnings: 50% = 120 used = Fri 30
    # + Mon 90 -> Mon 10:30 EST (15:30Z); 75% = 180 used -> Mon 11:30 EST (16:30Z).
    times = clock.milestone_times(cal, opened, 240, warnings=[(50.0, 120), (75.0, 60)])
    assert z(times.target) == z(times.violation) == "2026-02-09T17:30Z"
    assert [z(w.at) for w in times.warnings] == ["2026-02-09T15:30Z", "2026-02-09T16:30Z"]
    assert times.start == times.counting_from == opened
    assert times.used_by_day == ((dt.date(2026, 2, 6), 30), (dt.date(2026, 2, 9), 210))


def test_warning_offset_rounds_so_it_never_fires_late():
    # 75% of 30m leaves 7.5 minutes: rounded up to 8 (tiers-format.md). 50% of 4h: 120.
    assert clock.warning_offset_minutes(30, 75) == 8
    assert clock.warning_offset_minutes(240, 50) == 120
    assert clock.warning_offset_minutes(480, 75) == 120


def test_warning_time_business_versus_wall():
    cal = us_hours()
    opened = dt.datetime(2026, 2, 9, 16, 40, tzinfo=NY)  # Monday
    # 30m: 20 on Monday to 17:00, 10 on Tuesday -> Tue 09:10 EST (14:10Z). 50% = 15 before.
    # BUSINESS: 15 used -> Mon 16:55 EST (21:55Z). WALL: 09:10 - 15 min = Tue 08:55 EST (13:55Z).
    business = clock.milestone_times(cal, opened, 30, warnings=[(50.0, 15)])
    wall = clock.milestone_times(cal, opened, 30, warnings=[(50.0, 15)],
                                 settings=Settings(warning_time=WarningTime.WALL))
    assert z(business.target) == z(wall.target) == "2026-02-10T14:10Z"
    assert z(business.warnings[0].at) == "2026-02-09T21:55Z"
    assert z(wall.warnings[0].at) == "2026-02-10T13:55Z"


def test_stopped_then_resumed_within_business_hours():
    cal = us_hours()
    opened = dt.datetime(2026, 2, 9, 10, 0, tzinfo=NY)  # Monday
    stop, resume = dt.datetime(2026, 2, 9, 11, 0, tzinfo=NY), dt.datetime(2026, 2, 9, 13, 30, tzinfo=NY)
    # 4h: 60 used 10:00-11:00, paused 11:00-13:30 (no budget), 180 left from 13:30 -> 16:30 EST.
    times = clock.milestone_times(cal, opened, 240, stops=[(stop, resume)])
    assert times.target == dt.datetime(2026, 2, 9, 16, 30, tzinfo=NY)
    assert times.used_by_day == ((dt.date(2026, 2, 9), 240),)
    # A stop after the target changes nothing.
    late = clock.milestone_times(cal, opened, 60, stops=[(stop, resume)])
    assert late.target == stop  # 10:00 + 60 = 11:00, exactly when the stop starts (AT_CLOSE)


def test_stopped_over_a_business_day():
    cal = us_hours()
    opened = dt.datetime(2026, 2, 6, 16, 30, tzinfo=NY)
    # The example: stop Mon 2026-02-09T11:00Z (06:00 EST, before opening), resume Tue
    # 2026-02-10T10:00Z (05:00 EST). Friday used 30; all of Monday is stopped; 210 remain from
    # Tue 09:00 EST -> 12:30 EST = 17:30Z. Counting started Friday 16:30 (open).
    times = clock.milestone_times(cal, opened, 240, stops=[(utc("2026-02-09T11:00Z"), utc("2026-02-10T10:00Z"))])
    assert z(times.target) == "2026-02-10T17:30Z"
    assert times.used_by_day == ((dt.date(2026, 2, 6), 30), (dt.date(2026, 2, 10), 210))
    # Opened while stopped: counting starts at the first opening after the resume.
    times = clock.milestone_times(cal, utc("2026-02-09T12:00Z"), 60,
                                  stops=[(utc("2026-02-09T11:00Z"), utc("2026-02-10T10:00Z"))])
    assert z(times.counting_from) == "2026-02-10T14:00Z"
    assert z(times.target) == "2026-02-10T15:00Z"


def test_resume_before_stop_is_refused():
    with pytest.raises(ValueError, match="resume"):
        clock.milestone_times(None, utc("2026-02-09T12:00Z"), 60,
                              stops=[(utc("2026-02-09T13:00Z"), utc("2026-02-09T12:30Z"))])


# -- lint helpers ------------------------------------------------------------------------------------

def test_business_day_and_d_explanation():
    cal = us_hours()
    assert clock.business_day_minutes(cal) == 480
    # 2d = 48h = 2,880 business minutes; on 8h days that is 6 business days.
    assert clock.explain_minutes(2880, cal) == "2,880 business minutes = 6 business days of 8h"
    assert clock.business_day_minutes([(0, 1440)] * 7) == 1440
    with pytest.raises(ValueError, match="differ"):
        clock.business_day_minutes([(540, 1020), (540, 780), None, None, None, None, None])
    with pytest.raises(ValueError, match="no day is open"):
        clock.business_day_minutes([None] * 7)
