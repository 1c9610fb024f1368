"""Reads of the timetable. Every function that returns student data takes the viewer and the instant.

`lessons_for` is the plain lesson API other packages build on (attendance registers per `Lesson.pk`): it applies no
policy, so callers that show lessons of a student to a person go through `visible_lessons` instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from inzage.people.models import Staff, Student
from inzage.schools.models import SchoolYear, TeachingGroup
from inzage.timetable.items import HOMEWORK_FIELDS, LESSON_FIELDS
from inzage.timetable.models import Homework, HomeworkDone, Lesson, TimetableImport
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Decision, Viewer, context_for, filter_items
from inzage.visibility.queries import kind_probe


def lessons_for(
    *,
    start: dt.date,
    end: dt.date,
    school_id: int | None = None,
    group_ids: Iterable[int] | None = None,
    teacher_id: int | None = None,
    include_withdrawn: bool = False,
) -> QuerySet[Lesson]:
    """The concrete lessons between two dates (inclusive), of some groups and/or a teacher, cancelled ones included
    (see `Lesson.status`); withdrawn lessons only when asked. Ordered by start. No policy: see module docstring."""
    qs = Lesson.objects.filter(date__gte=start, date__lte=end)
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    if group_ids is not None:
        qs = qs.filter(group_id__in=list(group_ids))
    if teacher_id is not None:
        qs = qs.filter(teacher_id=teacher_id)
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    return qs.select_related("group", "group__subject", "teacher", "room", "planned_room").order_by(
        "starts_at", "group_id"
    )


# ------------------------------------------------------------------------------------- what a viewer sees of a student


@dataclass
class HomeworkRow:
    homework: Homework
    done: bool | None  # the student's own tick; None for anyone but the student


@dataclass
class LessonRow:
    lesson: Lesson
    homework: list[HomeworkRow] = field(default_factory=list)
    child: str = ""  # the child's first name (a parent's feed)

    @property
    def is_test(self) -> bool:
        return self.lesson.kind == Lesson.Kind.TEST or any(h.homework.kind == Homework.Kind.TEST for h in self.homework)


@dataclass
class Day:
    date: dt.date
    lessons: list[LessonRow] = field(default_factory=list)
    homework: list[HomeworkRow] = field(default_factory=list)  # due this day, not at one of the day's lessons
    notes: list[str] = field(default_factory=list)  # holiday, free day, test week

    @property
    def empty(self) -> bool:
        return not self.lessons and not self.homework


@dataclass
class StudentTimetable:
    student: Student
    audience: str
    days: list[Day]
    timetable: Decision  # the kinds in general, for the notice when hidden
    homework: Decision


def access_timetable_student(*, viewer: Viewer, student_id: int, at: dt.datetime) -> Student:
    """The student if this account may open their timetable pages: the student, a guardian (what they see is then the
    engine's), or staff whose role reaches the student's timetable (mentor, coordinator, administrator, attendance
    officer). A subject teacher reaches lessons per group (their own week), not a student's whole week. Else 404."""
    ctx = context_for(viewer=viewer, student_id=student_id, at=at)
    if ctx.facts is None or ctx.audience == "none":
        raise Http404
    if ctx.audience == "staff" and not ctx.decide(kind_probe(student_id=student_id, kind=DataKind.TIMETABLE)).visible:
        raise Http404
    return ctx.facts.student


def visible_lessons(
    *, viewer: Viewer, student: Student, at: dt.datetime, start: dt.date, end: dt.date
) -> QuerySet[Lesson]:
    """The student's lessons between two dates (inclusive) that the viewer may see at the instant. One query."""
    queryset = lessons_for(start=start, end=end, school_id=student.school_id, include_withdrawn=True).filter(
        group_id__in=_group_ids(student)
    )
    return filter_items(viewer=viewer, student_id=student.pk, at=at, queryset=queryset, fields=LESSON_FIELDS)


def visible_homework(
    *, viewer: Viewer, student: Student, at: dt.datetime, start: dt.date, end: dt.date
) -> QuerySet[Homework]:
    """The student's homework due between two dates (inclusive) that the viewer may see at the instant."""
    queryset = (
        Homework.objects.filter(school_id=student.school_id, due_date__gte=start, due_date__lte=end)
        .filter(group_id__in=_group_ids(student))
        .select_related("group", "group__subject")
        .order_by("due_date", "pk")
    )
    return filter_items(viewer=viewer, student_id=student.pk, at=at, queryset=queryset, fields=HOMEWORK_FIELDS)


def _group_ids(student: Student) -> QuerySet[Any]:
    return TeachingGroup.students.through.objects.filter(student_id=student.pk).values("teachinggroup_id")


def student_timetable(
    *, viewer: Viewer, student: Student, at: dt.datetime, start: dt.date, end: dt.date
) -> StudentTimetable:
    """The student's school days between two dates as the viewer may see them now: lessons (cancelled and changed ones
    too), the homework due at each, the calendar's notes. A constant number of queries, whatever the length."""
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    lessons = list(visible_lessons(viewer=viewer, student=student, at=at, start=start, end=end))
    homework = list(visible_homework(viewer=viewer, student=student, at=at, start=start, end=end))
    done: set[int] = set()
    if ctx.audience == "student" and homework:
        done = set(
            HomeworkDone.objects.filter(student=student, homework__in=[h.pk for h in homework]).values_list(
                "homework_id", flat=True
            )
        )
    calendar = ctx.calendar
    days: dict[dt.date, Day] = {}
    day = start
    while day <= end:
        if day.weekday() < 5:
            notes = [r.name for r in calendar.ranges_on(day)]
            if not calendar.in_school_year(day) and not notes:
                notes.append(gettext("geen schooldag"))
            days[day] = Day(date=day, notes=notes)
        day += dt.timedelta(days=1)
    rows = {}
    for lesson in lessons:
        row = LessonRow(lesson=lesson)
        rows[lesson.pk] = row
        days.setdefault(lesson.date, Day(date=lesson.date)).lessons.append(row)
    for h in homework:
        entry = HomeworkRow(homework=h, done=(h.pk in done) if ctx.audience == "student" else None)
        if h.lesson_id in rows:
            rows[h.lesson_id].homework.append(entry)
        else:
            days.setdefault(h.due_date, Day(date=h.due_date)).homework.append(entry)
    return StudentTimetable(
        student=student,
        audience=ctx.audience,
        days=[days[d] for d in sorted(days)],
        timetable=ctx.decide(kind_probe(student_id=student.pk, kind=DataKind.TIMETABLE)),
        homework=ctx.decide(kind_probe(student_id=student.pk, kind=DataKind.HOMEWORK)),
    )


def display_day(*, calendar_now: dt.datetime, calendar: Any) -> dt.date:
    """The day a start page shows: today, or from 16:00 (and on a day without school) the next school day."""
    local = calendar_now.astimezone(calendar.timezone)
    day = local.date()
    if local.time() >= dt.time(16) or not calendar.is_school_day(day):
        nxt = day + dt.timedelta(days=1)
        for _ in range(120):
            if calendar.is_school_day(nxt):
                return nxt
            nxt += dt.timedelta(days=1)
    return day


# ------------------------------------------------------------------------------------------------- a teacher's week


@dataclass
class TeacherLesson:
    lesson: Lesson
    homework: list[Homework]
    lost_to: str = ""  # a substitute takes this lesson of the teacher's


def teacher_lessons(*, staff: Staff, start: dt.date, end: dt.date) -> list[TeacherLesson]:
    """A teacher's own lessons between two dates (also those a substitute takes over, and those the teacher stands in
    for), with the homework given for each. Not student data: no policy. Two queries."""
    lessons = list(
        Lesson.objects.filter(date__gte=start, date__lte=end, withdrawn_at__isnull=True)
        .filter(Q(teacher_id=staff.pk) | Q(planned_teacher_id=staff.pk))
        .select_related("group", "group__subject", "teacher", "room")
        .order_by("starts_at", "group_id")
    )
    by_lesson: dict[int, list[Homework]] = {}
    for h in Homework.objects.filter(lesson_id__in=[x.pk for x in lessons], retracted_at__isnull=True).order_by("pk"):
        by_lesson.setdefault(h.lesson_id or 0, []).append(h)
    out = []
    for lesson in lessons:
        lost = lesson.teacher.code if lesson.teacher_id != staff.pk else ""
        out.append(TeacherLesson(lesson=lesson, homework=by_lesson.get(lesson.pk, []), lost_to=lost))
    return out


def teacher_lesson(*, staff: Staff, lesson_id: int) -> Lesson:
    """A lesson of a group the staff member teaches (or a lesson they give); else 404."""
    lesson = (
        Lesson.objects.filter(pk=lesson_id, school_id=staff.school_id, withdrawn_at__isnull=True)
        .filter(Q(group__teachers=staff) | Q(teacher_id=staff.pk) | Q(planned_teacher_id=staff.pk))
        .select_related("group", "group__subject", "teacher", "room")
        .distinct()
        .first()
    )
    if lesson is None:
        raise Http404
    return lesson


# ------------------------------------------------------------------------------------------ the pattern import


def import_school_year(*, school_id: int, day: dt.date) -> SchoolYear | None:
    """The school year an import on this day is for: the one containing it, else the next, else the last."""
    years = list(SchoolYear.objects.filter(school_id=school_id).order_by("start"))
    return next((y for y in years if day <= y.end), years[-1] if years else None)


def recent_imports(*, school_year: SchoolYear, limit: int = 10) -> list[TimetableImport]:
    """The school year's latest pattern imports, newest first (not student data: no policy)."""
    return list(
        TimetableImport.objects.filter(school_year=school_year)
        .select_related("imported_by")
        .order_by("-imported_at", "-pk")[:limit]
    )
