"""The visibility engine's view of lessons and homework (kinds `timetable` and `homework`).

A lesson or homework item belongs to every student of its teaching group (`group__students`), is released to them
when it was recorded (`Lesson.recorded_at`, `Homework.entered_at`) and is gone for everyone once withdrawn
(`Lesson.withdrawn_at`: the pattern no longer makes it) or removed (`Homework.retracted_at`). `decide` on
`lesson_item`/`homework_item` and `filter_items` with `LESSON_FIELDS`/`HOMEWORK_FIELDS` read the same clauses;
`inzage/visibility/tests/test_agreement.py` checks they agree.
"""

from __future__ import annotations

from inzage.timetable.models import Homework, Lesson
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Item, ItemFields

LESSON_FIELDS = ItemFields(
    kind=DataKind.TIMETABLE,
    release=("recorded_at",),
    student="group__students",
    retracted=("withdrawn_at",),
    group="group_id",
)

HOMEWORK_FIELDS = ItemFields(
    kind=DataKind.HOMEWORK,
    release=("entered_at",),
    student="group__students",
    retracted=("retracted_at",),
    group="group_id",
)


def lesson_item(lesson: Lesson, *, student_id: int) -> Item:
    """The engine's view of a lesson as part of this student's timetable (the caller knows the student is in the
    lesson's group; for one who is not, pass 0 and the engine says "not found")."""
    return Item(
        kind=DataKind.TIMETABLE,
        id=lesson.pk,
        student_id=student_id,
        released_at=lesson.recorded_at,
        group_id=lesson.group_id,
        date=lesson.date,
        retracted=lesson.withdrawn_at is not None,
    )


def homework_item(homework: Homework, *, student_id: int) -> Item:
    """The engine's view of a homework item for this student (see `lesson_item`)."""
    return Item(
        kind=DataKind.HOMEWORK,
        id=homework.pk,
        student_id=student_id,
        released_at=homework.entered_at,
        group_id=homework.group_id,
        date=homework.due_date,
        retracted=homework.retracted_at is not None,
    )
