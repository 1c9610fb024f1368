"""The school calendar as a read model: school days, school-day arithmetic and local time.

Load one `SchoolCalendar` per school (one query for the ranges) and ask it questions in memory: the policy engine
asks these questions for hundreds of items per page.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from inzage.schools.models import CalendarRange, School, SchoolYear

NON_SCHOOL_KINDS = (CalendarRange.Kind.HOLIDAY, CalendarRange.Kind.FREE_DAY)


@dataclass(frozen=True)
class Range:
    """A named, inclusive date range on the calendar."""

    code: str
    kind: str
    name: str
    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass
class SchoolCalendar:
    """A school's calendar in memory: its years and named ranges, in the school's time zone."""

    timezone: ZoneInfo
    years: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    ranges: list[Range] = field(default_factory=list)
    # Answers worked out from the years and ranges above, kept with them (the calendar never changes once loaded):
    # callers such as the visibility engine's release moments ask the same questions for many items.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, school: School | int) -> SchoolCalendar:
        """Two queries: the school's years and all its named ranges."""
        school_id = school if isinstance(school, int) else school.pk
        tz_name = (
            school.timezone
            if isinstance(school, School)
            else School.objects.values_list("timezone", flat=True).get(pk=school_id)
        )
        years = list(SchoolYear.objects.filter(school_id=school_id).order_by("start").values_list("start", "end"))
        ranges = [
            Range(code=r.code, kind=r.kind, name=r.name, start=r.start, end=r.end)
            for r in CalendarRange.objects.filter(school_id=school_id).order_by("start")
        ]
        return cls(timezone=ZoneInfo(tz_name), years=years, ranges=ranges)

    @cached_property
    def _closed_days(self) -> frozenset[dt.date]:
        days: set[dt.date] = set()
        for r in self.ranges:
            if r.kind in NON_SCHOOL_KINDS:
                day = r.start
                while day <= r.end:
                    days.add(day)
                    day += dt.timedelta(days=1)
        return frozenset(days)

    @cached_property
    def _year_starts(self) -> list[dt.date]:
        return [start for start, _ in self.years]

    def local_date(self, instant: dt.datetime) -> dt.date:
        """The date at the school at this instant."""
        return instant.astimezone(self.timezone).date()

    def local_datetime(self, day: dt.date, time: dt.time = dt.time.min) -> dt.datetime:
        """An aware datetime at the school's wall-clock time on a day (summer time handled by zoneinfo)."""
        return dt.datetime.combine(day, time, tzinfo=self.timezone)

    def start_of_day(self, day: dt.date) -> dt.datetime:
        return self.local_datetime(day)

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """The first instant after the day: inclusive ranges end just before this."""
        return self.local_datetime(day + dt.timedelta(days=1))

    def in_school_year(self, day: dt.date) -> bool:
        index = bisect_right(self._year_starts, day) - 1
        return index >= 0 and day <= self.years[index][1]

    def is_school_day(self, day: dt.date) -> bool:
        """A weekday inside a school year that is not a holiday or free day."""
        return day.weekday() < 5 and day not in self._closed_days and self.in_school_year(day)

    def add_school_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th school day after `day` (n >= 0; n == 0 gives `day` itself)."""
        if n < 0:
            raise ValueError("n must not be negative")
        current = day
        remaining = n
        guard = 0
        while remaining > 0:
            current += dt.timedelta(days=1)
            guard += 1
            if guard > 3660:
                raise ValueError("no school days found within ten years; is the calendar configured?")
            if self.is_school_day(current):
                remaining -= 1
        return current

    def ranges_on(self, day: dt.date) -> list[Range]:
        return [r for r in self.ranges if r.contains(day)]

    def range_by_code(self, code: str) -> Range | None:
        return next((r for r in self.ranges if r.code == code), None)
