"""Release arithmetic on the school calendar: publication moments and student-first delays.

Pure functions of the policy and the calendar; every function here is monotone in its instant argument, which is
what lets the queryset filter compare a release instant with one precomputed cutoff (see `Cutoff`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inzage.schools.calendar import SchoolCalendar
from inzage.visibility.policy.document import Publication

_SEARCH_DAYS = 400  # a year and a summer: beyond this a moment is "never" (fail closed)


@dataclass(frozen=True, slots=True)
class Cutoff:
    """Release instants up to this bound (inclusive or not) are visible; None as a cutoff means nothing is."""

    at: dt.datetime
    inclusive: bool

    def admits(self, instant: dt.datetime) -> bool:
        return instant <= self.at if self.inclusive else instant < self.at


def _qualifies(calendar: SchoolCalendar, publication: Publication, day: dt.date) -> bool:
    if publication.school_days_only:
        return calendar.is_school_day(day)
    return day.weekday() < 5


def next_moment(calendar: SchoolCalendar, publication: Publication, instant: dt.datetime) -> dt.datetime | None:
    """The first publication moment at or after the instant (None: none within a year)."""
    day = calendar.local_date(instant)
    for _ in range(_SEARCH_DAYS):
        if _qualifies(calendar, publication, day):
            for t in publication.times:
                moment = calendar.local_datetime(day, t)
                if moment >= instant:
                    return moment
        day += dt.timedelta(days=1)
    return None


def last_moment(
    calendar: SchoolCalendar, publication: Publication, instant: dt.datetime, *, strictly_before: bool = False
) -> dt.datetime | None:
    """The last publication moment at (or strictly before) the instant (None: none within a year)."""
    day = calendar.local_date(instant)
    for _ in range(_SEARCH_DAYS):
        if _qualifies(calendar, publication, day):
            for t in reversed(publication.times):
                moment = calendar.local_datetime(day, t)
                if moment < instant or (moment == instant and not strictly_before):
                    return moment
        day -= dt.timedelta(days=1)
    return None


def student_moment(
    calendar: SchoolCalendar, publication: Publication | None, released_at: dt.datetime
) -> dt.datetime | None:
    """When the student can see an item released at `released_at` (shifted to the next publication moment)."""
    if publication is None:
        return released_at
    return next_moment(calendar, publication, released_at)


def student_cutoff(calendar: SchoolCalendar, publication: Publication | None, at: dt.datetime) -> Cutoff | None:
    """Items released up to this cutoff are visible to the student at `at`."""
    if publication is None:
        return Cutoff(at, inclusive=True)
    moment = last_moment(calendar, publication, at)
    return Cutoff(moment, inclusive=True) if moment else None


def _add_school_days(calendar: SchoolCalendar, day: dt.date, n: int) -> dt.date | None:
    """The n-th school day after `day`, or None when there is none within the search horizon."""
    key = ("add_school_days", day, n)
    if key not in calendar.memo:  # many items share a release day, and a holiday makes the walk long
        calendar.memo[key] = _walk_school_days(calendar, day, n)
    return calendar.memo[key]


def _walk_school_days(calendar: SchoolCalendar, day: dt.date, n: int) -> dt.date | None:
    current = day
    for _ in range(_SEARCH_DAYS):
        if n == 0:
            return current
        current += dt.timedelta(days=1)
        if calendar.is_school_day(current):
            n -= 1
    return current if n == 0 else None


def _day_moment(calendar: SchoolCalendar, publication: Publication | None, day: dt.date) -> dt.datetime | None:
    """When guardians see student-first items on a (school) day: its start, or its first publication moment."""
    if publication is None:
        return calendar.start_of_day(day)
    return next_moment(calendar, publication, calendar.start_of_day(day))


def guardian_moment(
    calendar: SchoolCalendar, publication: Publication | None, days: int, student_at: dt.datetime
) -> dt.datetime | None:
    """Student-first: the start of the `days`-th school day after the student could see it (then the publication
    moment of that day, if the kind has publication moments). None: no such school day on the calendar."""
    day = _add_school_days(calendar, calendar.local_date(student_at), days)
    return None if day is None else _day_moment(calendar, publication, day)


def guardian_cutoff(
    calendar: SchoolCalendar, publication: Publication | None, days: int, at: dt.datetime
) -> Cutoff | None:
    """Items released up to this cutoff are visible to guardians at `at` under student-first (days > 0).

    guardian_moment depends only on the local date d of the student's moment and grows with it: it is <= at exactly
    when at least `days` school days whose moment has passed lie after d. Counting those school days back from
    today gives the day s_N; the student's moment must then fall before the start of s_N.
    """
    day = calendar.local_date(at)
    found = 0
    bound: dt.datetime | None = None
    for _ in range(_SEARCH_DAYS):
        if calendar.is_school_day(day):
            moment = _day_moment(calendar, publication, day)
            if moment is not None and moment <= at:
                found += 1
                if found == days:
                    bound = calendar.start_of_day(day)
                    break
        day -= dt.timedelta(days=1)
    if bound is None:
        return None
    if publication is None:
        return Cutoff(bound, inclusive=False)
    # The student's moment is the next publication moment after release; it is before `bound` exactly when a
    # publication moment lies in [release, bound).
    moment = last_moment(calendar, publication, bound, strictly_before=True)
    return Cutoff(moment, inclusive=True) if moment else None
