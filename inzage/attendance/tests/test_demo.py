"""The attendance demo extension: with the timetable's past lessons it registers them (mostly present), puts one of
the demo mentor's students over the DUO threshold (a new signal on the worklist) and one near it, and adds an open
sick report and a leave request; without lessons it creates none and registers nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse

from inzage.accounts.models import User
from inzage.attendance import demo
from inzage.attendance.models import (
    DuoReport,
    LeaveRequest,
    LessonRegistration,
    ReasonCode,
    Registration,
    SickReport,
)
from inzage.demo.seed import demo_school_create
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import School, TeachingGroup
from inzage.timetable.models import Lesson

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 11, 20)


def _lessons(school: School, weeks: int = 5) -> int:
    """A lesson a day for every teaching group (hour by group), the last `weeks` weeks: a stand-in for the timetable's
    demo (not written here)."""
    calendar = SchoolCalendar.load(school)
    year = school.school_years.get(start__lte=TODAY, end__gte=TODAY)
    groups = list(TeachingGroup.objects.filter(school_year=year).prefetch_related("teachers"))
    lessons = []
    day = TODAY - dt.timedelta(weeks=weeks)
    while day <= TODAY:
        if calendar.is_school_day(day):
            for i, group in enumerate(groups):
                teacher = group.teachers.all()[0]
                start = calendar.start_of_day(day) + dt.timedelta(hours=8, minutes=30 + 50 * (i % 7))
                lessons.append(
                    Lesson(
                        school=school, school_year=year, group=group, kind=Lesson.Kind.EXTRA, date=day,
                        slot_number=i % 7 + 1, starts_at=start, ends_at=start + dt.timedelta(minutes=50),
                        planned_teacher=teacher, teacher=teacher, recorded_at=start - dt.timedelta(days=60),
                    )
                )  # fmt: skip
        day += dt.timedelta(days=1)
    Lesson.objects.bulk_create(lessons)
    return len(lessons)


@pytest.fixture
def school(settings) -> School:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_school_create(students=120, seed=7, year=2025, today=TODAY, extensions=[])
    return School.objects.get()


def test_without_lessons_it_creates_none(school) -> None:
    demo.seed_demo_data(school=school, rng=random.Random(1), today=TODAY)
    assert ReasonCode.objects.filter(school=school).exists()  # the defaults are there
    assert not Lesson.objects.exists() and not Registration.objects.exists() and not DuoReport.objects.exists()


def test_with_lessons_the_officer_has_a_worklist(client, school, monkeypatch) -> None:
    monkeypatch.setenv("INZAGE_NOW", "2025-11-20T10:00:00+01:00")
    n = _lessons(school)
    demo.seed_demo_data(school=school, rng=random.Random(1), today=TODAY)
    past = Lesson.objects.filter(ends_at__lte=SchoolCalendar.load(school).start_of_day(TODAY)).count()
    assert LessonRegistration.objects.count() == past - 2 < n  # the demo teacher's last two lessons are not
    regs = Registration.objects.all()
    seats = sum(
        g.students.count() * g.lessons.filter(registered__isnull=False).count() for g in TeachingGroup.objects.all()
    )
    assert 0.02 < regs.count() / seats < 0.12  # mostly present
    assert regs.filter(status="late").exists() and regs.filter(status="removed").exists()
    assert regs.filter(status="absent", reason__isnull=True).exists()  # a few unexplained
    report = DuoReport.objects.get()
    assert report.state == "new" and report.minutes >= 960
    assert SickReport.objects.filter(ends_at__isnull=True).count() == 1
    assert LeaveRequest.objects.filter(state="pending").count() == 1

    client.force_login(User.objects.get(username="verzuim"))
    page = client.get(reverse("attendance:officer")).content.decode()
    assert report.student.full_name in page
    client.force_login(User.objects.get(username="mentor"))
    html = client.get(reverse("attendance:mentor")).content.decode()
    assert "Nadert de DUO-grens" in html
