import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inzage.people.models import age_on


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(2010, 3, 14), dt.date(2026, 3, 13), 15),
        (dt.date(2010, 3, 14), dt.date(2026, 3, 14), 16),  # turns 16 on the birthday itself
        (dt.date(2008, 3, 14), dt.date(2026, 3, 13), 17),
        (dt.date(2008, 3, 14), dt.date(2026, 3, 14), 18),  # turns 18 on the birthday itself
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),  # leap-day child: not yet 18 on 28 February
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),  # ... but on 1 March
        (dt.date(2008, 2, 29), dt.date(2028, 2, 29), 20),
    ],
)
def test_age_on_date(born: dt.date, on: dt.date, age: int) -> None:
    assert age_on(born, on) == age


@given(born=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2020, 12, 31)), years=st.integers(0, 30))
def test_age_increases_by_one_exactly_on_the_birthday(born: dt.date, years: int) -> None:
    if born.month == 2 and born.day == 29:
        return  # covered by the table above
    birthday = born.replace(year=born.year + years)
    assert age_on(born, birthday) == years
    assert age_on(born, birthday - dt.timedelta(days=1)) == years - 1
