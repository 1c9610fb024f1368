"""Fixtures for the tests of the role pages (staff, care): the role personas, results relative to now, the persona
accounts. Each package's tests/conftest.py imports them, so pytest finds them there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inzage.testing.personas import add_role_personas
from inzage.visibility.tests.conftest import make_result

ALL_PERSONAS = (
    "student",
    "parent",
    "other_parent",
    "parent_without_custody",
    "mentor",
    "teacher",
    "other_teacher",
    "admin",
    "coordinator",
    "other_coordinator",
    "care_coordinator",
    "attendance_officer",
)


@pytest.fixture
def roles(personas):
    return add_role_personas(personas)


@pytest.fixture
def user_of(personas, roles):
    def get(name: str):
        person = getattr(roles, name, None) or getattr(personas, name)
        return person.user

    return get


@pytest.fixture
def grade(personas):
    """A released result for a student, entered `days_ago` days before now."""

    def build(value: str, *, student=None, group=None, days_ago: int = 30, **kwargs):
        at = timezone.now() - dt.timedelta(days=days_ago)
        return make_result(
            student=student or personas.student,
            group=group or personas.group,
            period=kwargs.pop("period", personas.periods[0]),
            value=value,
            release_at=kwargs.pop("release_at", at),
            entered_at=at,
            **kwargs,
        )

    return build
