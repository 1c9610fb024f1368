import datetime as dt

import pytest

from inzage.people.models import CourtRestriction
from inzage.testing.timetable import AMSTERDAM
from inzage.timetable import actions
from inzage.timetable.models import Lesson, LessonChange
from inzage.timetable.queries import student_timetable, visible_homework, visible_lessons
from inzage.timetable.tests.conftest import MONDAY
from inzage.visibility.policy import viewer_for
from inzage.visibility.versions import Scope, versions_read

pytestmark = pytest.mark.django_db
FRIDAY = MONDAY + dt.timedelta(days=4)


def _first(p) -> Lesson:
    return Lesson.objects.filter(group=p.group, date=MONDAY).get()


def test_a_cancellation_keeps_who_when_why_and_marks_same_day(tt):
    lesson = _first(tt)
    before = versions_read([(Scope.STUDENT, tt.student.pk)])
    at = dt.datetime(2025, 9, 8, 7, 45, tzinfo=AMSTERDAM)
    actions.lesson_cancel(lesson=lesson, reason="Docent ziek", by=tt.user("admin"), at=at)
    lesson.refresh_from_db()
    assert lesson.cancelled and lesson.reason == "Docent ziek" and lesson.changed_same_day
    change = LessonChange.objects.get(lesson=lesson)
    assert (change.kind, change.made_by, change.made_at, change.reason, change.same_day) == (
        "cancel",
        tt.user("admin"),
        at,
        "Docent ziek",
        True,
    )
    assert versions_read([(Scope.STUDENT, tt.student.pk)]) != before  # the cached start page is rebuilt
    actions.lesson_restore(lesson=lesson, reason="Toch beter", by=tt.user("admin"), at=at - dt.timedelta(days=2))
    lesson.refresh_from_db()
    assert not lesson.cancelled and not lesson.changed_same_day
    assert LessonChange.objects.filter(lesson=lesson).count() == 2  # nothing lost


def test_room_change_substitute_and_extra_lesson(tt):
    from inzage.timetable.models import Room

    lesson = _first(tt)
    at = dt.datetime(2025, 9, 5, 12, tzinfo=AMSTERDAM)
    room = Room.objects.create(school=tt.school, code="C201")
    actions.lesson_room_change(lesson=lesson, room=room, reason="Lekkage", by=tt.user("admin"), at=at)
    actions.lesson_substitute(lesson=lesson, teacher=tt.other_teacher, reason="", by=tt.user("admin"), at=at)
    lesson.refresh_from_db()
    assert lesson.room_changed and lesson.substituted and lesson.planned_room.code == "B101"
    extra = actions.lesson_add(
        group=tt.group,
        kind=Lesson.Kind.EXTRA,
        date=FRIDAY,
        starts_at=dt.datetime(2025, 9, 12, 14, 30, tzinfo=AMSTERDAM),
        ends_at=dt.datetime(2025, 9, 12, 15, 20, tzinfo=AMSTERDAM),
        teacher=tt.teacher,
        room=room,
        by=tt.user("admin"),
        at=at,
        reason="Inhaalles",
    )
    week = student_timetable(viewer=viewer_for(tt.user("student")), student=tt.student, at=at, start=MONDAY, end=FRIDAY)
    assert extra.pk in {row.lesson.pk for d in week.days for row in d.lessons}
    assert extra.changes.get().kind == "extra"


def test_a_court_restriction_on_the_timetable_hides_it_from_that_parent(tt):
    at = dt.datetime(2025, 9, 8, 12, tzinfo=AMSTERDAM)
    actions.homework_add(
        group=tt.group, kind="homework", text="Lees §2", due_date=MONDAY, lesson=None, by=tt.teacher, at=at
    )
    parent = viewer_for(tt.user("parent"))
    assert visible_lessons(viewer=parent, student=tt.student, at=at, start=MONDAY, end=FRIDAY).count() == 3
    CourtRestriction.objects.create(
        school=tt.school,
        relation=tt.parent_relation,
        ordered_on=dt.date(2025, 9, 1),
        effective_from=dt.date(2025, 9, 1),
        kinds=["timetable"],
    )
    parent = viewer_for(tt.user("parent"))
    assert not visible_lessons(viewer=parent, student=tt.student, at=at, start=MONDAY, end=FRIDAY).exists()
    week = student_timetable(viewer=parent, student=tt.student, at=at, start=MONDAY, end=FRIDAY)
    assert not week.timetable.visible and week.timetable.reason == "court_restriction"
    # homework is another kind: not covered by this order
    assert visible_homework(viewer=parent, student=tt.student, at=at, start=MONDAY, end=FRIDAY).count() == 1
    # the student still sees everything
    student = viewer_for(tt.user("student"))
    assert visible_lessons(viewer=student, student=tt.student, at=at, start=MONDAY, end=FRIDAY).count() == 3


def test_homework_done_is_the_students_own(tt):
    at = dt.datetime(2025, 9, 8, 12, tzinfo=AMSTERDAM)
    hw = actions.homework_add(
        group=tt.group, kind="homework", text="Som 1-5", due_date=FRIDAY, lesson=None, by=tt.teacher, at=at
    )
    actions.homework_done_set(student=tt.student, homework=hw, done=True, at=at)
    mine = student_timetable(viewer=viewer_for(tt.user("student")), student=tt.student, at=at, start=MONDAY, end=FRIDAY)
    assert [h.done for d in mine.days for h in d.homework] == [True]
    theirs = student_timetable(
        viewer=viewer_for(tt.user("parent")), student=tt.student, at=at, start=MONDAY, end=FRIDAY
    )
    assert [h.done for d in theirs.days for h in d.homework] == [None]


def test_feed_tokens_renew_and_revoke(tt):
    from inzage.timetable.models import FeedToken

    at = dt.datetime(2025, 9, 8, 12, tzinfo=AMSTERDAM)
    user = tt.user("student")
    first = actions.feed_token_renew(user=user, at=at)
    second = actions.feed_token_renew(user=user, at=at)
    assert first != second
    live = FeedToken.objects.get(user=user, revoked_at__isnull=True)
    assert live.token_hash == actions.feed_token_hash(second) and second not in live.token_hash
    assert actions.feed_token_revoke(user=user, at=at) == 1
    assert not FeedToken.objects.filter(user=user, revoked_at__isnull=True).exists()
