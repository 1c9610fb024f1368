"""The legal leave rules and who may report sick, as decision tables (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from inzage.attendance.rules import (
    Reporter,
    leave_check,
    leave_request_refusal,
    sick_report_is_late,
    sick_report_refusal,
)
from inzage.attendance.tests.test_duo import CAL

YEAR = (dt.date(2025, 8, 25), dt.date(2026, 7, 17))


def check(kind: str, start: dt.date, end: dt.date, earlier: int = 0):
    return leave_check(
        kind=kind,
        start=start,
        end=end,
        calendar=CAL,
        year_start=YEAR[0],
        year_end=YEAR[1],
        earlier_holiday_leave=earlier,
    )


@pytest.mark.parametrize(
    ("kind", "start", "end", "earlier", "error_field", "days"),
    [
        ("holiday", dt.date(2026, 3, 2), dt.date(2026, 3, 13), 0, None, 10),  # two school weeks: 10 days, allowed
        ("holiday", dt.date(2026, 3, 2), dt.date(2026, 3, 16), 0, "end", 11),  # 11 school days
        ("holiday", dt.date(2025, 9, 1), dt.date(2025, 9, 3), 0, "start", 3),  # second school week
        ("holiday", dt.date(2025, 9, 8), dt.date(2025, 9, 10), 0, None, 3),  # third school week: fine
        ("holiday", dt.date(2026, 3, 2), dt.date(2026, 3, 4), 1, "kind", 3),  # once a school year
        ("holiday", dt.date(2025, 10, 17), dt.date(2025, 10, 27), 0, None, 2),  # holiday days are not counted
        ("important", dt.date(2026, 3, 2), dt.date(2026, 3, 16), 0, None, 11),  # allowed, but the municipality
        ("important", dt.date(2025, 9, 1), dt.date(2025, 9, 1), 1, None, 1),  # no first-weeks rule
        ("holiday", dt.date(2026, 3, 4), dt.date(2026, 3, 2), 0, "end", 0),  # reversed
        ("holiday", dt.date(2025, 10, 20), dt.date(2025, 10, 24), 0, "start", 0),  # only holiday: no leave needed
    ],
)
def test_leave_rules(kind, start, end, earlier, error_field, days) -> None:
    result = check(kind, start, end, earlier)
    assert result.school_days == days
    if error_field is None:
        assert result.ok, result.errors
    else:
        assert error_field in result.errors


def test_important_leave_over_ten_days_goes_to_the_municipality() -> None:
    assert check("important", dt.date(2026, 3, 2), dt.date(2026, 3, 16)).decided_by == "municipality"
    assert check("important", dt.date(2026, 3, 2), dt.date(2026, 3, 13)).decided_by == "head"


@pytest.mark.parametrize(
    ("reporter", "age", "on_own", "allowed"),
    [
        (Reporter("guardian", "with_gezag"), 14, False, True),
        (Reporter("guardian", "carer"), 14, False, True),
        (Reporter("guardian", "guardian_institution"), 14, False, True),
        (Reporter("guardian", "without_gezag"), 14, False, False),  # also a step-parent who is not the carer
        (Reporter("guardian", "with_gezag", relation_current=False), 14, False, False),
        (Reporter("guardian", "with_gezag"), 18, False, False),  # an adult reports themself
        (Reporter("student"), 17, False, False),
        (Reporter("student"), 17, True, True),  # lives on their own
        (Reporter("student"), 18, False, True),
        (Reporter("staff"), 14, False, True),
        (Reporter("other"), 14, False, False),
    ],
)
def test_who_may_report_sick(reporter: Reporter, age: int, on_own: bool, allowed: bool) -> None:
    refusal = sick_report_refusal(reporter=reporter, student_age=age, lives_on_own=on_own)
    assert (refusal is None) is allowed
    if refusal is not None:
        assert refusal.endswith(".")  # a whole Dutch sentence


def test_without_custody_gets_a_clear_dutch_refusal() -> None:
    refusal = sick_report_refusal(reporter=Reporter("guardian", "without_gezag"), student_age=14, lives_on_own=False)
    assert refusal is not None and "ouder met gezag" in refusal


@pytest.mark.parametrize(
    ("reporter", "age", "allowed"),
    [
        (Reporter("guardian", "with_gezag"), 14, True),
        (Reporter("guardian", "carer"), 14, False),
        (Reporter("guardian", "without_gezag"), 14, False),
        (Reporter("student"), 17, False),
        (Reporter("student"), 18, True),
    ],
)
def test_who_may_ask_for_leave(reporter: Reporter, age: int, allowed: bool) -> None:
    assert (leave_request_refusal(reporter=reporter, student_age=age) is None) is allowed


@pytest.mark.parametrize(
    ("starts", "reported", "late"),
    [
        (dt.date(2025, 9, 1), dt.date(2025, 9, 1), False),
        (dt.date(2025, 9, 1), dt.date(2025, 9, 3), False),  # two school days later
        (dt.date(2025, 9, 1), dt.date(2025, 9, 4), True),
        (dt.date(2025, 9, 5), dt.date(2025, 9, 9), False),  # Friday → Tuesday: weekend not counted
        (dt.date(2025, 10, 17), dt.date(2025, 10, 28), False),  # across the autumn break
    ],
)
def test_late_sick_reports(starts: dt.date, reported: dt.date, late: bool) -> None:
    assert sick_report_is_late(calendar=CAL, starts_on=starts, reported_on=reported) is late


def test_deadlines_past_the_last_school_year_count_weekdays() -> None:
    from zoneinfo import ZoneInfo

    from inzage.attendance.rules import school_days_after
    from inzage.schools.calendar import SchoolCalendar

    cal = SchoolCalendar(timezone=ZoneInfo("Europe/Amsterdam"), years=[(dt.date(2025, 8, 25), dt.date(2026, 7, 17))])
    assert school_days_after(cal, dt.date(2025, 10, 3), 2) == dt.date(2025, 10, 7)  # Friday + 2 school days
    assert school_days_after(cal, dt.date(2025, 10, 3), 0) == dt.date(2025, 10, 3)
    # The year's last day (Friday 17 July): no next year entered, so the weekdays after it count.
    assert school_days_after(cal, dt.date(2026, 7, 17), 2) == dt.date(2026, 7, 21)
