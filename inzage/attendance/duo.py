"""The DUO absence detector: pure functions over a student's absence history (no database, no clock).

The law (Leerplichtwet, Besluit Verzuimmelding) asks the school to report within 5 working days when a student of
compulsory school age misses **16 lesson hours without authorisation within 4 consecutive school weeks**. Weeks
without a single school day (holiday weeks) are skipped, not counted: absence in the week before and the week after
the autumn break lies in two consecutive *school* weeks. After a threshold a new period starts: only absence after
the crossing moment counts towards the next signal. Lateness is not defined by law; whether it counts and how many
minutes late count as one lesson hour are school settings (`DuoSettings`).

Two more signals: **long-term absence** (unauthorised absence on every school day of more than 4 consecutive school
weeks) and **absence straight before or after a holiday** without leave (suspected *luxe verzuim*).

Minutes are exact (`Fraction`): 15 h 59 is below the threshold, 16 h 00 reaches it.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

THRESHOLD_MINUTES = 16 * 60
WINDOW_SCHOOL_WEEKS = 4
LONG_TERM_SCHOOL_WEEKS = 4


class Calendar(Protocol):
    """What the detector needs of `inzage.schools.calendar.SchoolCalendar`."""

    def is_school_day(self, day: dt.date) -> bool: ...

    def local_date(self, instant: dt.datetime) -> dt.date: ...


@dataclass(frozen=True, slots=True)
class Absence:
    """One registration that may count: the lesson's start, its minutes missed (for late: minutes late)."""

    at: dt.datetime
    minutes: int
    authorised: bool
    late: bool = False


@dataclass(frozen=True, slots=True)
class DuoSettings:
    """School settings: does lateness count, and how many minutes late count as one lesson hour (60 minutes)."""

    late_counts: bool = False
    late_minutes_per_hour: int = 60


@dataclass(frozen=True, slots=True)
class Signal:
    """A reason to report: kind `threshold`, `long_term` or `holiday`, the span, and the counted minutes."""

    kind: str
    start: dt.date
    end: dt.date
    minutes: Fraction
    crossed_at: dt.datetime | None = None

    @property
    def hours(self) -> Fraction:
        return self.minutes / 60


def counted_minutes(absence: Absence, settings: DuoSettings) -> Fraction:
    """The lesson-hour minutes an absence adds to the DUO count (0 when authorised, or late while lateness is off)."""
    if absence.authorised or absence.minutes <= 0:
        return Fraction(0)
    if absence.late:
        if not settings.late_counts or settings.late_minutes_per_hour <= 0:
            return Fraction(0)
        return Fraction(absence.minutes * 60, settings.late_minutes_per_hour)
    return Fraction(absence.minutes)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def is_school_week(calendar: Calendar, monday: dt.date) -> bool:
    """A week with at least one school day; a holiday week has none and does not count."""
    return any(calendar.is_school_day(monday + dt.timedelta(days=i)) for i in range(5))


def school_week_index(calendar: Calendar, days: Iterable[dt.date]) -> dict[dt.date, int]:
    """A running number per school week (by its Monday) from the earliest to the latest day given; holiday weeks
    get no number, so the weeks around a holiday are consecutive."""
    mondays = sorted({week_start(d) for d in days})
    if not mondays:
        return {}
    index: dict[dt.date, int] = {}
    n = 0
    monday = mondays[0]
    while monday <= mondays[-1]:
        if is_school_week(calendar, monday):
            index[monday] = n
            n += 1
        monday += dt.timedelta(days=7)
    return index


def threshold_signals(
    *,
    history: Sequence[Absence],
    calendar: Calendar,
    settings: DuoSettings,
    counted_after: dt.datetime | None = None,
    weeks: Mapping[dt.date, int] | None = None,
) -> list[Signal]:
    """Every crossing of 16 unauthorised lesson hours within 4 consecutive school weeks, restarting after each one.

    `counted_after`: the end of the last report already made (absence up to then is not counted again). `weeks`: a
    `school_week_index` covering every absence (a scan numbers the school weeks once for all students); without it
    the history's own span is numbered.
    """
    events = sorted((a for a in history if counted_after is None or a.at > counted_after), key=lambda a: a.at)
    weighted = [(a, counted_minutes(a, settings)) for a in events]
    weighted = [(a, m) for a, m in weighted if m > 0]
    if weeks is None:
        weeks = school_week_index(calendar, (calendar.local_date(a.at) for a, _ in weighted))
    signals: list[Signal] = []
    window: deque[tuple[Absence, Fraction, int]] = deque()
    total = Fraction(0)  # kept up to date as the window moves (re-summing it per absence showed in the scan)
    for absence, minutes in weighted:
        day = calendar.local_date(absence.at)
        week = weeks.get(week_start(day))
        if week is None:  # registered on a holiday week (should not happen): not a school week, not counted
            continue
        window.append((absence, minutes, week))
        total += minutes
        while window[0][2] <= week - WINDOW_SCHOOL_WEEKS:
            total -= window.popleft()[1]
        if total >= THRESHOLD_MINUTES:
            start = calendar.local_date(window[0][0].at)
            signals.append(Signal("threshold", start, day, total, crossed_at=absence.at))
            window.clear()  # a new period starts after the threshold
            total = Fraction(0)
    return signals


def long_term_signals(*, absent_days: Iterable[dt.date], calendar: Calendar) -> list[Signal]:
    """Runs of unauthorised absence on every school day for more than 4 consecutive school weeks."""
    days = sorted(set(absent_days))
    if not days:
        return []
    signals: list[Signal] = []
    run: list[dt.date] = []

    def close() -> None:
        if not run:
            return
        weeks = school_week_index(calendar, run)
        if len(weeks) > LONG_TERM_SCHOOL_WEEKS:
            signals.append(Signal("long_term", run[0], run[-1], Fraction(0)))

    day = days[0]
    absent = set(days)
    while day <= days[-1]:
        if calendar.is_school_day(day):
            if day in absent:
                run.append(day)
            else:
                close()
                run = []
        day += dt.timedelta(days=1)
    close()
    return signals


def holiday_signals(
    *, absent_days: Iterable[dt.date], calendar: Calendar, holidays: Iterable[tuple[dt.date, dt.date]]
) -> list[Signal]:
    """Unauthorised absence on the last school day before or the first school day after a holiday."""
    absent = set(absent_days)
    signals: list[Signal] = []
    for start, end in holidays:
        before = start - dt.timedelta(days=1)
        for _ in range(14):
            if calendar.is_school_day(before):
                break
            before -= dt.timedelta(days=1)
        after = end + dt.timedelta(days=1)
        for _ in range(14):
            if calendar.is_school_day(after):
                break
            after += dt.timedelta(days=1)
        hit = [d for d in (before, after) if d in absent]
        if hit:
            signals.append(Signal("holiday", hit[0], hit[-1], Fraction(0)))
    return signals


def of_compulsory_school_age(*, age: int, has_starting_qualification: bool) -> bool:
    """Leerplicht until 16 (full-time compulsory education), kwalificatieplicht until 18 without a starting
    qualification (havo, vwo or mbo-2 diploma); the DUO report applies to both."""
    if age < 5:
        return False
    if age < 16:
        return True
    return age < 18 and not has_starting_qualification


def window_minutes(
    *,
    history: Sequence[Absence],
    calendar: Calendar,
    settings: DuoSettings,
    today: dt.date,
    counted_after: dt.datetime | None = None,
) -> Fraction:
    """The counted minutes in the current 4-school-week window ending with today's week (for "approaching 16")."""
    days = [calendar.local_date(a.at) for a in history] + [today]
    weeks = school_week_index(calendar, days)
    current = weeks.get(week_start(today))
    if current is None:  # today is in a holiday week: the window ends with the last school week before it
        earlier = [n for monday, n in weeks.items() if monday < week_start(today)]
        if not earlier:
            return Fraction(0)
        current = max(earlier)
    total = Fraction(0)
    for absence in history:
        if counted_after is not None and absence.at <= counted_after:
            continue
        week = weeks.get(week_start(calendar.local_date(absence.at)))
        if week is not None and current - WINDOW_SCHOOL_WEEKS < week <= current:
            total += counted_minutes(absence, settings)
    return total
