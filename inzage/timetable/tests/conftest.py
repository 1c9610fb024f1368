import datetime as dt

import pytest

from inzage.testing.personas import build_personas
from inzage.testing.timetable import personas_timetable


@pytest.fixture
def tt(db):
    """The personas with a timetable for their two groups, the school year materialised."""
    p = build_personas()
    personas_timetable(p)
    return p


MONDAY = dt.date(2025, 9, 8)  # an A-week
