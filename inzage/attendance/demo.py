"""Demo attendance: the school's defaults (settings, reason codes, come-back rules), registrations of the past lessons
of the last school weeks (mostly present, some late or absent, most absences explained, a few not), one student of
the demo mentor's class over the DUO threshold (a new signal on `verzuim`'s worklist) and one approaching it, one open
sick report and one ended, a pending leave request, and come-back measures.

Runs after the timetable's demo extension and uses whatever lessons exist: with no lessons it only sets the defaults
(it creates none). Everything is written with `bulk_create` in dependency order; a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from inzage.attendance import actions, rules
from inzage.attendance.models import (
    LeaveRequest,
    LessonRegistration,
    Measure,
    MeasureRule,
    ReasonCode,
    Registration,
    RegistrationVersion,
    SickReport,
    Status,
)
from inzage.people.models import Staff
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import ClassMembership, School, TeachingGroup
from inzage.timetable.models import Lesson

LOOKBACK_SCHOOL_DAYS = 20  # four school weeks: the DUO window
ABSENT_RATE = 0.025
LATE_RATE = 0.025
REMOVED_RATE = 0.002
UNEXPLAINED_SHARE = 0.15  # of the absences: no reason given (unauthorised once the school's deadline passes)
UNREGISTERED_LESSONS_OF_DOCENT = 2  # the demo teacher's last lessons stay unregistered (flagged on the start page)
OVER_THRESHOLD_HOURS = 17
APPROACHING_HOURS = 11


def seed_demo_data(*, school: School, rng: random.Random, today: dt.date) -> None:
    actions.attendance_defaults_ensure(school=school)
    calendar = SchoolCalendar.load(school)
    since = calendar.start_of_day(_school_days_back(calendar, today, LOOKBACK_SCHOOL_DAYS))
    until = calendar.start_of_day(today)  # past lessons only: today's are for the teacher to register
    lessons = list(
        Lesson.objects.filter(
            school=school,
            starts_at__gte=since,
            ends_at__lte=until,
            withdrawn_at__isnull=True,
            status=Lesson.Status.NORMAL,
        )
        .order_by("starts_at", "pk")
        .only("pk", "group_id", "teacher_id", "starts_at", "ends_at", "date")
    )
    if not lessons:
        return
    users = dict(Staff.objects.filter(school=school, user__isnull=False).values_list("pk", "user_id"))
    fallback_user = next(iter(users.values()), None)
    if fallback_user is None:
        return
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, student_id in TeachingGroup.students.through.objects.filter(teachinggroup__school=school).values_list(
        "teachinggroup_id", "student_id"
    ):
        members[group_id].append(student_id)
    reasons = {r.code: r for r in ReasonCode.objects.filter(school=school)}
    docent = Staff.objects.filter(school=school, user__username="docent").values_list("pk", flat=True).first()
    skipped = {x.pk for x in [x for x in lessons if x.teacher_id == docent][-UNREGISTERED_LESSONS_OF_DOCENT:]}

    mentor_class = (
        Staff.objects.filter(school=school, user__username="mentor")
        .values_list("mentor_classes__pk", flat=True)
        .first()
    )
    klas = sorted(
        ClassMembership.objects.filter(school_class_id=mentor_class).values_list("student_id", flat=True)
        if mentor_class
        else []
    )
    personas = set(
        ClassMembership.objects.filter(
            school_class_id=mentor_class, student__user__username__in=["leerling", "leerling16", "leerling18"]
        ).values_list("student_id", flat=True)
    )
    others = [sid for sid in klas if sid not in personas]
    truant, approaching, sick_now, sick_before, on_leave = (others + [None] * 5)[:5]
    truant_hours = {truant: OVER_THRESHOLD_HOURS, approaching: APPROACHING_HOURS}

    rows: list[Registration] = []
    registered: list[LessonRegistration] = []
    minutes_given: dict[int | None, int] = defaultdict(int)
    deadline_day = _school_days_back(calendar, today, 3)  # absence before this is past the explaining deadline
    window_day = _school_days_back(calendar, today, 15)  # inside the current 4-school-week window
    for lesson in lessons:
        if lesson.pk in skipped:
            continue
        user_id = users.get(lesson.teacher_id, fallback_user)
        recorded = lesson.ends_at - dt.timedelta(minutes=5)
        registered.append(
            LessonRegistration(school=school, lesson_id=lesson.pk, registered_at=recorded, registered_by_id=user_id)
        )
        minutes = round((lesson.ends_at - lesson.starts_at).total_seconds() / 60)
        for sid in members.get(lesson.group_id, ()):
            status, late, note, reason = _draw(rng, reasons)
            wanted = truant_hours.get(sid) if sid in truant_hours else None
            if (
                wanted
                and window_day <= lesson.date < deadline_day
                and minutes_given[sid] < wanted * 60
                and rng.random() < 0.5
            ):
                status, late, note, reason = Status.ABSENT, 0, "", None  # unexplained, past the deadline
                minutes_given[sid] += minutes
            elif sid in truant_hours and status == Status.ABSENT:
                status, reason = Status.PRESENT, None  # keep their count to what is planned above
            if status == Status.PRESENT:
                continue
            rows.append(
                Registration(
                    school=school,
                    student_id=sid,
                    group_id=lesson.group_id,
                    lesson_id=lesson.pk,
                    starts_at=lesson.starts_at,
                    minutes=minutes,
                    status=status,
                    late_minutes=late,
                    note=note,
                    reason=reason,
                    recorded_at=recorded,
                    guardian_release_at=recorded,
                    recorded_by_id=user_id,
                )
            )
    LessonRegistration.objects.bulk_create(registered, batch_size=5000)
    Registration.objects.bulk_create(rows, batch_size=5000)
    RegistrationVersion.objects.bulk_create(
        (
            RegistrationVersion(
                school=school,
                registration=r,
                version=1,
                status=r.status,
                late_minutes=r.late_minutes,
                note=r.note,
                reason=r.reason,
                changed_at=r.recorded_at,
                changed_by_id=r.recorded_by_id,
            )
            for r in rows
        ),
        batch_size=5000,
    )
    _measures(school=school, rows=rows, calendar=calendar, today=today)
    _sick_and_leave(
        school=school,
        calendar=calendar,
        today=today,
        user_id=fallback_user,
        sick_now=sick_now,
        sick_before=sick_before,
        on_leave=on_leave,
        guardian_users=_guardian_users([sick_now, sick_before, on_leave]),
    )
    # The scan the attendance officer would run: the student over the threshold becomes a new signal.
    actions.duo_scan(school=school, at=until, calendar=calendar)


def _draw(rng: random.Random, reasons: dict[str, ReasonCode]) -> tuple[str, int, str, ReasonCode | None]:
    x = rng.random()
    if x < ABSENT_RATE:
        if rng.random() < UNEXPLAINED_SHARE:
            return Status.ABSENT, 0, "", None
        return Status.ABSENT, 0, "", reasons.get(rng.choice(["ziek", "ziek", "ziek", "medisch", "familie"]))
    if x < ABSENT_RATE + LATE_RATE:
        return Status.LATE, rng.choice([3, 5, 5, 8, 10, 15]), "", None
    if x < ABSENT_RATE + LATE_RATE + REMOVED_RATE:
        return Status.REMOVED, 0, rng.choice(["stoorde de les", "telefoon niet weg", "grof taalgebruik"]), None
    return Status.PRESENT, 0, "", None


def _school_days_back(calendar: SchoolCalendar, today: dt.date, n: int) -> dt.date:
    day, found = today, 0
    for _step in range(400):
        if found >= n:
            break
        day -= dt.timedelta(days=1)
        found += calendar.is_school_day(day)
    return day


def _measures(*, school: School, rows: list[Registration], calendar: SchoolCalendar, today: dt.date) -> None:
    """Come-back measures from the school's rules: the last week's open (or done), older ones done."""
    rules = {r.trigger: r for r in MeasureRule.objects.filter(school=school, active=True)}
    recent = calendar.start_of_day(_school_days_back(calendar, today, 5))
    measures = []
    for i, r in enumerate(rows):
        rule = rules.get(r.status)
        if rule is None or r.starts_at < recent:
            continue
        due = actions._measure_due(rule, calendar, calendar.local_date(r.starts_at))
        done = due < calendar.start_of_day(today) and i % 4 != 0  # a few missed: still open after their time
        measures.append(
            Measure(
                school=school,
                student_id=r.student_id,
                registration=r,
                rule=rule,
                text=rule.text,
                due_at=due,
                created_at=r.recorded_at,
                state=Measure.State.DONE if done else Measure.State.OPEN,
                closed_at=due if done else None,
                closed_by_id=r.recorded_by_id if done else None,
            )
        )
    Measure.objects.bulk_create(measures, batch_size=5000)


def _guardian_users(student_ids: list[int | None]) -> dict[int, int]:
    from inzage.people.models import GuardianRelation

    out: dict[int, int] = {}
    for sid, user_id in GuardianRelation.objects.filter(
        student_id__in=[s for s in student_ids if s], custody="with_gezag", guardian__user__isnull=False
    ).values_list("student_id", "guardian__user_id"):
        out.setdefault(sid, user_id)
    return out


def _sick_and_leave(
    *,
    school: School,
    calendar: SchoolCalendar,
    today: dt.date,
    user_id: int,
    sick_now: int | None,
    sick_before: int | None,
    on_leave: int | None,
    guardian_users: dict[int, int],
) -> None:
    """One open sick report (since this morning), one ended last week, one pending leave request."""
    morning = calendar.start_of_day(today) + dt.timedelta(hours=7, minutes=30)
    reports = []
    if sick_now is not None:
        reports.append(
            SickReport(
                school=school,
                student_id=sick_now,
                reported_by_id=guardian_users.get(sick_now, user_id),
                reported_by_kind="guardian" if sick_now in guardian_users else "staff",
                reported_at=morning,
                starts_at=morning,
            )
        )
    if sick_before is not None:
        start = calendar.start_of_day(_school_days_back(calendar, today, 6)) + dt.timedelta(hours=7, minutes=45)
        end = calendar.start_of_day(_school_days_back(calendar, today, 4)) + dt.timedelta(hours=8)
        reporter = guardian_users.get(sick_before, user_id)
        reports.append(
            SickReport(
                school=school,
                student_id=sick_before,
                reported_by_id=reporter,
                reported_by_kind="guardian" if sick_before in guardian_users else "staff",
                reported_at=start,
                starts_at=start,
                ends_at=end,
                ended_by_id=reporter,
                ended_reported_at=end,
            )
        )
    SickReport.objects.bulk_create(reports)
    if on_leave is not None:
        first = rules.school_days_after(calendar, today, 15)
        LeaveRequest.objects.bulk_create(
            [
                LeaveRequest(
                    school=school,
                    student_id=on_leave,
                    kind=LeaveRequest.Kind.IMPORTANT,
                    start=first,
                    end=rules.school_days_after(calendar, first, 1),
                    school_days=2,
                    explanation="Bruiloft van een broer in het buitenland.",
                    requested_by_id=guardian_users.get(on_leave, user_id),
                    requested_at=calendar.start_of_day(today) - dt.timedelta(hours=4),
                )
            ]
        )
