"""Fixtures: the role personas (inzage.testing.roles), a timetable for the personas' groups, a fixed school clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from inzage.testing.roles import ALL_PERSONAS, roles, user_of
from inzage.testing.timetable import personas_timetable
from inzage.timetable.models import Lesson

__all__ = ["ALL_PERSONAS", "roles", "user_of"]

TZ = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2025, 10, 6, 10, 0, tzinfo=TZ)  # a Monday in week 41; hour 1 (08:30–09:20) is over


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setenv("INZAGE_NOW", NOW.isoformat())
    monkeypatch.delenv("INZAGE_NOW_AT", raising=False)
    import inzage.clock

    monkeypatch.setattr(inzage.clock, "now", lambda: NOW)
    return NOW


@pytest.fixture
def timetable(personas):
    personas_timetable(personas)
    return personas


@pytest.fixture
def lesson(timetable) -> Lesson:
    """The personas' group's lesson of Monday 6 October 2025, hour 1."""
    return Lesson.objects.get(group=timetable.group, date=NOW.date(), slot_number=1)
