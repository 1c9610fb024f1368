"""Persona tests on every timetable URL; what each page shows; constant queries on the week view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inzage.people.models import CourtRestriction
from inzage.testing.queries import page_queries
from inzage.testing.timetable import LessonFactory
from inzage.timetable import actions
from inzage.timetable.models import Homework, Lesson
from inzage.timetable.tests.conftest import ALL_PERSONAS, MONDAY

pytestmark = pytest.mark.django_db
STUDENT_PAGES_OPEN = {"student", "parent", "parent_without_custody", "mentor", "admin", "coordinator"}
STUDENT_PAGES_OPEN |= {"care_coordinator", "attendance_officer"}


def _lesson(p, day=MONDAY) -> Lesson:
    return Lesson.objects.filter(group=p.group, date=day).order_by("starts_at").first()


@pytest.mark.parametrize("name", ALL_PERSONAS)
@pytest.mark.parametrize("view", ["week_now", "week", "day"])
def test_who_opens_a_students_timetable(client, tt, user_of, now, name, view) -> None:
    client.force_login(user_of(name))
    args = [tt.student.pk] if view == "week_now" else [tt.student.pk, MONDAY]
    response = client.get(reverse(f"timetable:{view}", args=args))
    assert response.status_code == (200 if name in STUDENT_PAGES_OPEN else 404), name


def test_the_week_shows_lessons_changes_and_homework(client, tt, user_of, now) -> None:
    lesson = _lesson(tt)
    actions.lesson_cancel(lesson=lesson, reason="Studiedag docent", by=tt.user("admin"), at=now)
    wednesday = _lesson(tt, MONDAY + dt.timedelta(days=2))
    actions.homework_add(
        group=tt.group,
        kind="test",
        text="Hoofdstuk 3\nzie https://example.org/h3",
        due_date=wednesday.date,
        lesson=wednesday,
        by=tt.teacher,
        at=now,
    )
    client.force_login(user_of("parent"))
    page = client.get(reverse("timetable:week", args=[tt.student.pk, MONDAY])).content.decode()
    assert '<del class="tt-subject">wiskunde</del>' in page
    assert "Vervalt: Studiedag docent" in page
    assert 'href="https://example.org/h3"' in page and "Hoofdstuk 3<br>" in page
    assert "tt-test" in page
    assert "Markeer als klaar" not in page  # the tick is the student's own
    client.force_login(user_of("student"))
    assert "Markeer als klaar" in client.get(reverse("timetable:week", args=[tt.student.pk, MONDAY])).content.decode()


def test_other_students_lessons_never_show(client, tt, user_of, now) -> None:
    LessonFactory(group=tt.other_group, date=MONDAY, planned_teacher=tt.other_teacher, label="Geheim")
    client.force_login(user_of("student"))
    page = client.get(reverse("timetable:week", args=[tt.student.pk, MONDAY])).content.decode()
    assert "Geheim" not in page and "AND" not in page


def test_a_court_restriction_hides_the_timetable_page_from_that_parent(client, tt, user_of, now) -> None:
    CourtRestriction.objects.create(
        school=tt.school,
        relation=tt.parent_relation,
        ordered_on=dt.date(2025, 9, 1),
        effective_from=dt.date(2025, 9, 1),
        kinds=["timetable"],
    )
    client.force_login(user_of("parent"))
    page = client.get(reverse("timetable:week", args=[tt.student.pk, MONDAY])).content.decode()
    assert "tt-lesson" not in page and "Het rooster is hier niet te zien." in page


def test_the_parent_without_custody_sees_no_lessons(client, tt, user_of, now) -> None:
    client.force_login(user_of("parent_without_custody"))
    page = client.get(reverse("timetable:week", args=[tt.student.pk, MONDAY])).content.decode()
    assert "tt-lesson" not in page


@pytest.mark.parametrize("bad", ["2025-02-31", "2025-13-01", "0000-00-00"])
def test_impossible_dates_are_not_found(client, tt, user_of, now, bad) -> None:
    client.force_login(user_of("student"))
    assert client.get(f"/rooster/{tt.student.pk}/week/{bad}/").status_code == 404
    assert client.get(f"/rooster/{tt.student.pk}/dag/{bad}/").status_code == 404


def test_the_week_view_has_constant_queries(client, tt, user_of, now) -> None:
    client.force_login(user_of("parent"))
    url = reverse("timetable:week", args=[tt.student.pk, MONDAY])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    assert len(page_queries(few.captured_queries)) <= 18  # the access log's own write left out
    for i in range(8):
        extra = LessonFactory(group=tt.group, date=MONDAY + dt.timedelta(days=i % 5), planned_teacher=tt.teacher)
        actions.lesson_cancel(lesson=extra, reason="x", by=None, at=now)
        actions.homework_add(
            group=tt.group, kind="homework", text="x", due_date=extra.date, lesson=extra, by=tt.teacher, at=now
        )
    with CaptureQueriesContext(connection) as more:
        page = client.get(url).content.decode()
    assert page.count("tt-cancelled") >= 8
    assert len(page_queries(more.captured_queries)) == len(page_queries(few.captured_queries))


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_who_ticks_homework_done(client, tt, user_of, now, name) -> None:
    hw = actions.homework_add(
        group=tt.group, kind="homework", text="x", due_date=MONDAY, lesson=None, by=tt.teacher, at=now
    )
    client.force_login(user_of(name))
    response = client.post(reverse("timetable:homework_done", args=[hw.pk]), {"done": "1"})
    assert response.status_code == (302 if name == "student" else 404)
    assert hw.done_ticks.exists() is (name == "student")


def test_a_student_cannot_tick_another_groups_homework(client, tt, user_of, now) -> None:
    hw = actions.homework_add(
        group=tt.other_group, kind="homework", text="x", due_date=MONDAY, lesson=None, by=tt.other_teacher, at=now
    )
    client.force_login(user_of("student"))
    assert client.post(reverse("timetable:homework_done", args=[hw.pk]), {"done": "1"}).status_code == 404


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_who_opens_the_teacher_week(client, tt, user_of, now, name) -> None:
    client.force_login(user_of(name))
    response = client.get(reverse("timetable:teacher_now"))
    assert response.status_code == (
        404 if name in {"student", "parent", "other_parent", "parent_without_custody"} else 200
    )


def test_the_teacher_week_lists_own_lessons_with_homework(client, tt, user_of, now) -> None:
    lesson = _lesson(tt)
    actions.homework_add(
        group=tt.group, kind="homework", text="Lees blz 4", due_date=MONDAY, lesson=lesson, by=tt.teacher, at=now
    )
    client.force_login(user_of("teacher"))
    page = client.get(reverse("timetable:teacher_week", args=[MONDAY])).content.decode()
    assert "h3a-wi" in page and "Lees blz 4" in page and "h3b-wi" not in page


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_who_opens_a_lesson(client, tt, user_of, now, name) -> None:
    client.force_login(user_of(name))
    response = client.get(reverse("timetable:lesson", args=[_lesson(tt).pk]))
    assert response.status_code == (200 if name in {"teacher", "admin"} else 404), name


def test_the_teacher_gives_homework_and_bad_input_stays(client, tt, user_of, now) -> None:
    lesson = _lesson(tt)
    client.force_login(user_of("teacher"))
    url = reverse("timetable:lesson", args=[lesson.pk])
    bad = client.post(url, {"form": "homework", "hw-kind": "homework", "hw-text": "  "})
    assert bad.status_code == 200 and "Schrijf wat de leerlingen moeten doen." in bad.content.decode()
    too_long = client.post(url, {"form": "homework", "hw-kind": "nonsense", "hw-text": "Mijn tekst"})
    assert too_long.status_code == 200 and "Mijn tekst" in too_long.content.decode()
    ok = client.post(url, {"form": "homework", "hw-kind": "hand_in", "hw-text": "Verslag inleveren"})
    assert ok.status_code == 302
    hw = Homework.objects.get()
    assert (hw.kind, hw.lesson, hw.due_date, hw.entered_by) == ("hand_in", lesson, lesson.date, tt.teacher)
    # only the group's teacher may post; the administrator's change form is separate
    client.force_login(user_of("other_teacher"))
    assert client.post(url, {"form": "homework", "hw-kind": "homework", "hw-text": "x"}).status_code == 404


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_who_removes_homework(client, tt, user_of, now, name) -> None:
    hw = actions.homework_add(
        group=tt.group, kind="homework", text="x", due_date=MONDAY, lesson=None, by=tt.teacher, at=now
    )
    client.force_login(user_of(name))
    response = client.post(reverse("timetable:homework_remove", args=[hw.pk]))
    assert response.status_code == (302 if name == "teacher" else 404)
    hw.refresh_from_db()
    assert (hw.retracted_at is not None) is (name == "teacher")
    assert Homework.objects.filter(pk=hw.pk).exists()  # kept


def test_the_administrator_cancels_a_lesson_with_a_reason(client, tt, user_of, now) -> None:
    lesson = _lesson(tt, MONDAY + dt.timedelta(days=1))  # Tuesday: today
    client.force_login(user_of("admin"))
    url = reverse("timetable:lesson", args=[lesson.pk]) if lesson else None
    lesson = lesson or _lesson(tt)
    url = reverse("timetable:lesson", args=[lesson.pk])
    bad = client.post(url, {"form": "change", "ch-change": "cancel", "ch-reason": ""})
    assert "Geef een reden" in bad.content.decode()
    room = client.post(url, {"form": "change", "ch-change": "room", "ch-room": "Z999"})
    assert "Onbekend lokaal “Z999”." in room.content.decode() and 'value="Z999"' in room.content.decode()
    assert client.post(url, {"form": "change", "ch-change": "cancel", "ch-reason": "Excursie"}).status_code == 302
    lesson.refresh_from_db()
    assert lesson.cancelled and lesson.reason == "Excursie" and lesson.changes.get().made_by == tt.user("admin")
    # a teacher cannot post changes
    client.force_login(user_of("teacher"))
    assert client.post(url, {"form": "change", "ch-change": "restore"}).status_code == 404


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_index_sends_everyone_to_their_own_timetable(client, tt, user_of, now, name) -> None:
    client.force_login(user_of(name))
    response = client.get(reverse("timetable:index"))
    assert response.status_code == 302
    if name in {"student", "parent", "parent_without_custody"}:
        assert response.url == reverse("timetable:week_now", args=[tt.student.pk])
    elif name == "other_parent":
        assert response.url == reverse("timetable:week_now", args=[tt.other_student.pk])
    else:
        assert response.url == reverse("timetable:teacher_now")


def test_anonymous_is_sent_to_sign_in(client, tt) -> None:
    for url in (
        reverse("timetable:index"),
        reverse("timetable:week_now", args=[tt.student.pk]),
        reverse("timetable:feed_settings"),
    ):
        assert client.get(url).status_code == 302
