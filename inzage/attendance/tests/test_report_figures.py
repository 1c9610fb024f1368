"""The absence figures a period report freezes (inzage.attendance.reports, read by inzage.reports.absence)."""

from __future__ import annotations

import datetime as dt

import pytest

from inzage.attendance import actions
from inzage.attendance.models import Status
from inzage.attendance.reports import period_absence
from inzage.attendance.tests.conftest import NOW
from inzage.reports import absence
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import Period
from inzage.timetable.models import Lesson

pytestmark = pytest.mark.django_db


def _period(personas) -> Period:
    return Period.objects.get(school_year=personas.year, start__lte=NOW.date(), end__gte=NOW.date())


def _register(lesson: Lesson, user, entries: dict[int, actions.Entry]) -> None:
    actions.lesson_register(
        lesson=lesson, entries=entries, user_id=user.pk, at=NOW, calendar=SchoolCalendar.load(lesson.school_id)
    )


def test_a_period_without_registered_lessons_has_no_figures(personas, timetable, now) -> None:
    assert period_absence(student_ids=[personas.student.pk], period=_period(personas)) == {}


def test_figures_count_each_registration_by_its_meaning(personas, timetable, now) -> None:
    p = personas
    lessons = list(Lesson.objects.filter(group=p.group, date=NOW.date()).order_by("slot_number"))
    assert len(lessons) >= 1
    teacher = p.user("teacher")
    other = p.other_student
    p.group.students.add(other)
    _register(
        lessons[0], teacher, {p.student.pk: actions.Entry(Status.ABSENT), other.pk: actions.Entry(Status.LATE, 5)}
    )
    if len(lessons) > 1:
        _register(lessons[1], teacher, {other.pk: actions.Entry(Status.REMOVED, note="telefoon")})
    actions.sick_report_create(
        student=p.student,
        user_id=p.user("parent").pk,
        by="guardian",
        starts_at=NOW - dt.timedelta(hours=3),
        at=NOW - dt.timedelta(hours=3),
        calendar=SchoolCalendar.load(p.school.pk),
    )
    figures = period_absence(student_ids=[p.student.pk, other.pk], period=_period(p), at=NOW)
    assert figures[p.student.pk] == {
        "absent_lessons": 1,
        "authorised_lessons": 1,  # covered by the parent's sick report
        "unauthorised_lessons": 0,
        "late": 0,
        "removed": 0,
    }
    assert figures[other.pk]["late"] == 1
    assert figures[other.pk]["absent_lessons"] == 0
    assert figures[other.pk]["removed"] == (1 if len(lessons) > 1 else 0)
    # What the report prints of them, through the extension point the reports package reads.
    lines = absence.absence_lines(absence.period_absence(student_ids=[p.student.pk], period=_period(p))[p.student.pk])
    assert ("Lessen afwezig", "1") in lines and ("waarvan geoorloofd", "1") in lines
