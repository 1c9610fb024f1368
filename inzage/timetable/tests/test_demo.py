"""The timetable demo extension: a clash-free weekly pattern for every class, the school year's lessons, test-week
sittings, changes this week, and what the demo student and parent see: lessons, a cancelled one with its reason,
homework due tomorrow."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse

from inzage.accounts.models import User
from inzage.demo.seed import LOWER_SUBJECTS, demo_school_create
from inzage.people.models import Student
from inzage.schools.models import SchoolClass, TeachingGroup
from inzage.timetable.demo import LOWER_HOURS
from inzage.timetable.models import Homework, Lesson, LessonChange, PatternEntry, Slot

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 11, 20)  # a Thursday
TOMORROW = dt.date(2025, 11, 21)


@pytest.fixture
def demo(fast_hasher, monkeypatch):
    monkeypatch.setenv("INZAGE_NOW", "2025-11-20T10:00:00+01:00")
    return demo_school_create(students=120, seed=7, year=2025, today=TODAY, extensions=["inzage.timetable.demo"])


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_class_has_a_week_without_clashes(demo) -> None:
    assert Slot.objects.filter(weekday=3).count() == 7 and Slot.objects.filter(weekday=1).count() == 8
    week = (dt.date(2025, 11, 17), dt.date(2025, 11, 21))
    for klas in SchoolClass.objects.all():
        student = klas.memberships.first().student  # type: ignore[union-attr]
        lessons = Lesson.objects.filter(group__students=student, date__range=week, kind="regular")
        assert lessons.count() >= 20, klas.name
    entries = list(PatternEntry.objects.values_list("teacher_id", "room_id", "weekday", "slot_number", "group_id"))
    assert max(Counter((t, d, n) for t, _r, d, n, _g in entries).values()) == 1  # no teacher twice in one hour
    assert max(Counter((r, d, n) for _t, r, d, n, _g in entries).values()) == 1  # nor a room
    members = {g.pk: list(g.students.values_list("pk", flat=True)) for g in TeachingGroup.objects.all()}
    per_student = Counter((s, d, n) for _t, _r, d, n, g in entries for s in members[g])
    assert max(per_student.values()) == 1  # nor a student
    h3a = PatternEntry.objects.filter(group__name__startswith="h3a-")
    expected = sum(sum(LOWER_HOURS[code]) for code in LOWER_SUBJECTS["havo"])
    assert expected - 2 <= h3a.count() <= expected  # an hour without a free slot is left out, rarely
    assert h3a.filter(week="A").exists()


def test_the_school_year_and_its_test_weeks_are_materialised(demo) -> None:
    assert Lesson.objects.filter(date__gte=dt.date(2026, 6, 1), kind="regular").exists()
    sittings = Lesson.objects.filter(kind="test")
    assert sittings.exists() and LessonChange.objects.filter(kind="test").count() == sittings.count()
    first_test_week = demo.plan.ranges[[r.code for r in demo.plan.ranges].index("toetsweek-1")]
    regular = Lesson.objects.filter(kind="regular", date__range=(first_test_week.start, first_test_week.end))
    assert not regular.exists()  # the test week suspends the normal timetable


def test_changes_this_week_have_a_reason_and_who_made_them(demo) -> None:
    week = Lesson.objects.filter(date__range=(dt.date(2025, 11, 17), dt.date(2025, 11, 21)))
    assert week.filter(status="cancelled").exclude(reason="").count() >= 2
    assert any(lesson.substituted for lesson in week.exclude(changed_at=None))
    change = LessonChange.objects.filter(kind="cancel").first()
    assert change is not None and change.made_by is not None and change.made_by.username == "admin"


def test_the_demo_student_and_parent_see_lessons_a_cancellation_and_homework_due_tomorrow(client, demo) -> None:
    student = Student.objects.get(user__username="leerling")
    due = Homework.objects.filter(group__students=student, due_date=TOMORROW, kind="homework")
    assert due.count() >= 1
    this_week = (dt.date(2025, 11, 17), dt.date(2025, 11, 21))
    cancelled = Lesson.objects.filter(group__students=student, status="cancelled", date__range=this_week).first()
    assert cancelled is not None and cancelled.reason
    for username in ("leerling", "ouder"):
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse("timetable:week_now", args=[student.pk])).content.decode()
        assert page.count('class="tt-lesson') >= 20, username
        assert f"Vervalt: {cancelled.reason}" in page and '<del class="tt-subject">' in page
        assert due.first().text.splitlines()[0] in page  # type: ignore[union-attr]
