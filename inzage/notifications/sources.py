"""Where notices come from: per followed kind, the engine's items of students that a person can be told about.

Each source takes many students at once (the planner and the sender work in batches of hundreds) and the first day
that still matters, and returns the engine's `Item`s per student; whether and when an item is visible to a person is
the engine's answer (`inzage.visibility.policy.transitions`), never decided here. A kind may also say when a notice
is worth sending at all (`Source.relevant`): a cancelled lesson is news on the day before and the day itself, not
a week ahead, and not after the day. A package adding a kind adds a source here; this module only reads the other
packages' models (the timetable and the reports are theirs).

Kinds:
- `grades`: every result (a resit carries its originals); a window opening can reveal old ones, so all count.
- `period_report`: every published student report (one per period and version).
- `homework`: homework and announced tests of the student's groups due on or after the first day.
- `cancellation`: lessons of the student's groups on or after the first day that are cancelled now, released at
  the moment they were cancelled (the lesson itself is the engine's `timetable` item); told from the start of the
  day before the lesson until the end of its day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Max
from django.urls import reverse

from inzage.grades.models import PeriodReportStudent, Result
from inzage.reports.queries import report_item
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import TeachingGroup
from inzage.timetable.items import homework_item, lesson_item
from inzage.timetable.models import Homework, Lesson, LessonChange
from inzage.visibility.policy.engine import Item, items_from_results

Items = dict[int, list[Item]]


def grade_items(student_ids: Iterable[int], since: dt.date) -> Items:
    """Every result of the students as the engine sees it; one to four queries."""
    results = list(Result.objects.filter(student_id__in=list(student_ids)).select_related("column", "column__subject"))
    out: Items = {}
    for it in items_from_results(results):
        if not it.retracted:
            out.setdefault(it.student_id, []).append(it)
    return out


def report_items(student_ids: Iterable[int], since: dt.date) -> Items:
    """Every published report of the students (one query)."""
    out: Items = {}
    for row in PeriodReportStudent.objects.filter(student_id__in=list(student_ids)).only(
        "pk", "student_id", "published_at"
    ):
        out.setdefault(row.student_id, []).append(report_item(row))
    return out


def _groups_of(student_ids: Iterable[int]) -> dict[int, list[int]]:
    """Per teaching group, its students among these (one query)."""
    out: dict[int, list[int]] = {}
    for group_id, student_id in TeachingGroup.students.through.objects.filter(
        student_id__in=list(student_ids)
    ).values_list("teachinggroup_id", "student_id"):
        out.setdefault(group_id, []).append(student_id)
    return out


def homework_items(student_ids: Iterable[int], since: dt.date) -> Items:
    """Homework of the students' groups due on or after `since`, not removed (two queries)."""
    members = _groups_of(student_ids)
    out: Items = {}
    rows = Homework.objects.filter(group_id__in=list(members), due_date__gte=since, retracted_at__isnull=True)
    for hw in rows.select_related("group__subject"):
        for sid in members[hw.group_id]:
            item = dataclasses.replace(homework_item(hw, student_id=sid), subject_name=hw.group.subject.name)
            out.setdefault(sid, []).append(item)
    return out


def cancellation_items(student_ids: Iterable[int], since: dt.date) -> Items:
    """Cancelled lessons of the students' groups on or after `since`, released at their (latest) cancellation
    (three queries). A lesson that goes ahead after all is not here, so its pending notice is dropped."""
    members = _groups_of(student_ids)
    lessons = list(
        Lesson.objects.filter(
            group_id__in=list(members), date__gte=since, status=Lesson.Status.CANCELLED, withdrawn_at__isnull=True
        ).select_related("group__subject")
    )
    cancelled_at = dict(
        LessonChange.objects.filter(lesson__in=lessons, kind=LessonChange.Kind.CANCEL)
        .values("lesson_id")
        .annotate(at=Max("made_at"))
        .values_list("lesson_id", "at")
    )
    out: Items = {}
    for lesson in lessons:
        at = cancelled_at.get(lesson.pk)
        for sid in members[lesson.group_id]:
            item = lesson_item(lesson, student_id=sid)
            # No cancellation on record: held (fail closed), the engine shows it to nobody.
            item = dataclasses.replace(item, released_at=at, subject_name=lesson.group.subject.name)
            out.setdefault(sid, []).append(item)
    return out


def _lesson_day(item: Item, cal: SchoolCalendar) -> tuple[dt.datetime | None, dt.datetime | None]:
    assert item.date is not None
    return cal.start_of_day(item.date - dt.timedelta(days=1)), cal.start_of_day(item.date + dt.timedelta(days=1))


def _until_due(item: Item, cal: SchoolCalendar) -> tuple[dt.datetime | None, dt.datetime | None]:
    assert item.date is not None
    return None, cal.start_of_day(item.date + dt.timedelta(days=1))


@dataclass(frozen=True)
class Source:
    items: Callable[[Iterable[int], dt.date], Items]
    url: Callable[[int, dt.date | None], str]  # the page a notice links to (student id, the item's date)
    # (not before, not after): a notice is sent in that span or not at all; None: no bound.
    relevant: Callable[[Item, SchoolCalendar], tuple[dt.datetime | None, dt.datetime | None]] | None = None


def _timetable_url(student_id: int, day: dt.date | None) -> str:
    if day is None:
        return reverse("timetable:week_now", args=[student_id])
    return reverse("timetable:day", args=[student_id, day])


SOURCES: dict[str, Source] = {
    "grades": Source(grade_items, lambda sid, day: reverse("portal:grades", args=[sid])),
    "period_report": Source(report_items, lambda sid, day: reverse("reports:mine")),
    "homework": Source(homework_items, _timetable_url, _until_due),
    "cancellation": Source(cancellation_items, _timetable_url, _lesson_day),
}
