import datetime as dt

import pytest

from inzage.demo.year_plan import default_year, easter, year_plan


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (dt.date(2026, 11, 23), 2026),
        (dt.date(2027, 3, 1), 2026),
        (dt.date(2027, 6, 30), 2026),
        (dt.date(2027, 7, 1), 2027),  # July and August: the year that starts that August
        (dt.date(2027, 8, 31), 2027),
    ],
)
def test_default_year_is_the_one_containing_today(today: dt.date, year: int) -> None:
    assert default_year(today) == year


def test_easter() -> None:
    assert easter(2026) == dt.date(2026, 4, 5)
    assert easter(2027) == dt.date(2027, 3, 28)
    assert easter(2025) == dt.date(2025, 4, 20)


def test_2025_starts_and_ends_as_the_domain_brief_says() -> None:
    plan = year_plan(2025)
    assert (plan.start, plan.end, plan.name) == (dt.date(2025, 8, 25), dt.date(2026, 7, 17), "2025-2026")


@pytest.mark.parametrize("year", range(2024, 2032))
def test_every_year_is_well_formed(year: int) -> None:
    plan = year_plan(year)
    assert plan.start.weekday() == 0 and plan.end.weekday() == 4
    assert [p.number for p in plan.periods] == [1, 2, 3, 4]
    assert plan.periods[0].start == plan.start and plan.periods[-1].end == plan.end
    for before, after in zip(plan.periods, plan.periods[1:], strict=False):
        assert after.start == before.end + dt.timedelta(days=3)
    for period in plan.periods:
        week = next(r for r in plan.ranges if r.code == f"toetsweek-{period.number}")
        assert period.start <= week.start <= week.end <= period.end
        assert week.start.weekday() == 0 and week.end.weekday() == 4
    holidays = [r for r in plan.ranges if r.kind == "holiday"]
    assert len(holidays) == 5
    for holiday in holidays:
        assert holiday.start.weekday() == 5 and holiday.end.weekday() == 6
    assert len({r.code for r in plan.ranges}) == len(plan.ranges)
