"""Writes of the timetable: materialising lessons from the pattern, lesson changes, homework, feed tokens.

Every change to a lesson appends a `LessonChange` (who, when, why) in the same transaction as the lesson's current
state, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from inzage.accounts.models import User
from inzage.grades.bulk_insert import insert_rows
from inzage.people.models import Staff, Student
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import School, SchoolYear, TeachingGroup
from inzage.timetable import weeks
from inzage.timetable.imports import PatternCheck
from inzage.timetable.models import (
    FeedToken,
    Homework,
    HomeworkDone,
    Lesson,
    LessonChange,
    PatternEntry,
    Room,
    Slot,
    TimetableImport,
    TimetableSettings,
)
from inzage.visibility.versions import versions_bump

# The columns `lessons_sync` writes, in this order (fast multi-row insert: `grades.bulk_insert`).
LESSON_ROW = (
    "school_id",
    "school_year_id",
    "group_id",
    "kind",
    "pattern_entry_id",
    "date",
    "slot_number",
    "starts_at",
    "ends_at",
    "planned_teacher_id",
    "planned_room_id",
    "teacher_id",
    "room_id",
    "status",
    "reason",
    "label",
    "recorded_at",
    "changed_same_day",
)


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
        PatternEntry.objects.filter(
            school_year=school_year, valid_until__gte=start, valid_from__lte=end, superseded_by__isnull=True
        ).only("id", "weekday", "slot_number", "week", "valid_from", "valid_until", "group_id", "teacher_id", "room_id")
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
    new: list[tuple[object, ...]] = []
    for key, p in planned.items():
        if key in existing:
            continue
        e = by_id[p.entry_id]
        new.append(
            (
                school_year.school_id,
                school_year.pk,
                e.group_id,
                Lesson.Kind.REGULAR.value,
                e.pk,
                p.date.isoformat(),
                e.slot_number,
                p.starts_at,
                p.ends_at,
                e.teacher_id,
                e.room_id,
                e.teacher_id,
                e.room_id,
                Lesson.Status.NORMAL.value,
                "",
                "",
                at,
                False,
            )
        )
    withdraw = [pk for key, (pk, withdrawn) in existing.items() if key not in planned and withdrawn is None]
    restore = [pk for key, (pk, withdrawn) in existing.items() if key in planned and withdrawn is not None]
    # One transaction: a sync is all or nothing, so a page never shows half a re-planned year.
    with transaction.atomic():
        insert_rows(Lesson, LESSON_ROW, new)  # a year of a school's pattern: 10^5–10^6 rows
        for i in range(0, len(withdraw), 2000):
            Lesson.objects.filter(pk__in=withdraw[i : i + 2000]).update(withdrawn_at=at)
        for i in range(0, len(restore), 2000):
            Lesson.objects.filter(pk__in=restore[i : i + 2000]).update(withdrawn_at=None)
        versions_bump(school_id=school_year.school_id)  # cached pages that show lessons
    return SyncResult(created=len(new), withdrawn=len(withdraw), restored=len(restore))


# ------------------------------------------------------------------------------------------------ pattern import


@dataclass(frozen=True)
class ImportResult:
    batch: TimetableImport
    entries: int
    sync: SyncResult


def pattern_import_apply(
    *, school_year: SchoolYear, check: PatternCheck, by: User, at: dt.datetime, filename: str
) -> ImportResult:
    """Store a checked pattern import (`imports.pattern_check` without errors): new rooms, the named groups' current
    entries ended (or superseded, if not begun) from their cut, the new entries, and the lessons made again from the
    earliest cut. The caller checked that `by` administers the school and made `check` just now for this year."""
    if not check.ok:
        raise ValueError("an import with errors is never stored")
    by_cut: dict[dt.date, list[int]] = {}
    for group_id, cut in check.cut.items():
        by_cut.setdefault(cut, []).append(group_id)
    # One transaction: the old pattern's end, the new pattern and its lessons are stored together or not at all.
    with transaction.atomic():
        batch = TimetableImport.objects.create(
            school_id=school_year.school_id,
            school_year=school_year,
            imported_by=by,
            imported_at=at,
            filename=filename[:200],
            lines=len(check.lines),
        )
        Room.objects.bulk_create(
            [Room(school_id=school_year.school_id, code=code) for code in check.new_rooms], ignore_conflicts=True
        )
        rooms = {
            code.upper(): pk
            for pk, code in Room.objects.filter(school_id=school_year.school_id).values_list("pk", "code")
        }
        live = PatternEntry.objects.filter(school_year=school_year, superseded_by__isnull=True)
        for cut, group_ids in by_cut.items():
            live.filter(group_id__in=group_ids, valid_from__gte=cut).update(superseded_by=batch)
            live.filter(group_id__in=group_ids, valid_from__lt=cut, valid_until__gte=cut).update(
                valid_until=cut - dt.timedelta(days=1)
            )
        PatternEntry.objects.bulk_create(
            [
                PatternEntry(
                    school_id=school_year.school_id,
                    school_year=school_year,
                    group_id=line.group_id,
                    weekday=line.weekday,
                    slot_number=line.slot_number,
                    teacher_id=line.teacher_id,
                    room_id=rooms.get(line.room_code.upper()) if line.room_code else None,
                    week=line.week,
                    valid_from=line.valid_from,
                    valid_until=line.valid_until,
                    batch=batch,
                )
                for line in check.lines
            ],
            batch_size=2000,
        )
        sync = lessons_sync(school_year=school_year, at=at, start=min(check.cut.values()))
    return ImportResult(batch=batch, entries=len(check.lines), sync=sync)


# ------------------------------------------------------------------------------------------------ lesson changes


def _student_ids(group_id: int) -> list[int]:
    from inzage.schools.models import TeachingGroup

    return list(
        TeachingGroup.students.through.objects.filter(teachinggroup_id=group_id).values_list("student_id", flat=True)
    )


def _bump(group_id: int, school_id: int) -> None:
    """Cached pages that show lessons or homework (the start page's today) are rebuilt for the group's students."""
    versions_bump(school_id=school_id, student_ids=_student_ids(group_id))


def _apply_change(
    *,
    lesson: Lesson,
    kind: str,
    by: User | None,
    at: dt.datetime,
    reason: str = "",
    room: Room | None = None,
    teacher: Staff | None = None,
) -> LessonChange:
    tz = ZoneInfo(School.objects.values_list("timezone", flat=True).get(pk=lesson.school_id))
    same_day = at.astimezone(tz).date() == lesson.date
    # One transaction: the change row and the lesson's current state are written together or not at all.
    with transaction.atomic():
        change = LessonChange.objects.create(
            school_id=lesson.school_id,
            lesson=lesson,
            kind=kind,
            room=room,
            teacher=teacher,
            reason=reason,
            made_by=by,
            made_at=at,
            same_day=same_day,
        )
        lesson.changed_at = at
        lesson.changed_same_day = same_day
        fields = ["changed_at", "changed_same_day"]
        if kind == LessonChange.Kind.CANCEL:
            lesson.status, lesson.reason = Lesson.Status.CANCELLED, reason
            fields += ["status", "reason"]
        elif kind == LessonChange.Kind.RESTORE:
            lesson.status, lesson.reason = Lesson.Status.NORMAL, ""
            fields += ["status", "reason"]
        elif kind == LessonChange.Kind.ROOM:
            lesson.room = room
            fields.append("room")
        elif kind == LessonChange.Kind.SUBSTITUTE:
            assert teacher is not None
            lesson.teacher = teacher
            fields.append("teacher")
        lesson.save(update_fields=fields)
        _bump(lesson.group_id, lesson.school_id)
    return change


def lesson_cancel(*, lesson: Lesson, reason: str, by: User | None, at: dt.datetime) -> LessonChange:
    """Cancel a lesson (uitval) with a reason. The caller checked that `by` may change this lesson's timetable."""
    return _apply_change(lesson=lesson, kind=LessonChange.Kind.CANCEL, by=by, at=at, reason=reason.strip())


def lesson_restore(*, lesson: Lesson, reason: str, by: User | None, at: dt.datetime) -> LessonChange:
    """Undo a cancellation: the lesson takes place after all. The caller checked `by`'s right."""
    return _apply_change(lesson=lesson, kind=LessonChange.Kind.RESTORE, by=by, at=at, reason=reason.strip())


def lesson_room_change(*, lesson: Lesson, room: Room, reason: str, by: User | None, at: dt.datetime) -> LessonChange:
    """Move a lesson to another room of the same school. The caller checked `by`'s right."""
    if room.school_id != lesson.school_id:
        raise ValueError("room of another school")
    return _apply_change(lesson=lesson, kind=LessonChange.Kind.ROOM, by=by, at=at, reason=reason.strip(), room=room)


def lesson_substitute(*, lesson: Lesson, teacher: Staff, reason: str, by: User | None, at: dt.datetime) -> LessonChange:
    """Give a lesson a substitute teacher of the same school. The caller checked `by`'s right."""
    if teacher.school_id != lesson.school_id:
        raise ValueError("teacher of another school")
    return _apply_change(
        lesson=lesson, kind=LessonChange.Kind.SUBSTITUTE, by=by, at=at, reason=reason.strip(), teacher=teacher
    )


def lesson_add(
    *,
    group: TeachingGroup,
    kind: str,
    date: dt.date,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    teacher: Staff,
    room: Room | None,
    by: User | None,
    at: dt.datetime,
    slot_number: int | None = None,
    label: str = "",
    reason: str = "",
) -> Lesson:
    """Add an extra lesson (`Lesson.Kind.EXTRA`) or a test-week sitting (`Lesson.Kind.TEST`) for a group, with its
    change row (who, when, why). The caller checked `by`'s right and that the times are sane."""
    if kind not in (Lesson.Kind.EXTRA, Lesson.Kind.TEST):
        raise ValueError("only extra lessons and test sittings are added by hand")
    tz = ZoneInfo(School.objects.values_list("timezone", flat=True).get(pk=group.school_id))
    same_day = at.astimezone(tz).date() == date
    # One transaction: the lesson and the change that says who added it and why.
    with transaction.atomic():
        lesson = Lesson.objects.create(
            school_id=group.school_id,
            school_year_id=group.school_year_id,
            group=group,
            kind=kind,
            date=date,
            slot_number=slot_number,
            starts_at=starts_at,
            ends_at=ends_at,
            planned_teacher=teacher,
            teacher=teacher,
            planned_room=room,
            room=room,
            label=label,
            recorded_at=at,
            changed_at=at,
            changed_same_day=same_day,
        )
        LessonChange.objects.create(
            school_id=group.school_id,
            lesson=lesson,
            kind=LessonChange.Kind.EXTRA if kind == Lesson.Kind.EXTRA else LessonChange.Kind.TEST,
            room=room,
            teacher=teacher,
            reason=reason,
            made_by=by,
            made_at=at,
            same_day=same_day,
        )
        _bump(group.pk, group.school_id)
    return lesson


# ------------------------------------------------------------------------------------------------------ homework


def homework_add(
    *,
    group: TeachingGroup,
    kind: str,
    text: str,
    due_date: dt.date,
    lesson: Lesson | None,
    by: Staff,
    at: dt.datetime,
) -> Homework:
    """Give a group homework or announce a test, due at a lesson or a date. The caller checked that `by` teaches the
    group and that the lesson is the group's."""
    if lesson is not None and lesson.group_id != group.pk:
        raise ValueError("the lesson is another group's")
    with transaction.atomic():
        homework = Homework.objects.create(
            school_id=group.school_id,
            group=group,
            lesson=lesson,
            due_date=lesson.date if lesson is not None else due_date,
            kind=kind,
            text=text.strip(),
            entered_by=by,
            entered_at=at,
        )
        _bump(group.pk, group.school_id)
    return homework


def homework_retract(*, homework: Homework, by: User, at: dt.datetime) -> None:
    """Remove a homework item from students' and parents' view (kept, with who removed it and when). The caller
    checked that `by` teaches the group."""
    if homework.retracted_at is not None:
        return
    with transaction.atomic():
        homework.retracted_at, homework.retracted_by = at, by
        homework.save(update_fields=["retracted_at", "retracted_by"])
        _bump(homework.group_id, homework.school_id)


def homework_done_set(*, student: Student, homework: Homework, done: bool, at: dt.datetime) -> None:
    """Tick or untick a homework item as done: the student's own mark. The caller checked that the student may see
    the item (the homework kind) and is the one asking."""
    if done:
        HomeworkDone.objects.get_or_create(student=student, homework=homework, defaults={"done_at": at})
    else:
        HomeworkDone.objects.filter(student=student, homework=homework).delete()


# ---------------------------------------------------------------------------------------------------- feed tokens


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token_renew(*, user: User, at: dt.datetime) -> str:
    """Revoke the account's current calendar-feed token (if any) and make a new one; returns the secret (shown once:
    only its hash is stored). The caller checked that `user` is the one asking."""
    token = secrets.token_urlsafe(32)
    # One transaction: there is never a moment with two live tokens, nor one without the old revoked.
    with transaction.atomic():
        FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=at)
        FeedToken.objects.create(user=user, token_hash=feed_token_hash(token), created_at=at)
    return token


def feed_token_revoke(*, user: User, at: dt.datetime) -> int:
    """Revoke the account's calendar-feed token: its URL answers 404 from now on. Returns how many were revoked."""
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=at)
