"""Reads for the teacher pages that go beyond one column: the group overview (students × columns, averages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from inzage.grades.models import Column, Result
from inzage.grades.parsing import display_cell, format_average
from inzage.grades.queries import class_averages, columns_of_group, grade_rules
from inzage.people.models import Student
from inzage.schools.models import Period, TeachingGroup
from inzage.visibility.derived import average_item
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import RESULT_FIELDS, Viewer, context_for
from inzage.visibility.policy.facts import staff_facts_prime

PASS = Decimal("5.5")


@dataclass(frozen=True, slots=True)
class Cell:
    text: str  # Dutch notation: 7,5 / inh / vr; "" when there is no result the teacher may see
    fail: bool = False


@dataclass(frozen=True)
class OverviewRow:
    student: Student
    cells: list[Cell]  # one per column, in the overview's column order
    period_averages: list[Cell]  # one per period (the report grade so far)
    year_average: Cell
    averages_visible: bool  # False: the policy does not let this viewer see this student's averages


@dataclass(frozen=True)
class GroupOverview:
    columns: list[Column]
    periods: list[Period]
    rows: list[OverviewRow]


def _grade_cell(value: Decimal | None) -> Cell:
    return Cell(format_average(value), value is not None and value < PASS)


def group_overview(*, viewer: Viewer, group: TeachingGroup, at: dt.datetime) -> GroupOverview:
    """The group's students × its columns, with each student's period averages and year average in the group's
    subject, from only what the policy lets this viewer see at `at` (each student's own grades gate; averages only
    when the averages kind is visible too). A constant number of queries, whatever the group's size."""
    students = list(group.students.order_by("last_name", "first_name", "pk"))
    columns = [c for c in columns_of_group(group.pk) if c.retracted_at is None]
    periods = list(Period.objects.filter(school_year_id=group.school_year_id).order_by("number"))
    staff_facts_prime(viewer=viewer, student_ids=[s.pk for s in students])
    contexts = {s.pk: context_for(viewer=viewer, student_id=s.pk, at=at) for s in students}
    narrowed = Q(pk__in=[])
    for ctx in contexts.values():
        narrowed |= ctx.gate(DataKind.GRADES).q(RESULT_FIELDS)  # each clause pins its own student
    # Only this group's columns: the teacher compares what the group made, not results from another group.
    visible = Result.objects.filter(narrowed, column__teaching_group_id=group.pk)
    shown: dict[tuple[int, int], Cell] = {}
    if students and columns:
        by_pk = {c.pk: c for c in columns}
        for result in visible.filter(column_id__in=by_pk):
            result.column = by_pk[result.column_id]
            value = result.value if result.status == Result.Status.NORMAL else None
            shown[(result.column_id, result.student_id)] = Cell(
                display_cell(result), value is not None and value < PASS
            )
    averages = class_averages(visible, rules=grade_rules(group.school_id)) if students and columns else {}
    rows = []
    empty = Cell("")
    for student in students:
        ctx = contexts[student.pk]
        may = ctx.decide(average_item(student_id=student.pk, subject_id=group.subject_id, group_id=group.pk)).visible
        mine = averages.get(student.pk)
        rows.append(
            OverviewRow(
                student=student,
                cells=[shown.get((c.pk, student.pk), empty) for c in columns],
                period_averages=[
                    _grade_cell(mine.report_grades.get((group.subject_id, p.pk))) if may and mine else empty
                    for p in periods
                ],
                year_average=_grade_cell(mine.year_averages.get(group.subject_id)) if may and mine else empty,
                averages_visible=may,
            )
        )
    return GroupOverview(columns=columns, periods=periods, rows=rows)
