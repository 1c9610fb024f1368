"""Demo grades for a seeded school: a year of columns and results, resits, exemptions, missing work, reflection
reports, judgements, a PTA for the exam years and mixed release choices. Deterministic given `rng`.

Called by the demo seeder after the core data (school year, periods, teaching groups with students). Fast: everything
is written with bulk_create in batches and read in a few bulk queries (no per-row queries), so a 20,000-student
school takes about a minute.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from inzage.grades.actions import assessment_kinds_ensure, column_snapshot
from inzage.grades.bulk_insert import insert_rows
from inzage.grades.models import (
    AssessmentKind,
    Column,
    ColumnVersion,
    ProgrammeChange,
    ProgrammeItem,
    Result,
    ResultVersion,
    TestingProgramme,
)
from inzage.grades.programmes import programme_deadline
from inzage.schools.models import Period, School, SchoolYear, TeachingGroup, YearGroup

BATCH = 5000
TARGET_PER_STUDENT = 40  # results per student, spread over their groups (30–60 in practice)
KIND_PLAN = [("so", Decimal("1")), ("toets", Decimal("2")), ("pract", Decimal("2")), ("tw", Decimal("3"))]
JUDGED_SUBJECTS = {"lo", "ckv", "bv", "mu", "dr", "lv"}  # PE and arts: voldoende/goed
REFLECTION_TEXTS = [
    "Je plant je werk goed en vraagt op tijd om hulp.",
    "Je werkt zelfstandig; let op het nakijken van je eigen werk.",
    "Mooie groei in het redeneren; oefen nog met de uitleg in woorden.",
    "Je hebt het onderzoek zorgvuldig opgezet en eerlijk gereflecteerd.",
]


def _current_year(school: School, today: dt.date) -> SchoolYear | None:
    years = list(SchoolYear.objects.filter(school=school).order_by("start"))
    for year in years:
        if year.start <= today <= year.end:
            return year
    started = [y for y in years if y.start <= today]
    return started[-1] if started else None


def _school_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _period_on(periods: list[Period], day: dt.date) -> Period:
    for period in periods:
        if period.start <= day <= period.end:
            return period
    before = [p for p in periods if p.start <= day]
    return before[-1] if before else periods[0]


def _cohort(year: SchoolYear, yg: YearGroup) -> str:
    """The cohort (lichting) by its exam year, e.g. "examen 2027" for havo 4 in 2025–2026."""
    return f"examen {year.start.year + (yg.level.years - yg.year) + 1}"


def _grade(rng: random.Random, ability: float) -> Decimal:
    value = min(10.0, max(1.0, rng.gauss(ability, 1.2)))
    return Decimal(f"{value:.1f}")


def seed_demo_data(*, school: School, rng: random.Random, today: dt.date) -> None:
    """Seed the school's grades for its current school year, with columns dated up to `today` only."""
    year = _current_year(school, today)
    if year is None:
        return
    periods = list(Period.objects.filter(school_year=year).order_by("number"))
    if not periods:
        return
    last_day = min(today, year.end)
    if last_day < year.start:
        return
    tz = ZoneInfo(school.timezone)
    assessment_kinds_ensure(school_id=school.pk)
    kinds = {k.code: k for k in AssessmentKind.objects.filter(school=school)}
    groups = list(
        TeachingGroup.objects.filter(school_year=year).select_related("subject", "year_group__level").order_by("pk")
    )
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, student_id in (
        TeachingGroup.students.through.objects.filter(teachinggroup__school_year=year)
        .order_by("teachinggroup_id", "student_id")
        .values_list("teachinggroup_id", "student_id")
    ):
        members[group_id].append(student_id)
    groups = [g for g in groups if members.get(g.pk)]
    if not groups:
        return
    group_count: dict[int, int] = defaultdict(int)
    for ids in members.values():
        for student_id in ids:
            group_count[student_id] += 1
    average_groups = sum(group_count.values()) / len(group_count)
    per_group = max(2, min(15, round(TARGET_PER_STUDENT / average_groups)))
    span = (last_day - year.start).days
    ability = {sid: rng.uniform(5.0, 8.3) for sid in sorted(group_count)}
    created_at = dt.datetime.combine(year.start, dt.time(8, 0), tzinfo=tz)

    with transaction.atomic():  # all demo grades or none: a half-seeded school is confusing
        programmes = _seed_programmes(school=school, year=year, groups=groups, periods=periods, kinds=kinds)
        columns: list[Column] = []
        resit_plans: list[tuple[Column, dt.date]] = []
        for group in groups:
            yg = group.year_group
            exam_year = yg is not None and yg.year >= yg.level.years - 1
            lower_year = yg is not None and yg.year <= 2
            judged = group.subject.code in JUDGED_SUBJECTS
            for index in range(per_group):
                day = _school_day(year.start + dt.timedelta(days=round(span * (index + 1) / (per_group + 1))))
                code, weight = KIND_PLAN[index % len(KIND_PLAN)]
                result_type = Column.ResultType.JUDGEMENT if judged else Column.ResultType.NUMBER
                if lower_year and index == per_group - 1:
                    code, weight, result_type = "refl", Decimal("0"), Column.ResultType.TEXT
                roll = rng.random()
                if roll < 0.05:
                    mode, release_at = Column.ReleaseMode.HELD, None
                elif roll < 0.10 or day == last_day:
                    mode = Column.ReleaseMode.AT
                    release_at = dt.datetime.combine(today + dt.timedelta(days=rng.randint(1, 5)), dt.time(17, 0), tz)
                else:
                    mode = Column.ReleaseMode.NOW
                    release_at = dt.datetime.combine(day + dt.timedelta(days=rng.randint(1, 6)), dt.time(16, 0), tz)
                exam_weight = weight * 5 if exam_year and code in ("tw", "pract") else Decimal("0")
                item = None
                if exam_year and yg is not None:
                    item = programmes.get((group.subject_id, yg.level_id, _cohort(year, yg), code, index))
                column = Column(
                    school=school,
                    teaching_group=group,
                    subject=group.subject,
                    period=_period_on(periods, day),
                    kind=kinds[code],
                    name=f"{kinds[code].name} {index + 1}",
                    code=f"{code.upper()}{index + 1}",
                    date=day,
                    result_type=result_type,
                    weight=weight,
                    exam_weight=exam_weight,
                    release_mode=mode,
                    release_at=release_at,
                    created_at=created_at,
                    version=1,
                    programme_item=item,
                )
                columns.append(column)
                resit_day = _school_day(day + dt.timedelta(days=14))
                if code == "tw" and result_type == Column.ResultType.NUMBER and resit_day <= last_day:
                    resit_plans.append((column, resit_day))
        Column.objects.bulk_create(columns, batch_size=BATCH)
        resits = []
        for original, day in resit_plans:
            resits.append(
                Column(
                    school=school,
                    teaching_group_id=original.teaching_group_id,
                    subject_id=original.subject_id,
                    period=_period_on(periods, day),
                    kind=original.kind,
                    name=f"Herkansing {original.name}",
                    code=f"H{original.code}",
                    date=day,
                    weight=original.weight,
                    exam_weight=original.exam_weight,
                    resit_of=original,
                    resit_rule=Column.ResitRule.HIGHEST,
                    release_mode=Column.ReleaseMode.NOW,
                    release_at=dt.datetime.combine(day + dt.timedelta(days=2), dt.time(16, 0), tz),
                    created_at=created_at,
                    version=1,
                )
            )
        Column.objects.bulk_create(resits, batch_size=BATCH)
        ColumnVersion.objects.bulk_create(
            [
                ColumnVersion(
                    school=school,
                    column=c,
                    version=1,
                    action=ColumnVersion.Action.CREATE,
                    snapshot=column_snapshot(c),
                    changed_at=created_at,
                    reason="demo",
                )
                for c in columns + resits
            ],
            batch_size=BATCH,
        )
        _seed_results(school=school, rng=rng, columns=columns, resits=resits, members=members, ability=ability, tz=tz)


def _seed_results(
    *,
    school: School,
    rng: random.Random,
    columns: list[Column],
    resits: list[Column],
    members: dict[int, list[int]],
    ability: dict[int, float],
    tz: ZoneInfo,
) -> None:
    """Results and their first versions as plain rows (hundreds of thousands: model instances are too slow)."""
    resit_of = {r.resit_of_id: r for r in resits if r.resit_of_id is not None}
    failed: dict[int, list[int]] = defaultdict(list)
    rows: list[tuple[Any, ...]] = []
    normal = Result.Status.NORMAL
    for column in columns:
        entered = dt.datetime.combine(column.date + dt.timedelta(days=1), dt.time(15, 0), tz)
        for student_id in members[column.teaching_group_id]:
            roll = rng.random()
            if roll < 0.02:
                continue  # missing work: no result at all
            value, judgement, text, status = None, "", "", normal
            if roll < 0.05:
                status = Result.Status.NOT_MADE
            elif roll < 0.07:
                status = Result.Status.EXEMPT
            elif column.result_type == Column.ResultType.TEXT:
                text = rng.choice(REFLECTION_TEXTS)
            elif column.result_type == Column.ResultType.JUDGEMENT:
                judgement = rng.choice("ovvggg")
            else:
                value = _grade(rng, ability[student_id])
                if roll < 0.08:
                    status = Result.Status.NOT_COUNTING
                elif value < Decimal("5.5") and column.pk in resit_of:
                    failed[column.pk].append(student_id)
            rows.append((column.pk, student_id, value, judgement, text, status, entered))
    for original_id, resit in resit_of.items():
        entered = dt.datetime.combine(resit.date + dt.timedelta(days=1), dt.time(15, 0), tz)
        for student_id in failed.get(original_id, []):
            rows.append((resit.pk, student_id, _grade(rng, ability[student_id] + 0.8), "", "", normal, entered))

    result_fields = [
        "school", "column", "student", "value", "judgement", "text", "status", "entered_at", "updated_at", "version",
    ]  # fmt: skip
    version_fields = [
        "school", "result", "version", "action", "value", "judgement", "text", "status", "changed_at", "reason",
    ]  # fmt: skip
    create = ResultVersion.Action.CREATE
    for start in range(0, len(rows), 20_000):
        chunk = rows[start : start + 20_000]
        ids = insert_rows(
            Result,
            result_fields,
            [
                (school.pk, column_id, student_id, value, judgement, text, status,
                 entered if (value is not None or judgement or text) else None, entered, 1)
                for column_id, student_id, value, judgement, text, status, entered in chunk
            ],
            returning=True,
        )  # fmt: skip
        insert_rows(
            ResultVersion,
            version_fields,
            [
                (school.pk, result_id, 1, create, value, judgement, text, status, entered, "")
                for result_id, (_c, _s, value, judgement, text, status, entered) in zip(ids, chunk, strict=True)
            ],
        )


def _seed_programmes(
    *,
    school: School,
    year: SchoolYear,
    groups: list[TeachingGroup],
    periods: list[Period],
    kinds: dict[str, AssessmentKind],
) -> dict[tuple[int, int, str, str, int], ProgrammeItem]:
    """A PTA per subject, level and cohort of the exam years' groups; returns its items keyed for the columns."""
    wanted: set[tuple[int, int, str]] = set()
    for group in groups:
        yg = group.year_group
        if yg is None or yg.year < yg.level.years - 1:
            continue
        wanted.add((group.subject_id, yg.level_id, _cohort(year, yg)))
    if not wanted:
        return {}
    deadline = programme_deadline(school_year=year)
    created = dt.datetime.combine(year.start, dt.time(9, 0), ZoneInfo(school.timezone))
    programmes = TestingProgramme.objects.bulk_create(
        [
            TestingProgramme(
                school=school,
                kind=TestingProgramme.Kind.PTA,
                subject_id=subject_id,
                level_id=level_id,
                cohort=cohort,
                school_year=year,
                deadline=deadline,
                version=1,
                created_at=created,
            )
            for subject_id, level_id, cohort in sorted(wanted)
        ]
    )
    items: dict[tuple[int, int, str, str, int], ProgrammeItem] = {}
    rows = []
    for programme in programmes:
        for index, (code, weight) in enumerate(KIND_PLAN):
            if code not in ("tw", "pract"):
                continue
            item = ProgrammeItem(
                school=school,
                programme=programme,
                code=f"SE-{code.upper()}{index + 1}",
                name=f"{kinds[code].name} {index + 1}",
                period=periods[min(index, len(periods) - 1)],
                kind=kinds[code],
                weight=weight,
                exam_weight=weight * 5,
            )
            rows.append(item)
            for repeat in range(0, 15, len(KIND_PLAN)):
                items[(programme.subject_id, programme.level_id, programme.cohort, code, index + repeat)] = item
    ProgrammeItem.objects.bulk_create(rows)
    ProgrammeChange.objects.bulk_create(
        [
            ProgrammeChange(
                school=school,
                programme=p,
                version=1,
                description="vastgesteld (demo)",
                snapshot=[
                    {"code": i.code, "name": i.name, "exam_weight": f"{i.exam_weight:.2f}"}
                    for i in rows
                    if i.programme_id == p.pk
                ],
                changed_at=created,
                after_deadline=False,
            )
            for p in programmes
        ]
    )
    return items
