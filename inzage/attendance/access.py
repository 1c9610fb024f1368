"""Who may open which attendance page; each helper fetches and checks in one step, and "not yours" is 404."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from inzage.attendance import queries
from inzage.timetable.models import Lesson
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Context, Viewer, context_for

OFFICER_ROLES = ("attendance_officer",)
DECIDER_ROLES = ("attendance_officer", "administrator")  # leave is decided for the head of the school


def access_student(*, viewer: Viewer, student_id: int, at: dt.datetime) -> Context:
    """The student themself, a guardian with a current relation (also without custody: they read why not), or staff
    to whom the engine gives this student's attendance. Everyone else: 404."""
    ctx = context_for(viewer=viewer, student_id=student_id, at=at)
    if ctx.facts is None or ctx.audience == "none":
        raise Http404
    if ctx.audience == "staff" and not queries.sees(ctx, DataKind.ATTENDANCE):
        raise Http404
    return ctx


def may_register(*, viewer: Viewer, lesson: Lesson) -> bool:
    """The lesson's (substitute) teacher, a teacher of its group, or the attendance officer of the school."""
    if viewer.staff_id is None or viewer.school_id != lesson.school_id:
        return False
    if viewer.staff_id in (lesson.teacher_id, lesson.planned_teacher_id) or lesson.group_id in viewer.group_ids:
        return True
    return viewer.has_role(*OFFICER_ROLES)


def access_lesson(*, viewer: Viewer, lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.filter(pk=lesson_id, withdrawn_at__isnull=True)
        .select_related("group", "group__subject", "teacher")
        .first()
    )
    if lesson is None or not may_register(viewer=viewer, lesson=lesson):
        raise Http404
    return lesson


def is_officer(viewer: Viewer) -> bool:
    return viewer.staff_id is not None and viewer.has_role(*OFFICER_ROLES)


def may_decide_leave(viewer: Viewer) -> bool:
    return viewer.staff_id is not None and viewer.has_role(*DECIDER_ROLES)


def is_mentor(viewer: Viewer) -> bool:
    return viewer.staff_id is not None and bool(viewer.mentor_class_ids)
