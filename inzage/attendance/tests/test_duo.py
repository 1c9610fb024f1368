"""Decision tables for the DUO detector on constructed histories (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from inzage.attendance.duo import (
    Absence,
    DuoSettings,
    counted_minutes,
    holiday_signals,
    long_term_signals,
    of_compulsory_school_age,
    threshold_signals,
)
from inzage.schools.calendar import Range, SchoolCalendar

TZ = ZoneInfo("Europe/Amsterdam")
AUTUMN = (dt.date(2025, 10, 18), dt.date(2025, 10, 26))
CAL = SchoolCalendar(
    timezone=TZ,
    years=[(dt.date(2025, 8, 25), dt.date(2026, 7, 17))],
    ranges=[Range("herfst", "holiday", "Herfstvakantie", *AUTUMN)],
)


def lesson(day: dt.date, hour: int, minutes: int = 60, *, authorised: bool = False, late: bool = False) -> Absence:
    return Absence(dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ), minutes, authorised, late)


def hours_on(days: list[dt.date], per_day: int, minutes: int = 60) -> list[Absence]:
    return [lesson(d, 8 + h, minutes) for d in days for h in range(per_day)]


MON = dt.date(2025, 9, 1)  # a Monday in week 36


def weekday(week: int, day: int = 0) -> dt.date:
    return MON + dt.timedelta(weeks=week, days=day)


@pytest.mark.parametrize(
    ("history", "signals", "why"),
    [
        (hours_on([weekday(0, d) for d in range(4)], 4), 1, "exactly 16 hours in one week"),
        ([*hours_on([weekday(0, d) for d in range(4)], 4)[:-1], lesson(weekday(0, 3), 11, 59)], 0, "15 h 59"),
        (hours_on([weekday(w) for w in range(4)], 4), 1, "4 hours in each of 4 consecutive weeks: 16"),
        (hours_on([weekday(w) for w in (0, 1, 2, 4)], 4), 0, "16 hours over 5 school weeks"),
        (
            [lesson(weekday(0), 8 + h, authorised=True) for h in range(8)] + hours_on([weekday(1)], 8),
            0,
            "authorised absence does not count",
        ),
        (hours_on([weekday(w, d) for w in range(3) for d in range(4)], 4), 3, "48 hours: three reports, restart"),
        (
            hours_on([weekday(0, d) for d in range(2)], 4) + hours_on([weekday(3, d) for d in range(2)], 4),
            1,
            "8 hours in the first and 8 in the fourth school week: exactly 16 within 4 weeks",
        ),
        (
            hours_on([weekday(0, d) for d in range(2)], 4) + hours_on([weekday(4, d) for d in range(2)], 4),
            0,
            "8 hours in the first and 8 in the fifth school week: never 16 within 4",
        ),
        (
            [*hours_on([weekday(w) for w in range(4)], 4)[:-1], lesson(weekday(3), 11, 59)],
            0,
            "15 h 59 spread across 4 school weeks",
        ),
        (
            [*hours_on([weekday(w) for w in range(4)], 4), lesson(weekday(0), 8, 60, authorised=True)],
            1,
            "16 unauthorised hours and one authorised: still exactly one signal",
        ),
    ],
)
def test_threshold_decision_table(history: list[Absence], signals: int, why: str) -> None:
    found = threshold_signals(history=history, calendar=CAL, settings=DuoSettings())
    assert len(found) == signals, why


def test_exactly_16_hours_reports_the_span_and_hours() -> None:
    history = hours_on([weekday(0, d) for d in range(4)], 4)
    (signal,) = threshold_signals(history=history, calendar=CAL, settings=DuoSettings())
    assert signal.hours == 16
    assert (signal.start, signal.end) == (weekday(0), weekday(0, 3))


def test_fifteen_hours_fifty_nine_is_below() -> None:
    history = [*hours_on([weekday(0)], 15), lesson(weekday(1), 9, 59)]
    assert threshold_signals(history=history, calendar=CAL, settings=DuoSettings()) == []
    history.append(lesson(weekday(1), 10, 1))
    assert len(threshold_signals(history=history, calendar=CAL, settings=DuoSettings())) == 1


def test_holiday_week_is_not_counted() -> None:
    # Weeks 41, 42 | autumn break 43 | 44, 45: four school weeks spread across five calendar weeks.
    weeks = [dt.date(2025, 10, 6), dt.date(2025, 10, 13), dt.date(2025, 10, 27), dt.date(2025, 11, 3)]
    history = hours_on(weeks, 4)
    (signal,) = threshold_signals(history=history, calendar=CAL, settings=DuoSettings())
    assert (signal.start, signal.end) == (weeks[0], weeks[-1])
    # The same 16 hours spread across five *school* weeks (no holiday in between) do not reach the threshold.
    spread = hours_on([dt.date(2025, 9, 8), dt.date(2025, 9, 15), dt.date(2025, 9, 29), dt.date(2025, 10, 6)], 4)
    assert threshold_signals(history=spread, calendar=CAL, settings=DuoSettings()) == []


def test_holiday_week_at_the_window_edge() -> None:
    # Weeks 40, 41, 42 | autumn break 43 | 44: 4 hours each; the first four school weeks hold 16 hours (40–42 + 44).
    weeks = [dt.date(2025, 9, 29), dt.date(2025, 10, 6), dt.date(2025, 10, 13), dt.date(2025, 10, 27)]
    (signal,) = threshold_signals(history=hours_on(weeks, 4), calendar=CAL, settings=DuoSettings())
    assert signal.end == dt.date(2025, 10, 27) and signal.hours == 16
    # Starting one school week earlier (39) and leaving 40 out: 39, 41, 42, 44 span five school weeks.
    spread = [dt.date(2025, 9, 22), *weeks[1:]]
    assert threshold_signals(history=hours_on(spread, 4), calendar=CAL, settings=DuoSettings()) == []


def test_absence_registered_in_a_holiday_week_is_not_counted() -> None:
    # A registration inside the autumn break (should not happen) adds nothing, and does not bridge the weeks.
    history = hours_on([dt.date(2025, 10, 13)], 12) + hours_on([dt.date(2025, 10, 21)], 4)
    assert threshold_signals(history=history, calendar=CAL, settings=DuoSettings()) == []


def test_window_minutes_skips_the_holiday_and_what_was_reported() -> None:
    from inzage.attendance.duo import window_minutes

    history = hours_on([dt.date(2025, 10, 6), dt.date(2025, 10, 13), dt.date(2025, 10, 27)], 3)
    today = dt.date(2025, 10, 29)
    assert window_minutes(history=history, calendar=CAL, settings=DuoSettings(), today=today) == 9 * 60
    # On a holiday day the window ends with the last school week before it.
    assert window_minutes(history=history, calendar=CAL, settings=DuoSettings(), today=dt.date(2025, 10, 22)) == 360
    reported = history[5].at  # the report counted up to the last lesson of 13 October
    assert (
        window_minutes(history=history, calendar=CAL, settings=DuoSettings(), today=today, counted_after=reported)
        == 3 * 60
    )


def test_restart_after_a_report() -> None:
    first = hours_on([weekday(0, d) for d in range(4)], 4)
    more = hours_on([weekday(1, d) for d in range(2)], 4)  # 8 more hours in the next week
    (signal,) = threshold_signals(history=first + more, calendar=CAL, settings=DuoSettings())
    # The 8 hours after the crossing start a new period and do not reach 16 on their own.
    assert signal.end == weekday(0, 3)
    # With the report already made, only absence after it counts.
    assert threshold_signals(
        history=first + more + hours_on([weekday(1, 2), weekday(1, 3)], 4),
        calendar=CAL,
        settings=DuoSettings(),
        counted_after=signal.crossed_at,
    )[0].start == weekday(1)


@pytest.mark.parametrize(
    ("duo_settings", "expected"),
    [
        (DuoSettings(late_counts=False), Fraction(0)),
        (DuoSettings(late_counts=True, late_minutes_per_hour=60), Fraction(15)),
        (DuoSettings(late_counts=True, late_minutes_per_hour=15), Fraction(60)),
    ],
)
def test_lateness_counting_on_and_off(duo_settings: DuoSettings, expected: Fraction) -> None:
    late = lesson(weekday(0), 8, 15, late=True)
    assert counted_minutes(late, duo_settings) == expected


def test_lateness_alone_counts_only_when_switched_on() -> None:
    # 64 times 15 minutes late in one school week: 16 hours with lateness counting, nothing without.
    history = [lesson(weekday(0, d), 8 + h, 15, late=True) for d in range(5) for h in range(8)]
    history += [lesson(weekday(1, d), 8 + h, 15, late=True) for d in range(3) for h in range(8)]
    assert len(history) == 64
    assert threshold_signals(history=history, calendar=CAL, settings=DuoSettings(late_counts=False)) == []
    (signal,) = threshold_signals(history=history, calendar=CAL, settings=DuoSettings(late_counts=True))
    assert signal.hours == 16 and signal.end == weekday(1, 2)
    # Counting 30 minutes late as an hour doubles the weight: the threshold falls halfway.
    doubled = DuoSettings(late_counts=True, late_minutes_per_hour=30)
    assert threshold_signals(history=history, calendar=CAL, settings=doubled)[0].end == weekday(0, 3)


def test_authorised_lateness_never_counts() -> None:
    late = Absence(dt.datetime(2025, 9, 1, 8, tzinfo=TZ), 30, True, True)
    assert counted_minutes(late, DuoSettings(late_counts=True)) == 0


def test_lateness_tips_the_threshold_only_when_it_counts() -> None:
    history = hours_on([weekday(0)], 15) + [lesson(weekday(1), 8, 15, late=True) for _ in range(4)]
    assert threshold_signals(history=history, calendar=CAL, settings=DuoSettings(late_counts=False)) == []
    on = DuoSettings(late_counts=True, late_minutes_per_hour=60)
    assert len(threshold_signals(history=history, calendar=CAL, settings=on)) == 1


def test_long_term_more_than_four_school_weeks() -> None:
    days = [weekday(0) + dt.timedelta(days=i) for i in range(35) if CAL.is_school_day(weekday(0) + dt.timedelta(i))]
    assert long_term_signals(absent_days=days[:20], calendar=CAL) == []  # exactly four weeks
    (signal,) = long_term_signals(absent_days=days[:21], calendar=CAL)
    assert signal.kind == "long_term"
    gap = days[:10] + days[11:21]
    assert long_term_signals(absent_days=gap, calendar=CAL) == []


def test_absence_around_a_holiday() -> None:
    assert len(holiday_signals(absent_days=[dt.date(2025, 10, 17)], calendar=CAL, holidays=[AUTUMN])) == 1
    assert len(holiday_signals(absent_days=[dt.date(2025, 10, 27)], calendar=CAL, holidays=[AUTUMN])) == 1
    assert holiday_signals(absent_days=[dt.date(2025, 10, 15)], calendar=CAL, holidays=[AUTUMN]) == []


@pytest.mark.parametrize(
    ("age", "qualified", "compulsory"),
    [(12, False, True), (15, True, True), (16, False, True), (17, False, True), (17, True, False), (18, False, False)],
)
def test_compulsory_school_age(age: int, qualified: bool, compulsory: bool) -> None:
    assert of_compulsory_school_age(age=age, has_starting_qualification=qualified) is compulsory


def test_one_week_numbering_for_a_whole_scan_gives_the_same_signals() -> None:
    from inzage.attendance.duo import school_week_index

    weeks = school_week_index(CAL, [dt.date(2025, 8, 25), dt.date(2026, 7, 17)])
    for history in (
        hours_on([dt.date(2025, 10, 6), dt.date(2025, 10, 13), dt.date(2025, 10, 27), dt.date(2025, 11, 3)], 4),
        hours_on([weekday(w, d) for w in range(3) for d in range(4)], 4),
        hours_on([weekday(0)], 15),
    ):
        alone = threshold_signals(history=history, calendar=CAL, settings=DuoSettings())
        assert threshold_signals(history=history, calendar=CAL, settings=DuoSettings(), weeks=weeks) == alone
