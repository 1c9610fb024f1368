"""Notices go out when an item becomes visible to that person — never earlier, never for what they cannot see, never
with the value — through a real SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest

from inzage.notifications.actions import due_moment, notices_plan_due, notices_send_due, preference_set
from inzage.notifications.models import Frequency, Notice
from inzage.people.models import CourtRestriction
from inzage.schools.calendar import SchoolCalendar
from inzage.visibility.actions import share_create
from inzage.visibility.tests.conftest import local, make_result, set_policy

pytestmark = pytest.mark.django_db

PUBLICATION_1700 = 'format = 1\n[publication]\ntimes = ["17:00"]\n[student_first]\nschool_days = 2\n'
MONDAY = (2025, 11, 17)


@pytest.fixture
def people(personas):
    for name in ("student", "parent", "other_parent", "parent_without_custody"):
        user = personas.user(name)
        user.email = f"{name}@example.org"
        user.save(update_fields=["email"])
    preference_set(user=personas.user("parent"), kind="grades", frequency=Frequency.IMMEDIATE)
    preference_set(user=personas.user("other_parent"), kind="grades", frequency=Frequency.IMMEDIATE)
    return personas


def grade_at(personas, at: dt.datetime, **kwargs):
    return make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[0],
        release_at=kwargs.pop("release_at", at),
        entered_at=at,
        **kwargs,
    )


def tick(at: dt.datetime) -> int:
    notices_plan_due(now=at)
    return notices_send_due(now=at)


def test_a_grade_entered_at_ten_is_mailed_at_five_not_before(people, mail_to_sink) -> None:
    set_policy(people.school, PUBLICATION_1700)
    tick(local(*MONDAY, 9))  # the planner has seen the student before the grade exists
    grade_at(people, local(*MONDAY, 10), value="4.2")
    tick(local(*MONDAY, 10, 1))
    tick(local(*MONDAY, 16, 59, 59))
    assert mail_to_sink.to("student@example.org") == []
    tick(local(*MONDAY, 17))
    mails = mail_to_sink.to("student@example.org")
    assert len(mails) == 1
    body = mails[0].get_payload()[0].get_payload(decode=True).decode()
    assert people.subject.name in body and "4,2" not in body and "4.2" not in body
    assert mails[0]["List-Unsubscribe"]
    tick(local(*MONDAY, 17, 5))
    assert len(mail_to_sink.to("student@example.org")) == 1  # sent once


def test_student_first_delays_the_parents_mail_by_two_school_days(people, mail_to_sink) -> None:
    set_policy(people.school, PUBLICATION_1700)
    tick(local(*MONDAY, 9))
    grade_at(people, local(*MONDAY, 10))
    for at in (local(*MONDAY, 17), local(2025, 11, 18, 17), local(2025, 11, 19, 16, 59)):
        tick(at)
    assert mail_to_sink.to("parent@example.org") == []
    tick(local(2025, 11, 19, 17))  # Wednesday: two school days after Monday 17:00
    assert len(mail_to_sink.to("parent@example.org")) == 1
    assert mail_to_sink.to("other_parent@example.org") == []  # another student's parent


def test_a_share_sends_the_parents_notice_at_once(people, mail_to_sink) -> None:
    set_policy(people.school, PUBLICATION_1700)
    tick(local(*MONDAY, 9))
    result = grade_at(people, local(*MONDAY, 10))
    tick(local(*MONDAY, 17))
    share_create(
        student=people.student,
        kind="grades",
        item_id=result.pk,
        shared_by=people.user("student"),
        at=local(*MONDAY, 18),
    )
    tick(local(*MONDAY, 18, 1))
    assert len(mail_to_sink.to("parent@example.org")) == 1


def test_a_closed_window_sends_nothing_until_it_opens(people, mail_to_sink) -> None:
    set_policy(
        people.school,
        'format = 1\n[[windows]]\naudience = "guardians"\nkinds = ["grades"]\neffect = "close"\n'
        'start = 2025-11-17\nend = 2025-11-21\nlabel = "Toetsweek"\n',
    )
    tick(local(*MONDAY, 9))
    grade_at(people, local(*MONDAY, 10))
    for day in range(17, 22):
        tick(local(2025, 11, day, 20))
    assert mail_to_sink.to("parent@example.org") == []
    assert len(mail_to_sink.to("student@example.org")) == 1
    tick(local(2025, 11, 22, 7))  # the window ends with Friday; Saturday 07:00 is the end of the quiet hours
    assert len(mail_to_sink.to("parent@example.org")) == 1


def test_a_court_restricted_parent_gets_nothing(people, mail_to_sink) -> None:
    CourtRestriction.objects.create(
        school=people.school,
        relation=people.parent_relation,
        ordered_on=dt.date(2025, 9, 1),
        effective_from=dt.date(2025, 9, 1),
        kinds=["grades"],
    )
    tick(local(*MONDAY, 9))
    grade_at(people, local(*MONDAY, 10))
    tick(local(*MONDAY, 11))
    tick(local(2025, 11, 25, 11))
    assert mail_to_sink.to("parent@example.org") == []
    assert len(mail_to_sink.to("student@example.org")) == 1


def test_access_lost_before_sending_drops_the_notice(people, mail_to_sink) -> None:
    preference_set(user=people.user("parent"), kind="grades", frequency=Frequency.DAILY, hour=19)
    tick(local(*MONDAY, 9))
    grade_at(people, local(*MONDAY, 10))
    tick(local(*MONDAY, 10, 1))  # planned for the 19:00 digest
    CourtRestriction.objects.create(
        school=people.school,
        relation=people.parent_relation,
        ordered_on=dt.date(2025, 11, 17),
        effective_from=dt.date(2025, 11, 17),
        kinds=["grades"],
    )
    tick(local(*MONDAY, 19))
    assert mail_to_sink.to("parent@example.org") == []
    assert Notice.objects.get(user=people.user("parent")).status == Notice.Status.DROPPED


def test_a_daily_digest_gathers_the_days_grades_in_one_mail(people, mail_to_sink) -> None:
    preference_set(user=people.user("parent"), kind="grades", frequency=Frequency.DAILY, hour=19)
    tick(local(*MONDAY, 9))
    grade_at(people, local(*MONDAY, 10))
    grade_at(people, local(*MONDAY, 11))
    tick(local(*MONDAY, 12))
    tick(local(*MONDAY, 18, 59))
    assert mail_to_sink.to("parent@example.org") == []
    tick(local(*MONDAY, 19))
    mails = mail_to_sink.to("parent@example.org")
    assert len(mails) == 1
    assert mails[0].get_payload()[0].get_payload(decode=True).decode().count("nieuw cijfer") == 2


def test_nothing_of_the_past_is_mailed_when_the_planner_first_sees_a_student(people, mail_to_sink) -> None:
    grade_at(people, local(2025, 10, 1, 10))
    tick(local(*MONDAY, 9))
    assert mail_to_sink.messages == []


@pytest.mark.parametrize(
    ("visible_at", "frequency", "hour", "weekday", "expected"),
    [
        (local(2025, 11, 17, 22), Frequency.IMMEDIATE, 17, 4, local(2025, 11, 18, 7)),  # quiet hours
        (local(2025, 11, 18, 6), Frequency.IMMEDIATE, 17, 4, local(2025, 11, 18, 7)),
        (local(2025, 11, 18, 12), Frequency.IMMEDIATE, 17, 4, local(2025, 11, 18, 12)),
        (local(2025, 11, 18, 12), Frequency.DAILY, 19, 4, local(2025, 11, 18, 19)),
        (local(2025, 11, 18, 20), Frequency.DAILY, 19, 4, local(2025, 11, 19, 19)),
        (local(2025, 11, 18, 12), Frequency.WEEKLY, 17, 4, local(2025, 11, 21, 17)),  # Friday
        (local(2025, 11, 21, 18), Frequency.WEEKLY, 17, 4, local(2025, 11, 28, 17)),
        (local(2026, 3, 28, 22), Frequency.IMMEDIATE, 17, 4, local(2026, 3, 29, 7)),  # summer time starts that night
    ],
)
def test_due_moments(personas, visible_at, frequency, hour, weekday, expected) -> None:
    from inzage.notifications.actions import Choice

    cal = SchoolCalendar.load(personas.school)
    assert due_moment(cal=cal, visible_at=visible_at, choice=Choice(frequency, hour, weekday)) == expected
    assert due_moment(cal=cal, visible_at=visible_at, choice=Choice(Frequency.OFF, hour, weekday)) is None
