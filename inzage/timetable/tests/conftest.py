import datetime as dt

import pytest

from inzage.testing.personas import build_personas
from inzage.testing.roles import ALL_PERSONAS, roles, user_of
from inzage.testing.timetable import personas_timetable

__all__ = ["ALL_PERSONAS", "roles", "user_of"]

MONDAY = dt.date(2025, 9, 8)  # an A-week
NOW = "2025-09-09T10:00:00+02:00"  # Tuesday of that week, during lessons


@pytest.fixture
def tt(db):
    """The personas with a timetable for their two groups, the school year materialised."""
    p = build_personas()
    personas_timetable(p)
    return p


@pytest.fixture
def personas(tt):
    """The personas fixture of `inzage.testing.roles` is this school, with its timetable."""
    return tt


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setenv("INZAGE_NOW", NOW)
    return dt.datetime.fromisoformat(NOW)
