import datetime as dt

import pytest

from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import CalendarRange
from inzage.testing import factories as f
from inzage.testing.personas import build_personas
from inzage.testing.timetable import AMSTERDAM, personas_timetable
from inzage.timetable import weeks
from inzage.timetable.actions import lessons_sync
from inzage.timetable.models import Lesson, PatternEntry
from inzage.timetable.queries import lessons_for

pytestmark = pytest.mark.django_db
AT = dt.datetime(2025, 8, 1, tzinfo=AMSTERDAM)


def test_pattern_makes_lessons_minus_the_calendar():
    p = build_personas()
    f.CalendarRangeFactory(
        school_year=p.year,
        kind=CalendarRange.Kind.HOLIDAY,
        code="herfst",
        start=dt.date(2025, 10, 20),
        end=dt.date(2025, 10, 24),
    )
    personas_timetable(p)
    week = list(lessons_for(start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 12), group_ids=[p.group.pk]))
    # the third school week is an A-week: Monday, Wednesday (A), Friday
    assert [(lesson.date.isoweekday(), lesson.slot_number) for lesson in week] == [(1, 1), (3, 3), (5, 2)]
    assert week[0].starts_at == dt.datetime(2025, 9, 8, 8, 30, tzinfo=AMSTERDAM)
    assert week[0].room.code == "B101" and week[0].teacher == p.teacher
    second = lessons_for(start=dt.date(2025, 9, 1), end=dt.date(2025, 9, 5), group_ids=[p.group.pk])
    assert second.count() == 2  # B-week: no Wednesday lesson
    assert not lessons_for(start=dt.date(2025, 10, 20), end=dt.date(2025, 10, 24), group_ids=[p.group.pk]).exists()


def test_ab_weeks_skip_holiday_weeks():
    p = build_personas()
    f.CalendarRangeFactory(
        school_year=p.year,
        kind=CalendarRange.Kind.HOLIDAY,
        code="h",
        start=dt.date(2025, 9, 8),
        end=dt.date(2025, 9, 12),
    )
    cal = SchoolCalendar.load(p.school)
    assert weeks.week_letter(cal, p.year.start, dt.date(2025, 8, 27)) == "A"  # the school year's first week
    assert weeks.week_letter(cal, p.year.start, dt.date(2025, 9, 1)) == "B"
    assert weeks.week_letter(cal, p.year.start, dt.date(2025, 9, 15)) == "A"  # the holiday week does not count
    assert weeks.week_letter(cal, p.year.start, dt.date(2025, 9, 22)) == "B"


def test_test_weeks_suspend_the_pattern():
    p = build_personas()
    f.CalendarRangeFactory(
        school_year=p.year,
        kind=CalendarRange.Kind.TEST_WEEK,
        code="toetsweek-1",
        start=dt.date(2025, 11, 3),
        end=dt.date(2025, 11, 7),
    )
    personas_timetable(p)
    assert not lessons_for(start=dt.date(2025, 11, 3), end=dt.date(2025, 11, 7), group_ids=[p.group.pk]).exists()


def test_sync_withdraws_and_restores_never_deletes():
    p = build_personas()
    personas_timetable(p)
    entry = PatternEntry.objects.get(group=p.group, weekday=1)
    first = Lesson.objects.get(pattern_entry=entry, date=dt.date(2025, 9, 1))
    total = Lesson.objects.count()
    PatternEntry.objects.filter(pk=entry.pk).update(valid_until=dt.date(2025, 8, 31))
    result = lessons_sync(school_year=p.year, at=AT)
    assert result.withdrawn > 30 and result.created == 0
    assert Lesson.objects.count() == total
    assert not lessons_for(start=dt.date(2025, 9, 1), end=dt.date(2025, 9, 1), group_ids=[p.group.pk]).exists()
    PatternEntry.objects.filter(pk=entry.pk).update(valid_until=p.year.end)
    again = lessons_sync(school_year=p.year, at=AT)
    assert again.restored == result.withdrawn
    assert lessons_for(start=dt.date(2025, 9, 1), end=dt.date(2025, 9, 1), group_ids=[p.group.pk]).get() == first
    assert lessons_sync(school_year=p.year, at=AT).created == 0  # idempotent
