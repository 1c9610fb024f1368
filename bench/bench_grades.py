"""Grades benchmarks: `grades.class_averages` (ms: a class's report grades and year averages, load + compute, best of
7 runs), `grades.class_averages_period_weights` (the same class with the year average from period averages with
period weights 25/25/25/25 and two decimals) and `grades.import_100k` (s). Builds its own data."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import connection
from django.utils import timezone

CLASS_SIZE = 30
SUBJECTS = 15
COLUMNS_PER_SUBJECT = 12
REPEATS = 7
IMPORT_STUDENTS = 1000
IMPORT_GROUPS = 10
IMPORT_COLUMNS_PER_GROUP = 100  # 1000 students × 100 columns (10 groups of 100 students) = 100,000 results


def _school():
    from inzage.testing import factories as f
    from inzage.testing.personas import PERIOD_DATES

    school = f.SchoolFactory()
    year = f.SchoolYearFactory(school=school)
    periods = [
        f.PeriodFactory(school_year=year, number=i + 1, start=start, end=end)
        for i, (start, end) in enumerate(PERIOD_DATES)
    ]
    return school, year, periods


def _students(school, n, prefix):
    from inzage.people.models import Student

    return Student.objects.bulk_create(
        [
            Student(
                school=school,
                student_number=f"{prefix}{i:06d}",
                first_name="Sem",
                last_name=f"Leerling {i}",
                date_of_birth=dt.date(2010, 1, 1),
                start_date=dt.date(2022, 8, 22),
            )
            for i in range(n)
        ]
    )


def bench_class_averages() -> tuple[float, float]:
    from inzage.grades.actions import assessment_kinds_ensure
    from inzage.grades.averages import GradeRules, YearRule
    from inzage.grades.models import AssessmentKind, Column, Result
    from inzage.grades.queries import class_averages
    from inzage.schools.models import Subject, TeachingGroup

    rng = random.Random(1)
    school, year, periods = _school()
    assessment_kinds_ensure(school_id=school.pk)
    kind = AssessmentKind.objects.filter(school=school).first()
    students = _students(school, CLASS_SIZE, "A")
    now = timezone.now()
    columns = []
    for s in range(SUBJECTS):
        subject = Subject.objects.create(school=school, code=f"vak{s}", name=f"Vak {s}")
        group = TeachingGroup.objects.create(school=school, school_year=year, subject=subject, name=f"g{s}")
        group.students.add(*students)
        for c in range(COLUMNS_PER_SUBJECT):
            period = periods[c % len(periods)]
            columns.append(
                Column(
                    school=school,
                    teaching_group=group,
                    subject=subject,
                    period=period,
                    kind=kind,
                    name=f"T{c}",
                    code=f"T{c}",
                    date=period.start,
                    weight=Decimal(1 + c % 3),
                    release_at=now,
                )
            )
    Column.objects.bulk_create(columns)
    Result.objects.bulk_create(
        [
            Result(
                school=school, column=column, student=student, value=Decimal(rng.randint(10, 100)) / 10, entered_at=now
            )
            for column in columns
            for student in students
        ]
    )
    student_ids = [s.pk for s in students]
    by_periods = GradeRules(
        year_rule=YearRule.PERIOD_WEIGHTS, period_weights={p.pk: Decimal(25) for p in periods}, decimals=2
    )
    figures = []
    for rules in (None, by_periods):
        timings = []
        for _ in range(REPEATS):  # the best of a few runs: the figure is the work, not the neighbours' noise
            start = time.perf_counter()
            averages = class_averages(Result.objects.filter(student_id__in=student_ids), rules=rules)
            timings.append(time.perf_counter() - start)
            assert len(averages) == CLASS_SIZE
            assert all(len(a.year_averages) == SUBJECTS for a in averages.values())
        figures.append(min(timings) * 1000)
    return figures[0], figures[1]


def bench_import_100k() -> float:
    from inzage.grades.actions import assessment_kinds_ensure
    from inzage.grades.imports import import_apply, import_plan
    from inzage.grades.models import AssessmentKind, Column, Result
    from inzage.schools.models import Subject, TeachingGroup

    rng = random.Random(2)
    school, year, periods = _school()
    assessment_kinds_ensure(school_id=school.pk)
    kind = AssessmentKind.objects.filter(school=school).first()
    students = _students(school, IMPORT_STUDENTS, "B")
    subject = Subject.objects.create(school=school, code="imp", name="Import")
    now = timezone.now()
    lines = ["leerlingnummer;groep;kolom;cijfer"]
    groups = []
    per_group = IMPORT_STUDENTS // IMPORT_GROUPS
    for g in range(IMPORT_GROUPS):
        group = TeachingGroup.objects.create(school=school, school_year=year, subject=subject, name=f"imp{g}")
        members = students[g * per_group : (g + 1) * per_group]
        group.students.add(*members)
        groups.append(group)
        Column.objects.bulk_create(
            [
                Column(
                    school=school,
                    teaching_group=group,
                    subject=subject,
                    period=periods[c % 4],
                    kind=kind,
                    name=f"Toets {c}",
                    code=f"T{c}",
                    date=dt.date(2025, 9, 1),
                    release_at=now,
                )
                for c in range(IMPORT_COLUMNS_PER_GROUP)
            ]
        )
        for c in range(IMPORT_COLUMNS_PER_GROUP):
            for s in members:
                grade = rng.randint(10, 100)
                lines.append(f"{s.student_number};{group.name};T{c};{grade // 10},{grade % 10}")
    text = "\n".join(lines) + "\n"
    start = time.perf_counter()
    plan = import_plan(text=text, groups=groups)
    assert not plan.errors, plan.errors[:3]
    outcome = import_apply(plan=plan, by=None, at=now, file_name="bench.csv")
    elapsed = time.perf_counter() - start
    assert outcome.created == IMPORT_STUDENTS * IMPORT_COLUMNS_PER_GROUP, outcome
    assert Result.objects.filter(column__teaching_group__in=groups).count() == outcome.created
    return elapsed


def run() -> list[tuple[str, float, str]]:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
    all_results, by_periods = bench_class_averages()
    return [
        ("grades.class_averages", all_results, "ms"),
        ("grades.class_averages_period_weights", by_periods, "ms"),
        ("grades.import_100k", bench_import_100k(), "s"),
    ]
