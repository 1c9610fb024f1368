"""Homework, cancelled lessons and period reports notify through the engine exactly like grades: only what the
person may see, at the moment they may see it, through a real SMTP server; never the content."""

from __future__ import annotations

import datetime as dt

import pytest

from inzage.grades.period_reports import period_report_publish
from inzage.notifications.actions import notices_plan_due, notices_send_due, preference_set
from inzage.notifications.models import Frequency, Notice
from inzage.testing.timetable import LessonFactory
from inzage.timetable.actions import homework_add, lesson_cancel, lesson_restore
from inzage.timetable.models import Homework
from inzage.visibility.tests.conftest import local, set_policy

pytestmark = pytest.mark.django_db

MONDAY = (2025, 11, 17)


@pytest.fixture
def people(personas):
    for name in ("student", "parent", "other_parent", "parent_without_custody"):
        user = personas.user(name)
        user.email = f"{name}@example.org"
        user.save(update_fields=["email"])
    return personas


def tick(at: dt.datetime) -> int:
    notices_plan_due(now=at)
    return notices_send_due(now=at)


def body(message) -> str:
    return message.get_payload()[0].get_payload(decode=True).decode()


def test_new_homework_tells_the_student_at_once_and_a_parent_only_who_asked(people, mail_to_sink) -> None:
    preference_set(user=people.user("other_parent"), kind="homework", frequency=Frequency.IMMEDIATE)
    tick(local(*MONDAY, 9))
    homework_add(
        group=people.group,
        kind=Homework.Kind.HOMEWORK,
        text="Lees hoofdstuk 4 en maak opgave 12",
        due_date=dt.date(2025, 11, 20),
        lesson=None,
        by=people.teacher,
        at=local(*MONDAY, 10),
    )
    tick(local(*MONDAY, 10, 1))
    mails = mail_to_sink.to("student@example.org")
    assert len(mails) == 1
    assert "huiswerk voor wiskunde, voor 20-11-2025" in body(mails[0]) and "hoofdstuk" not in body(mails[0])
    assert "/rooster/" in body(mails[0])
    assert mail_to_sink.to("parent@example.org") == []  # parents: homework is off unless they choose it
    assert mail_to_sink.to("other_parent@example.org") == []  # another student's parent, although they asked
    preference_set(user=people.user("parent"), kind="homework", frequency=Frequency.IMMEDIATE)
    homework_add(
        group=people.group,
        kind=Homework.Kind.TEST,
        text="Toets hoofdstuk 5",
        due_date=dt.date(2025, 11, 21),
        lesson=None,
        by=people.teacher,
        at=local(*MONDAY, 11),
    )
    tick(local(*MONDAY, 11, 1))
    assert len(mail_to_sink.to("parent@example.org")) == 1
    assert mail_to_sink.to("parent_without_custody@example.org") == []


def test_homework_closed_for_guardians_by_the_policy_is_not_told(people, mail_to_sink) -> None:
    set_policy(people.school, 'format = 1\n[base]\nguardians = ["grades", "period_report", "timetable"]\n')
    preference_set(user=people.user("parent"), kind="homework", frequency=Frequency.IMMEDIATE)
    tick(local(*MONDAY, 9))
    homework_add(
        group=people.group,
        kind=Homework.Kind.HOMEWORK,
        text="Opgave 3",
        due_date=dt.date(2025, 11, 20),
        lesson=None,
        by=people.teacher,
        at=local(*MONDAY, 10),
    )
    tick(local(*MONDAY, 10, 1))
    tick(local(2025, 11, 19, 10))
    assert mail_to_sink.to("parent@example.org") == []
    assert len(mail_to_sink.to("student@example.org")) == 1


def test_a_cancelled_lesson_is_told_from_the_day_before_not_a_week_ahead(people, mail_to_sink) -> None:
    lesson = LessonFactory(group=people.group, date=dt.date(2025, 11, 26), planned_teacher=people.teacher)
    tick(local(*MONDAY, 9))
    lesson_cancel(lesson=lesson, reason="studiedag", by=people.user("admin"), at=local(*MONDAY, 10))
    tick(local(*MONDAY, 10, 1))
    tick(local(2025, 11, 25, 6, 59))
    assert mail_to_sink.messages == []
    tick(local(2025, 11, 25, 7))  # Tuesday, the day before: at 07:00, the end of the quiet hours
    assert len(mail_to_sink.to("student@example.org")) == 1
    assert len(mail_to_sink.to("parent@example.org")) == 1
    assert "Een les wiskunde op 26-11-2025 vervalt" in body(mail_to_sink.to("parent@example.org")[0])
    assert "studiedag" not in body(mail_to_sink.to("parent@example.org")[0])
    assert mail_to_sink.to("other_parent@example.org") == []
    tick(local(2025, 11, 26, 8))
    assert len(mail_to_sink.messages) == 2  # once


def test_a_lesson_that_goes_ahead_after_all_is_not_told(people, mail_to_sink) -> None:
    lesson = LessonFactory(group=people.group, date=dt.date(2025, 11, 19), planned_teacher=people.teacher)
    tick(local(*MONDAY, 9))
    lesson_cancel(lesson=lesson, reason="ziek", by=people.user("admin"), at=local(*MONDAY, 10))
    tick(local(*MONDAY, 10, 1))
    lesson_restore(lesson=lesson, reason="toch beter", by=people.user("admin"), at=local(*MONDAY, 12))
    tick(local(2025, 11, 18, 7))
    assert mail_to_sink.messages == []
    assert set(Notice.objects.values_list("status", flat=True)) == {Notice.Status.DROPPED}


def test_a_cancellation_today_is_told_at_once_and_none_after_its_day(people, mail_to_sink) -> None:
    today = LessonFactory(group=people.group, date=dt.date(*MONDAY), planned_teacher=people.teacher)
    tick(local(*MONDAY, 9))
    lesson_cancel(lesson=today, reason="", by=people.user("admin"), at=local(*MONDAY, 9, 30))
    tick(local(*MONDAY, 9, 31))
    assert len(mail_to_sink.to("student@example.org")) == 1
    assert len(mail_to_sink.to("parent@example.org")) == 1
    # A parent on a weekly digest: Friday's digest comes after Tuesday's lesson, so nothing is planned for it.
    preference_set(user=people.user("parent"), kind="cancellation", frequency=Frequency.WEEKLY)
    tuesday = LessonFactory(group=people.group, date=dt.date(2025, 11, 18), planned_teacher=people.teacher)
    lesson_cancel(lesson=tuesday, reason="", by=people.user("admin"), at=local(*MONDAY, 10))
    tick(local(*MONDAY, 10, 1))
    tick(local(2025, 11, 21, 17))
    assert len(mail_to_sink.to("parent@example.org")) == 1
    assert len(mail_to_sink.to("student@example.org")) == 2
    assert not Notice.objects.filter(user=people.user("parent"), item_id=tuesday.pk).exists()


def test_a_published_report_is_told_to_the_student_and_the_parent_with_gezag(people, mail_to_sink) -> None:
    tick(local(*MONDAY, 9))
    period_report_publish(
        school_class=people.klas, period=people.periods[0], by=people.user("mentor"), at=local(*MONDAY, 17)
    )
    tick(local(*MONDAY, 17, 1))
    assert len(mail_to_sink.to("student@example.org")) == 1
    parent = mail_to_sink.to("parent@example.org")
    assert len(parent) == 1 and "nieuw rapport" in body(parent[0]) and "/rapporten/" in body(parent[0])
    assert mail_to_sink.to("parent_without_custody@example.org") == []
    assert mail_to_sink.to("other_parent@example.org") == []
