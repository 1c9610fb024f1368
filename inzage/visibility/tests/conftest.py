"""Helpers for the visibility tests: school-time instants, results with release times, policies from TOML."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Max

from inzage.grades.models import AssessmentKind, Column, Result
from inzage.people.models import Student
from inzage.schools.models import Period, TeachingGroup
from inzage.visibility import actions
from inzage.visibility.models import PolicyVersion
from inzage.visibility.policy.document import state_missing_sections

AMS = ZoneInfo("Europe/Amsterdam")
_codes = itertools.count()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An instant in school time (Europe/Amsterdam)."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=AMS)


def make_result(
    *,
    student: Student,
    group: TeachingGroup,
    period: Period,
    release_at: dt.datetime | None,
    entered_at: dt.datetime | None,
    value: str = "7.5",
    retracted: bool = False,
    column: Column | None = None,
) -> Result:
    """A result in a (new) column of the group; release_at None means the column is held back."""
    if column is None:
        kind, _ = AssessmentKind.objects.get_or_create(school=group.school, code="toets", defaults={"name": "toets"})
        code = f"T{next(_codes)}"
        column = Column.objects.create(
            school=group.school,
            teaching_group=group,
            subject=group.subject,
            period=period,
            kind=kind,
            name=f"Toets {code}",
            code=code,
            date=(release_at or entered_at or local(2025, 9, 1)).date(),
            release_mode=Column.ReleaseMode.HELD if release_at is None else Column.ReleaseMode.AT,
            release_at=release_at,
        )
    return Result.objects.create(
        school=group.school,
        column=column,
        student=student,
        value=value,
        entered_at=entered_at,
        updated_at=entered_at,
        retracted_at=local(2030, 1, 1) if retracted else None,
    )


def set_policy(school, text: str, *, at: dt.datetime | None = None) -> PolicyVersion:
    """Store and activate a policy document for the school, as a version created before the test.

    A test states the sections it is about; the others are written out with their format-1 values
    (`state_missing_sections`), so the stored text states every section as the parser requires. The text is
    checked like any other (`policy_check`), but stored directly: this sets up the policy a test starts from (which
    may equal the defaults), so the activation rules of the page and command (preview, confirmation, "unchanged")
    do not apply here; their own tests are in test_pages.py and test_command.py.
    """
    text = state_missing_sections(text)
    actions.policy_check(school=school, text=text)
    at = at or local(2024, 8, 1)
    number = (PolicyVersion.objects.filter(school=school).aggregate(n=Max("number"))["n"] or 0) + 1
    return PolicyVersion.objects.create(
        school=school, number=number, text=text, created_at=at, activated_at=at, note="test"
    )


@pytest.fixture
def result_factory(personas):
    def build(**kwargs) -> Result:
        kwargs.setdefault("student", personas.student)
        kwargs.setdefault("group", personas.group)
        kwargs.setdefault("period", personas.periods[0])
        return make_result(**kwargs)

    return build
