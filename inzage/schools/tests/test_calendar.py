import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from inzage.schools.calendar import Range, SchoolCalendar
from inzage.schools.models import CalendarRange
from inzage.testing import factories as f

AMS = ZoneInfo("Europe/Amsterdam")
YEAR = (dt.date(2025, 8, 25), dt.date(2026, 7, 17))


def calendar(*ranges: Range) -> SchoolCalendar:
    return SchoolCalendar(timezone=AMS, years=[YEAR], ranges=list(ranges))


AUTUMN = Range(
    "herfstvakantie", CalendarRange.Kind.HOLIDAY, "Herfstvakantie", dt.date(2025, 10, 18), dt.date(2025, 10, 26)
)
STUDY_DAY = Range("studiedag-1", CalendarRange.Kind.FREE_DAY, "Studiedag", dt.date(2025, 10, 8), dt.date(2025, 10, 8))
TEST_WEEK = Range(
    "toetsweek-1", CalendarRange.Kind.TEST_WEEK, "Toetsweek 1", dt.date(2025, 11, 3), dt.date(2025, 11, 7)
)


class TestSchoolDays:
    def test_weekdays_in_the_year_are_school_days(self) -> None:
        assert calendar().is_school_day(dt.date(2025, 10, 6))  # a Monday

    def test_weekends_are_not(self) -> None:
        cal = calendar()
        assert not cal.is_school_day(dt.date(2025, 10, 4))
        assert not cal.is_school_day(dt.date(2025, 10, 5))

    def test_holidays_and_free_days_are_not_test_weeks_are(self) -> None:
        cal = calendar(AUTUMN, STUDY_DAY, TEST_WEEK)
        assert not cal.is_school_day(dt.date(2025, 10, 20))
        assert not cal.is_school_day(dt.date(2025, 10, 8))
        assert cal.is_school_day(dt.date(2025, 11, 3))

    def test_days_outside_the_school_year_are_not(self) -> None:
        cal = calendar()
        assert not cal.is_school_day(dt.date(2025, 8, 22))  # the Friday before the first day
        assert cal.is_school_day(dt.date(2025, 8, 25))
        assert cal.is_school_day(dt.date(2026, 7, 17))
        assert not cal.is_school_day(dt.date(2026, 7, 20))


class TestAddSchoolDays:
    def test_zero_days_is_the_day_itself(self) -> None:
        assert calendar().add_school_days(dt.date(2025, 10, 4), 0) == dt.date(2025, 10, 4)

    def test_it_skips_the_weekend(self) -> None:
        assert calendar().add_school_days(dt.date(2025, 10, 3), 1) == dt.date(2025, 10, 6)

    def test_it_skips_a_holiday(self) -> None:
        # Friday 17 October + 1 school day: the autumn break (18–26 Oct) lies between.
        assert calendar(AUTUMN).add_school_days(dt.date(2025, 10, 17), 1) == dt.date(2025, 10, 27)
        assert calendar(AUTUMN).add_school_days(dt.date(2025, 10, 16), 3) == dt.date(2025, 10, 28)

    def test_it_skips_a_free_day(self) -> None:
        assert calendar(STUDY_DAY).add_school_days(dt.date(2025, 10, 7), 1) == dt.date(2025, 10, 9)

    def test_negative_is_refused(self) -> None:
        with pytest.raises(ValueError):
            calendar().add_school_days(dt.date(2025, 10, 7), -1)


class TestInclusiveRanges:
    def test_a_range_includes_its_last_day(self) -> None:
        cal = calendar(AUTUMN)
        assert [r.code for r in cal.ranges_on(dt.date(2025, 10, 26))] == ["herfstvakantie"]
        assert cal.ranges_on(dt.date(2025, 10, 27)) == []
        assert [r.code for r in cal.ranges_on(dt.date(2025, 10, 18))] == ["herfstvakantie"]

    def test_the_end_of_the_last_day_is_midnight_after_it(self) -> None:
        cal = calendar(AUTUMN)
        end = cal.end_of_day(AUTUMN.end)
        assert end == dt.datetime(2025, 10, 27, 0, 0, tzinfo=AMS)
        just_before = end - dt.timedelta(microseconds=1)
        assert cal.local_date(just_before) == AUTUMN.end


def hours_between(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    # Python subtracts two datetimes with the *same* tzinfo as wall-clock times; real elapsed time needs UTC.
    return b.astimezone(dt.UTC) - a.astimezone(dt.UTC)


class TestLocalTime:
    def test_local_date_follows_amsterdam_not_utc(self) -> None:
        cal = calendar()
        # 23:30 UTC on 31 March 2026 is already 1 April in Amsterdam (summer time, UTC+2).
        assert cal.local_date(dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 4, 1)
        # 23:30 UTC on 1 December is 00:30 on 2 December (winter time, UTC+1).
        assert cal.local_date(dt.datetime(2025, 12, 1, 23, 30, tzinfo=dt.UTC)) == dt.date(2025, 12, 2)

    def test_the_day_of_the_spring_change_has_23_hours(self) -> None:
        cal = calendar()
        day = dt.date(2026, 3, 29)  # clocks go from 02:00 to 03:00
        assert hours_between(cal.start_of_day(day), cal.end_of_day(day)) == dt.timedelta(hours=23)
        assert cal.start_of_day(day).utcoffset() == dt.timedelta(hours=1)
        assert cal.end_of_day(day).utcoffset() == dt.timedelta(hours=2)

    def test_the_day_of_the_autumn_change_has_25_hours(self) -> None:
        cal = calendar()
        day = dt.date(2025, 10, 26)
        assert hours_between(cal.start_of_day(day), cal.end_of_day(day)) == dt.timedelta(hours=25)

    def test_five_oclock_publication_moment_is_wall_clock_time_on_both_sides_of_the_change(self) -> None:
        cal = calendar()
        before = cal.local_datetime(dt.date(2026, 3, 27), dt.time(17, 0))
        after = cal.local_datetime(dt.date(2026, 3, 30), dt.time(17, 0))
        assert before.astimezone(dt.UTC).hour == 16
        assert after.astimezone(dt.UTC).hour == 15


@pytest.mark.django_db
class TestLoad:
    def test_load_reads_the_schools_ranges_in_two_queries(self, django_assert_num_queries) -> None:
        year = f.SchoolYearFactory()
        f.CalendarRangeFactory(
            school_year=year, kind=CalendarRange.Kind.HOLIDAY, start=AUTUMN.start, end=AUTUMN.end, code="herfst"
        )
        other = f.SchoolYearFactory()
        f.CalendarRangeFactory(
            school_year=other, kind=CalendarRange.Kind.HOLIDAY, start=dt.date(2025, 10, 6), end=dt.date(2025, 10, 10)
        )
        with django_assert_num_queries(2):
            cal = SchoolCalendar.load(year.school)
        assert not cal.is_school_day(dt.date(2025, 10, 20))
        assert cal.is_school_day(dt.date(2025, 10, 6))  # the other school's holiday is not ours
