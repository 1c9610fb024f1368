"""Fixtures for the reports tests: the role personas, results relative to now, the persona accounts, and a
published report of the personas' class H3A."""

from __future__ import annotations

import pytest
from django.utils import timezone

from inzage.grades.period_reports import period_report_publish
from inzage.testing.roles import ALL_PERSONAS, grade, roles, user_of

__all__ = ["ALL_PERSONAS", "grade", "published", "roles", "user_of"]


@pytest.fixture
def published(personas, grade):
    """H3A's report of period 1, version 1: Lotte Jansen has wiskunde 7,0 and 8,0 → 7,5, and a remark."""
    grade("7.0")
    grade("8.0")
    report = period_report_publish(
        school_class=personas.klas,
        period=personas.periods[0],
        by=personas.user("mentor"),
        at=timezone.now(),
        remarks={personas.student.pk: "Lotte werkt hard en helpt anderen."},
    )
    return report.students.get(student=personas.student)
