"""Derived values (averages, report grades) that never leak: computed only from the results the viewer may see.

The averaging itself belongs to the grades package (`inzage.grades.averages.year_average`, by the school's grade
rules: the year-average rule and the decimals shown); this module only decides which results go in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from inzage.grades.averages import GradeRules, year_average
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Decision, Item, Viewer, context_for, visible_results

ALWAYS_RELEASED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _shown_average(results: Iterable[Any], *, subject_id: int, rules: GradeRules) -> Decimal | None:
    """The grades package's average of the given results by the school's rules (weighted mean of all results, or
    of the period averages with period weights), rounded half-up to the school's number of decimals."""
    return year_average(results, subject_id=subject_id, rules=rules)


@dataclass(frozen=True)
class SubjectAverage:
    subject_id: int
    subject: str
    subject_name: str
    average: Decimal | None
    counted: int  # results that went in (all visible to the viewer)
    decision: Decision  # the decision on the averages kind for this viewer


def average_item(*, student_id: int, subject_id: int, group_id: int | None = None) -> Item:
    """The item standing for one subject's average of one student (released as soon as its inputs are); the group
    is given when all its inputs come from one teaching group (so that group's teacher may see it)."""
    return Item(
        kind=DataKind.AVERAGES, id=subject_id, student_id=student_id, released_at=ALWAYS_RELEASED, group_id=group_id
    )


def visible_averages(
    *, viewer: Viewer, student: Any, at: dt.datetime, results: list[Any] | None = None
) -> list[SubjectAverage]:
    """Per subject, the average of the results this viewer may see at `at`; a subject whose averages the viewer
    may not see is left out. Pass `results` when the caller already has `visible_results(...)` evaluated."""
    if results is None:
        results = list(visible_results(viewer=viewer, student=student, at=at))
    from inzage.grades.queries import grade_rules

    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    rules = grade_rules(student.school_id) if results else None
    by_subject: dict[int, list[Any]] = {}
    for r in results:
        by_subject.setdefault(r.column.subject_id, []).append(r)
    out = []
    for subject_id, rows in sorted(by_subject.items(), key=lambda kv: kv[1][0].column.subject.name):
        groups = {r.column.teaching_group_id for r in rows}
        group_id = groups.pop() if len(groups) == 1 else None
        decision = ctx.decide(average_item(student_id=student.pk, subject_id=subject_id, group_id=group_id))
        if not decision.visible:
            continue
        subject = rows[0].column.subject
        out.append(
            SubjectAverage(
                subject_id=subject_id,
                subject=subject.code,
                subject_name=subject.name,
                average=_shown_average(rows, subject_id=subject_id, rules=rules or GradeRules()),
                counted=len(rows),
                decision=decision,
            )
        )
    return out
