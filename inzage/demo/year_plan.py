"""The demo school's calendar for a school year: first and last day, four periods, test weeks, holidays, free days.

Pure date arithmetic, no database. Holidays follow the pattern of the Dutch "regio midden" and ISO weeks, so any
year gets a plausible calendar; 2025–2026 comes out exactly as `shared/domain.md` §8 lists it:

| Range | Rule (year Y = the school year starting in August Y) | 2025–2026 |
|---|---|---|
| first day | Monday after the summer holiday of Y | Mon 25 Aug 2025 |
| herfstvakantie | Saturday before ISO week 43 of Y up to its Sunday | 18–26 Oct 2025 |
| kerstvakantie | Saturday before the week of 25 December, two weeks | 20 Dec 2025 – 4 Jan 2026 |
| voorjaarsvakantie | ISO week 8 of Y+1 with the Saturday before | 14–22 Feb 2026 |
| meivakantie | ISO weeks 17–18 of Y+1 with the Saturday before (King's Day falls in it) | 18 Apr – 3 May 2026 |
| zomervakantie | six weeks from a Saturday in July: known dates for 2025/2026, else the Saturday before ISO week 29 | 18 Jul – 30 Aug 2026 |
| last day | the Friday before the summer holiday of Y+1 | Fri 17 Jul 2026 |
| free days | Good Friday, Easter Monday, Ascension Day and the Friday after, Whit Monday, two study days | |
| periods | P1 to Friday of ISO week 45; P2 to Friday of ISO week 5; P3 to the Friday before the May holiday; P4 to the end | |
| test weeks | the last school week of P1–P3; in P4 the week two weeks before the last week | 3–7 Nov 2025, ... |

Free days that fall inside a holiday are left out (they would change nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Summer holidays of the middle region that are known; other years use the ISO-week rule.
KNOWN_SUMMER_STARTS = {2025: dt.date(2025, 7, 12), 2026: dt.date(2026, 7, 18)}
SUMMER_DAYS = 43  # from the Saturday to the Sunday six weeks later, inclusive

HOLIDAY = "holiday"
FREE_DAY = "free_day"
TEST_WEEK = "test_week"


@dataclass(frozen=True)
class PlannedRange:
    kind: str
    code: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class PlannedPeriod:
    number: int
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class YearPlan:
    year: int
    name: str
    start: dt.date
    end: dt.date
    periods: list[PlannedPeriod]
    ranges: list[PlannedRange]


def default_year(today: dt.date) -> int:
    """The school year containing today; in July and August, the year that starts that August."""
    return today.year if today.month >= 7 else today.year - 1


def easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian; the anonymous algorithm, also known as Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _iso(year: int, week: int, weekday: int) -> dt.date:
    return dt.date.fromisocalendar(year, week, weekday)


def _holiday_weeks(year: int, first_week: int, weeks: int) -> tuple[dt.date, dt.date]:
    """From the Saturday before ISO week `first_week` to the Sunday of the last week."""
    monday = _iso(year, first_week, 1)
    return monday - dt.timedelta(days=2), monday + dt.timedelta(days=7 * weeks - 1)


def summer_start(calendar_year: int) -> dt.date:
    if calendar_year in KNOWN_SUMMER_STARTS:
        return KNOWN_SUMMER_STARTS[calendar_year]
    return _iso(calendar_year, 29, 1) - dt.timedelta(days=2)


def _friday_of(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=4 - day.weekday())


def _monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def year_plan(year: int) -> YearPlan:
    """The calendar of the school year starting in August of `year`."""
    start = summer_start(year) + dt.timedelta(days=SUMMER_DAYS + 1)
    next_summer = summer_start(year + 1)
    end = next_summer - dt.timedelta(days=1)
    while end.weekday() >= 5:
        end -= dt.timedelta(days=1)

    christmas_week = dt.date(year, 12, 25).isocalendar()
    holidays = [
        ("herfstvakantie", "Herfstvakantie", _holiday_weeks(year, 43, 1)),
        ("kerstvakantie", "Kerstvakantie", _holiday_weeks(christmas_week.year, christmas_week.week, 2)),
        ("voorjaarsvakantie", "Voorjaarsvakantie", _holiday_weeks(year + 1, 8, 1)),
        ("meivakantie", "Meivakantie", _holiday_weeks(year + 1, 17, 2)),
        ("zomervakantie", "Zomervakantie", (next_summer, next_summer + dt.timedelta(days=SUMMER_DAYS))),
    ]
    ranges = [PlannedRange(HOLIDAY, code, name, s, e) for code, name, (s, e) in holidays]

    def in_holiday(day: dt.date) -> bool:
        return any(r.start <= day <= r.end for r in ranges if r.kind == HOLIDAY)

    paschal = easter(year + 1)
    free_days = [
        ("goede-vrijdag", "Goede Vrijdag", paschal - dt.timedelta(days=2), paschal - dt.timedelta(days=2)),
        ("tweede-paasdag", "Tweede Paasdag", paschal + dt.timedelta(days=1), paschal + dt.timedelta(days=1)),
        ("hemelvaart", "Hemelvaart", paschal + dt.timedelta(days=39), paschal + dt.timedelta(days=40)),
        ("tweede-pinksterdag", "Tweede Pinksterdag", paschal + dt.timedelta(days=50), paschal + dt.timedelta(days=50)),
        # The school's own study days: a Wednesday in October and one in March.
        ("studiedag-1", "Studiedag", _iso(year, 41, 3), _iso(year, 41, 3)),
        ("studiedag-2", "Studiedag", _iso(year + 1, 11, 3), _iso(year + 1, 11, 3)),
    ]
    ranges += [PlannedRange(FREE_DAY, code, name, s, e) for code, name, s, e in free_days if not in_holiday(s)]

    meivakantie = next(r for r in ranges if r.code == "meivakantie")
    period_ends = [
        _iso(year, 45, 5),
        _iso(year + 1, 5, 5),
        meivakantie.start - dt.timedelta(days=1),
        end,
    ]
    periods: list[PlannedPeriod] = []
    period_start = start
    for number, period_end in enumerate(period_ends, start=1):
        periods.append(PlannedPeriod(number, f"Periode {number}", period_start, period_end))
        # The Monday after: periods are contiguous, even when one starts in a holiday (P4 in the May holiday).
        period_start = period_end + dt.timedelta(days=3)

    for period in periods:
        last_week_friday = _friday_of(period.end)
        if period.number == 4:
            last_week_friday -= dt.timedelta(days=14)
        ranges.append(
            PlannedRange(
                TEST_WEEK,
                f"toetsweek-{period.number}",
                f"Toetsweek {period.number}",
                _monday_of(last_week_friday),
                last_week_friday,
            )
        )
    ranges.sort(key=lambda r: (r.start, r.code))
    return YearPlan(year=year, name=f"{year}-{year + 1}", start=start, end=end, periods=periods, ranges=ranges)
