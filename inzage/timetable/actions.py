"""Writes of the timetable: materialising lessons from the pattern, lesson changes, homework, feed tokens.

Every change to a lesson appends a `LessonChange` (who, when, why) in the same transaction as the lesson's current
state, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import SchoolYear
from inzage.timetable import weeks
from inzage.timetable.models import Lesson, PatternEntry, Slot, TimetableSettings


@dataclass(frozen=True)
class SyncResult:
    created: int
    withdrawn: int
    restored: int


def test_weeks_suspend(school_id: int) -> bool:
    found = TimetableSettings.objects.filter(school_id=school_id).values_list("test_weeks_suspend_lessons", flat=True)
    return next(iter(found), True)


def lessons_sync(
    *,
    school_year: SchoolYear,
    at: dt.datetime,
    start: dt.date | None = None,
    end: dt.date | None = None,
    calendar: SchoolCalendar | None = None,
) -> SyncResult:
    """Make the concrete lessons of the pattern between two dates (default: the whole school year) match it.

    Creates missing lessons, withdraws (never deletes) lessons the pattern or calendar no longer makes, and restores
    withdrawn ones that came back. Extra lessons and test sittings are left alone. Changes made to a lesson stay.
    """
    start = max(start or school_year.start, school_year.start)
    end = min(end or school_year.end, school_year.end)
    calendar = calendar or SchoolCalendar.load(school_year.school_id)
    entries = list(
        PatternEntry.objects.filter(school_year=school_year, valid_until__gte=start, valid_from__lte=end).only(
            "id", "weekday", "slot_number", "week", "valid_from", "valid_until", "group_id", "teacher_id", "room_id"
        )
    )
    by_id = {e.pk: e for e in entries}
    slot_times = {(s.weekday, s.number): (s.start, s.end) for s in Slot.objects.filter(school_year=school_year)}
    planned = {
        (p.entry_id, p.date): p
        for p in weeks.planned_lessons(
            calendar=calendar,
            year_start=school_year.start,
            entries=entries,
            slot_times=slot_times,
            start=start,
            end=end,
            test_weeks_suspend=test_weeks_suspend(school_year.school_id),
        )
    }
    existing = {
        (pe, d): (pk, withdrawn)
        for pk, pe, d, withdrawn in Lesson.objects.filter(
            school_year=school_year, kind=Lesson.Kind.REGULAR, date__gte=start, date__lte=end
        ).values_list("pk", "pattern_entry_id", "date", "withdrawn_at")
    }
    new: list[Lesson] = []
    for key, p in planned.items():
        if key in existing:
            continue
        e = by_id[p.entry_id]
        new.append(
            Lesson(
                school_id=school_year.school_id,
                school_year=school_year,
                group_id=e.group_id,
                kind=Lesson.Kind.REGULAR,
                pattern_entry_id=e.pk,
                date=p.date,
                slot_number=e.slot_number,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                planned_teacher_id=e.teacher_id,
                teacher_id=e.teacher_id,
                planned_room_id=e.room_id,
                room_id=e.room_id,
                recorded_at=at,
            )
        )
    withdraw = [pk for key, (pk, withdrawn) in existing.items() if key not in planned and withdrawn is None]
    restore = [pk for key, (pk, withdrawn) in existing.items() if key in planned and withdrawn is not None]
    # One transaction: a sync is all or nothing, so a page never shows half a re-planned year.
    with transaction.atomic():
        Lesson.objects.bulk_create(new, batch_size=2000)
        for i in range(0, len(withdraw), 2000):
            Lesson.objects.filter(pk__in=withdraw[i : i + 2000]).update(withdrawn_at=at)
        for i in range(0, len(restore), 2000):
            Lesson.objects.filter(pk__in=restore[i : i + 2000]).update(withdrawn_at=None)
    return SyncResult(created=len(new), withdrawn=len(withdraw), restored=len(restore))
