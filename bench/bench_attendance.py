"""Attendance: saving a lesson's registration, and the DUO scan of a whole school year.

- attendance.register_lesson_queries_3 / _30: the queries of one POST of the lesson page (the teacher saves the
  whole lesson: some absent, some late, the rest present) for a group of 3 and of 30 students, after a warm-up
  request. They must be equal (asserted): the count does not grow with the class.
- attendance.duo_scan_s: wall time of `actions.duo_scan` (read every absence and lateness of the year, apply sick
  reports, leave and reasons, run the detector per student of compulsory school age, write the new reports) for a
  school of 20,000 students over a whole school year: ~700 groups of 28-29 students with 30 lessons a week, about
  5 % of the seats absent or late (most with a reason, some unexplained, sick reports for some). Budget: under 10 s.
- attendance.duo_scan_rows / _signals: how many registrations the scan read and how many reports it wrote.

The year is written with multi-row INSERTs on a raw cursor (bulk_create costs ~0.3 ms a row; a million rows would
take minutes), values prepared by the database backend's own adapters.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")
STUDENTS = int(os.environ.get("BENCH_ATTENDANCE_STUDENTS", "20000"))  # smaller for a quick try
GROUP_SIZE = 28
LESSONS_A_WEEK = 30  # 6 a day
ABSENT = 0.03
LATE = 0.02
TRUANTS = 0.01  # of the students: often absent without a reason (the scan finds them)
TRUANT_ABSENT = 0.15
BATCH = 2000


def _lesson_with_students(p, n: int):
    from inzage.testing import factories as f
    from inzage.timetable.models import Lesson

    group = f.TeachingGroupFactory(school_year=p.year, subject=p.subject)
    group.teachers.add(p.teacher)
    for _ in range(n):
        group.students.add(f.StudentFactory(school=p.school))
    start = dt.datetime(2025, 10, 6, 8, 30, tzinfo=AMS)
    return Lesson.objects.create(
        school=p.school,
        school_year=p.year,
        group=group,
        kind=Lesson.Kind.EXTRA,
        date=start.date(),
        slot_number=1,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=50),
        planned_teacher=p.teacher,
        teacher=p.teacher,
        recorded_at=start,
    )


def _save_queries(client, lesson) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    students = list(lesson.group.students.all())
    data = {f"status-{s.pk}": ("absent" if i % 3 == 0 else "present") for i, s in enumerate(students)}
    data |= {f"status-{s.pk}": "late" for s in students[1::5]} | {f"late-{s.pk}": "5" for s in students[1::5]}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("attendance:lesson", args=[lesson.pk]), data)
    assert response.status_code == 302, response.status_code
    return len(queries)


def register_lesson_queries(p) -> tuple[int, int]:
    from django.test import Client

    from inzage.attendance import actions

    actions.attendance_defaults_ensure(school=p.school)
    warm, small, large = (_lesson_with_students(p, n) for n in (3, 3, 30))
    client = Client()
    client.force_login(p.user("teacher"))
    _save_queries(client, warm)
    return _save_queries(client, small), _save_queries(client, large)


def _insert(table: str, columns: list[str], rows) -> int:
    """Multi-row INSERTs of prepared tuples; returns the number of rows."""
    from django.db import connection

    n = 0
    with connection.cursor() as cursor:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                n += _flush(cursor, table, columns, batch)
                batch = []
        if batch:
            n += _flush(cursor, table, columns, batch)
    return n


def _flush(cursor, table: str, columns: list[str], batch: list[tuple]) -> int:
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one] * len(batch))
    cursor.execute(sql, [v for row in batch for v in row])
    return len(batch)


def _year(p, rng: random.Random) -> dict[str, int]:
    """20,000 students in groups of 28 with 30 lessons a week for the personas' school year; ~5 % of the seats
    registered absent or late; sick reports for a part of the absences."""
    from django.db import connection

    from inzage.attendance.models import ReasonCode, Registration, SickReport
    from inzage.people.models import Student
    from inzage.schools.calendar import SchoolCalendar
    from inzage.schools.models import CalendarRange, TeachingGroup
    from inzage.timetable.models import Lesson

    school, year = p.school, p.year
    for code, start, end in [
        ("herfst", dt.date(2025, 10, 18), dt.date(2025, 10, 26)),
        ("kerst", dt.date(2025, 12, 20), dt.date(2026, 1, 4)),
        ("voorjaar", dt.date(2026, 2, 14), dt.date(2026, 2, 22)),
        ("mei", dt.date(2026, 4, 25), dt.date(2026, 5, 10)),
    ]:
        CalendarRange.objects.get_or_create(
            school=school,
            school_year=year,
            code=code,
            defaults={"kind": "holiday", "name": code, "start": start, "end": end},
        )
    adapt_dt = connection.ops.adapt_datetimefield_value
    adapt_date = connection.ops.adapt_datefield_value
    students = [
        Student(
            school=school,
            student_number=f"B{i:06d}",
            first_name=f"L{i}",
            last_name="Bench",
            date_of_birth=dt.date(2010 + i % 4, 1 + i % 12, 1 + i % 28),
            start_date=dt.date(2022, 8, 20),
        )
        for i in range(STUDENTS)
    ]
    Student.objects.bulk_create(students, batch_size=5000)
    ids = list(Student.objects.filter(school=school, last_name="Bench").order_by("pk").values_list("pk", flat=True))
    groups = TeachingGroup.objects.bulk_create(
        [
            TeachingGroup(school=school, school_year=year, subject=p.subject, name=f"bench-{g}")
            for g in range(len(ids) // GROUP_SIZE + 1)
        ]
    )
    members = {g.pk: ids[i * GROUP_SIZE : (i + 1) * GROUP_SIZE] for i, g in enumerate(groups)}
    through = TeachingGroup.students.through
    _insert(
        through._meta.db_table,
        ["teachinggroup_id", "student_id"],
        ((gid, sid) for gid, sids in members.items() for sid in sids),
    )
    calendar = SchoolCalendar.load(school)
    days = []
    day = year.start
    while day <= year.end:
        if calendar.is_school_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    per_day = LESSONS_A_WEEK // 5
    slots = {
        (d, h): dt.datetime.combine(d, dt.time(8, 30), tzinfo=AMS) + dt.timedelta(minutes=50 * h)
        for d in days
        for h in range(per_day)
    }
    start_text = {k: adapt_dt(v) for k, v in slots.items()}
    end_text = {k: adapt_dt(v + dt.timedelta(minutes=50)) for k, v in slots.items()}
    recorded = adapt_dt(dt.datetime(2025, 8, 1, tzinfo=AMS))
    lesson_table = Lesson._meta.db_table
    columns = [
        "school_id", "school_year_id", "group_id", "kind", "date", "slot_number", "starts_at", "ends_at",
        "planned_teacher_id", "teacher_id", "status", "reason", "label", "recorded_at", "changed_same_day",
    ]  # fmt: skip
    _insert(
        lesson_table,
        columns,
        (
            (school.pk, year.pk, g.pk, "extra", adapt_date(d), h + 1, start_text[d, h], end_text[d, h],
             p.teacher.pk, p.teacher.pk, "normal", "", "", recorded, False)
            for g in groups
            for d in days
            for h in range(per_day)
        ),
    )  # fmt: skip
    lessons = (
        Lesson.objects.filter(group_id__in=members)
        .values_list("pk", "group_id", "starts_at")
        .iterator(chunk_size=20000)
    )
    reasons = {r.code: r.pk for r in ReasonCode.objects.filter(school=school)}
    reason_choice = [reasons["ziek"]] * 5 + [reasons["medisch"], reasons["familie"], None, None]
    user_id = p.user("teacher").pk
    sick_students = set(rng.sample(ids, STUDENTS // 20))
    truants = set(rng.sample(ids, max(1, int(STUDENTS * TRUANTS))))
    reg_columns = [
        "school_id", "student_id", "group_id", "lesson_id", "starts_at", "minutes", "status", "late_minutes",
        "note", "reason_id", "recorded_at", "guardian_release_at", "recorded_by_id", "version",
    ]  # fmt: skip
    absent_or_late = ABSENT + LATE
    first_sick: dict[int, dt.datetime] = {}

    def registrations():
        random_ = rng.random
        for lesson_id, group_id, starts_at in lessons:
            at = adapt_dt(starts_at)
            for sid in members[group_id]:
                x = random_()
                if sid in truants and x < TRUANT_ABSENT:
                    yield (school.pk, sid, group_id, lesson_id, at, 50, "absent", 0, "", None, at, at, user_id, 1)
                    continue
                if x >= absent_or_late:
                    continue
                if x < ABSENT:
                    reason = reason_choice[int(random_() * len(reason_choice))]
                    if sid in sick_students and sid not in first_sick:
                        first_sick[sid] = starts_at
                    yield (school.pk, sid, group_id, lesson_id, at, 50, "absent", 0, "", reason, at, at, user_id, 1)
                else:
                    yield (school.pk, sid, group_id, lesson_id, at, 50, "late", 5 + int(random_() * 10), "", None,
                           at, at, user_id, 1)  # fmt: skip

    n_regs = _insert(Registration._meta.db_table, reg_columns, registrations())
    SickReport.objects.bulk_create(
        SickReport(
            school=school, student_id=sid, reported_by_id=user_id, reported_by_kind="guardian", reported_at=start,
            starts_at=start, ends_at=start + dt.timedelta(days=2),
        )
        for sid, start in first_sick.items()
    )  # fmt: skip
    return {"registrations": n_regs, "lessons": len(groups) * len(days) * per_day}


def run() -> list[tuple[str, float, str]]:
    from django.conf import settings

    from inzage.attendance import actions
    from inzage.schools.calendar import SchoolCalendar
    from inzage.testing.personas import build_personas

    os.environ["INZAGE_NOW"] = "2025-10-06T10:00:00+02:00"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.INZAGE_STAFF_MFA_REQUIRED = False  # the second factor is not what is measured here
    p = build_personas()
    actions.attendance_defaults_ensure(school=p.school)
    small, large = register_lesson_queries(p)
    assert small == large, (small, large)

    from django.db import connection

    if connection.vendor == "sqlite":  # the build only: a throw-away database, no need to wait for the disk
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    t0 = time.perf_counter()
    sizes = _year(p, random.Random(1))
    build_s = time.perf_counter() - t0
    calendar = SchoolCalendar.load(p.school)
    at = calendar.end_of_day(p.year.end)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE attendance_registration")
    t0, c0 = time.perf_counter(), time.process_time()
    reports = actions.duo_scan(school=p.school, at=at, calendar=calendar)
    scan_s, scan_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    from inzage.attendance.queries import duo_history

    rows = sum(len(v) for v in duo_history(school_id=p.school.pk, at=at, calendar=calendar).values())
    return [
        ("attendance.register_lesson_queries_3", float(small), "queries"),
        ("attendance.register_lesson_queries_30", float(large), "queries"),
        ("attendance.duo_scan_s", scan_s, "s"),
        ("attendance.duo_scan_cpu_s", scan_cpu_s, "s"),
        ("attendance.duo_scan_registrations", float(sizes["registrations"]), "rows"),
        ("attendance.duo_scan_counted", float(rows), "absences"),
        ("attendance.duo_scan_signals", float(len(reports)), "reports"),
        ("attendance.duo_scan_build_s", build_s, "s"),
    ]
