"""Pure timetable arithmetic over the school calendar: A/B weeks, suspended days, and the lessons a pattern makes.

No queries: callers load the calendar (`SchoolCalendar.load`), the slots and the pattern entries once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import CalendarRange


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_letter(calendar: SchoolCalendar, year_start: dt.date, day: dt.date) -> str:
    """ "A" or "B": weeks alternate per week that has at least one school day, the school year's first such week
    being an A-week (a holiday week does not count, so the rotation resumes where it stopped)."""
    key = ("timetable.week_letters", year_start)
    letters: dict[dt.date, str] | None = calendar.memo.get(key)
    if letters is None:
        letters = {}
        count = 0
        week = monday_of(year_start)
        for _ in range(60):  # a school year has at most 53 weeks
            if any(calendar.is_school_day(week + dt.timedelta(days=i)) for i in range(5)):
                count += 1
            letters[week] = "A" if count % 2 == 1 else "B"
            week += dt.timedelta(days=7)
        calendar.memo[key] = letters
    return letters.get(monday_of(day), "A")


def in_test_week(calendar: SchoolCalendar, day: dt.date) -> bool:
    return any(r.kind == CalendarRange.Kind.TEST_WEEK for r in calendar.ranges_on(day))


def regular_lessons_on(calendar: SchoolCalendar, day: dt.date, *, test_weeks_suspend: bool) -> bool:
    """Whether the normal timetable runs on a day: a school day, and not a suspending test week."""
    if not calendar.is_school_day(day):
        return False
    return not (test_weeks_suspend and in_test_week(calendar, day))


@dataclass(frozen=True, slots=True)
class Planned:
    """A lesson the pattern makes: which entry, which date, and when (aware datetimes)."""

    entry_id: int
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime


def planned_lessons(
    *,
    calendar: SchoolCalendar,
    year_start: dt.date,
    entries: Iterable[object],
    slot_times: dict[tuple[int, int], tuple[dt.time, dt.time]],
    start: dt.date,
    end: dt.date,
    test_weeks_suspend: bool,
) -> Iterator[Planned]:
    """Every lesson the pattern entries make between two dates (inclusive): the pattern minus the calendar.

    `entries` are PatternEntry rows (or anything with id, weekday, slot_number, week, valid_from, valid_until);
    `slot_times` maps (weekday, slot number) to (start, end). An entry whose slot is missing makes no lessons.
    """
    by_weekday: dict[int, list[object]] = {}
    for entry in entries:
        by_weekday.setdefault(entry.weekday, []).append(entry)  # type: ignore[attr-defined]
    day = start
    while day <= end:
        todays = by_weekday.get(day.isoweekday())
        if todays and regular_lessons_on(calendar, day, test_weeks_suspend=test_weeks_suspend):
            letter = week_letter(calendar, year_start, day)
            for e in todays:
                if not (e.valid_from <= day <= e.valid_until):  # type: ignore[attr-defined]
                    continue
                if e.week and e.week != letter:  # type: ignore[attr-defined]
                    continue
                times = slot_times.get((e.weekday, e.slot_number))  # type: ignore[attr-defined]
                if times is None:
                    continue
                yield Planned(
                    entry_id=e.id,  # type: ignore[attr-defined]
                    date=day,
                    starts_at=calendar.local_datetime(day, times[0]),
                    ends_at=calendar.local_datetime(day, times[1]),
                )
        day += dt.timedelta(days=1)
