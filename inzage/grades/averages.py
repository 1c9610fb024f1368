"""Averages and report grades: pure functions over the results they are given (they never query).

The caller decides which results go in (the visibility policy hands over only what a viewer may see at T), so an
average can never leak a hidden grade. Every function takes the results of ONE student; pass either `Result` objects
with `column` loaded (select_related("column")) or `GradeItem`s (see `as_items`). All arithmetic is Decimal.

Which results count (the same for every function):
- only columns with result type "number" whose column and result are not retracted;
- only results with status "normal" and a value: exempt (vrijstelling), not made yet (inhalen), does not count
  (telt niet mee) and missing results are left out of both the sum and the total weight;
- resits: a column with `resit_of` is another attempt at its original. Per original, the attempts that count are
  combined by the resit column's rule (highest / last by date / average); the combination counts once, with the
  weight of the original column (or the resit's own weight when the original's result is not among the input);
- a zero total weight gives no average (None), never 0 and never an error.

Rounding: half-up (7,45 → 7,5; 7,44 → 7,4) for one decimal; the school may choose whole numbers (7,5 → 8).
Final exam grade: see `final_grade`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from inzage.grades.models import Column, GradeSettings, Result

ONE_DECIMAL = Decimal("0.1")
WHOLE = Decimal("1")


class GradeItem(NamedTuple):
    """One result with the column facts the averages need. Build with `as_item(result)` or directly in tests.

    A NamedTuple rather than a frozen dataclass: a class page builds thousands of these, and a frozen dataclass's
    __init__ costs several times more (immutable and hashable either way)."""

    column_id: int
    subject_id: int
    period_id: int
    date: dt.date
    weight: Decimal
    exam_weight: Decimal
    value: Decimal | None
    status: str = Result.Status.NORMAL
    result_type: str = Column.ResultType.NUMBER
    resit_of_id: int | None = None
    resit_rule: str = Column.ResitRule.HIGHEST
    retracted: bool = False
    resit_root_id: int | None = None  # the first test of a chain (a resit of a resit: its original's original)


def as_item(result: Result) -> GradeItem:
    """Convert a Result (its `column` must be loaded, or this costs a query) into a GradeItem."""
    column = result.column
    return GradeItem(
        column_id=column.pk,
        subject_id=column.subject_id,
        period_id=column.period_id,
        date=column.date,
        weight=column.weight,
        exam_weight=column.exam_weight,
        value=result.value,
        status=result.status,
        result_type=column.result_type,
        resit_of_id=column.resit_of_id,
        resit_rule=column.resit_rule,
        retracted=result.retracted_at is not None or column.retracted_at is not None,
        resit_root_id=_resit_root(column),
    )


def _resit_root(column: Column) -> int | None:
    """The first test of the column's resit chain (chains are at most a resit of a resit, `RESIT_DEPTH_MAX`).
    Needs `column__resit_of` loaded for a resit of a resit; without it the direct original is taken."""
    if column.resit_of_id is None:
        return None
    if Column.resit_of.is_cached(column) and column.resit_of is not None and column.resit_of.resit_of_id:
        return column.resit_of.resit_of_id
    return column.resit_of_id


def as_items(results: Iterable[Result | GradeItem]) -> list[GradeItem]:
    """Accept Results (column loaded) or GradeItems, give GradeItems."""
    return [r if isinstance(r, GradeItem) else as_item(r) for r in results]


def counts(item: GradeItem) -> bool:
    """Whether this result takes part in an average at all (see the module docstring)."""
    return (
        item.result_type == Column.ResultType.NUMBER
        and not item.retracted
        and item.status == Result.Status.NORMAL
        and item.value is not None
    )


def round_half_up(value: Decimal, places: Decimal = ONE_DECIMAL) -> Decimal:
    """Round half-up to `places` (Decimal('0.1') or Decimal('1'))."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def combine_attempts(items: list[GradeItem]) -> list[tuple[Decimal, Decimal, Decimal, int]]:
    """Per original column: (value, weight, exam_weight, original column id) after applying the resit rule.

    `items` must already be the counted items of one student.
    """
    chains: dict[int, list[GradeItem]] = defaultdict(list)
    for item in items:
        # A resit of a resit belongs to the chain of the first test, not to a chain of its own.
        chains[item.resit_root_id or item.resit_of_id or item.column_id].append(item)
    combined = []
    for root_id, attempts in chains.items():
        original = next((a for a in attempts if a.column_id == root_id), None)
        resits = sorted((a for a in attempts if a.column_id != root_id), key=lambda a: (a.date, a.column_id))
        weight_source = original or resits[0]
        if not resits:
            value = weight_source.value
        else:
            rule = resits[-1].resit_rule
            ordered = ([original] if original else []) + resits
            values = [a.value for a in ordered if a.value is not None]
            if rule == Column.ResitRule.LAST:
                value = values[-1]
            elif rule == Column.ResitRule.AVERAGE:
                value = sum(values, Decimal(0)) / len(values)
            else:
                value = max(values)
        assert value is not None
        combined.append((value, weight_source.weight, weight_source.exam_weight, root_id))
    return combined


def weighted_average(results: Iterable[Result | GradeItem], *, dossier: str = "progress") -> Decimal | None:
    """Unrounded weighted mean of the counted results (dossier "progress": column weight; "exam": exam weight)."""
    return _weighted_counted([i for i in as_items(results) if counts(i)], dossier)


def _weighted_counted(counted: list[GradeItem], dossier: str = "progress") -> Decimal | None:
    """`weighted_average` over items that already count."""
    total, total_weight = weighted_totals(counted, dossier)
    if total_weight == 0:
        return None
    return total / total_weight


def weighted_totals(counted: list[GradeItem], dossier: str = "progress") -> tuple[Decimal, Decimal]:
    """(sum of value × weight, sum of weights) over items that already count, resits combined. Without resits (the
    usual case) every item is its own attempt, so the combination is skipped: same sums, a fraction of the work."""
    total = Decimal(0)
    total_weight = Decimal(0)
    exam = dossier == "exam"
    if not any(i.resit_of_id for i in counted):
        for i in counted:
            w = i.exam_weight if exam else i.weight
            total += i.value * w  # type: ignore[operator]  # counted items have a value
            total_weight += w
    else:
        for value, weight, exam_weight, _root in combine_attempts(counted):
            w = exam_weight if exam else weight
            total += value * w
            total_weight += w
    return total, total_weight


def rounded_average(total: Decimal, total_weight: Decimal, rounding: str) -> Decimal | None:
    """total / weight rounded half-up as the school chose; None for a zero weight (never 0, never an error)."""
    if total_weight == 0:
        return None
    return round_half_up(total / total_weight, _rounding_places(rounding))


def _rounding_places(rounding: str) -> Decimal:
    return WHOLE if rounding == GradeSettings.Rounding.WHOLE else ONE_DECIMAL


def period_average(results: Iterable[Result | GradeItem], *, subject_id: int, period_id: int) -> Decimal | None:
    """Unrounded weighted average of one subject in one period (progress weights)."""
    items = [i for i in as_items(results) if i.subject_id == subject_id and i.period_id == period_id]
    return weighted_average(items)


def report_grade(
    results: Iterable[Result | GradeItem],
    *,
    subject_id: int,
    period_id: int,
    rounding: str = GradeSettings.Rounding.ONE_DECIMAL,
) -> Decimal | None:
    """The report grade (rapportcijfer) of a subject in a period: the period average rounded half-up as the
    school chose (one decimal by default, or a whole number)."""
    average = period_average(results, subject_id=subject_id, period_id=period_id)
    return None if average is None else round_half_up(average, _rounding_places(rounding))


def year_average(
    results: Iterable[Result | GradeItem],
    *,
    subject_id: int,
    rounding: str = GradeSettings.Rounding.ONE_DECIMAL,
) -> Decimal | None:
    """The year average of a subject: the weighted mean of all its counted results of the year (column weights,
    not a mean of the rounded report grades), rounded as the school chose. Pass the results of one school year."""
    items = [i for i in as_items(results) if i.subject_id == subject_id]
    average = weighted_average(items)
    return None if average is None else round_half_up(average, _rounding_places(rounding))


def school_exam_average(results: Iterable[Result | GradeItem], *, subject_id: int) -> Decimal | None:
    """The school-exam grade (SE) of a subject: the exam-weighted mean over the PTA's columns (all years of the
    cohort; pass them all), rounded half-up to one decimal. Columns with exam weight 0 do not count."""
    items = [i for i in as_items(results) if i.subject_id == subject_id]
    average = weighted_average(items, dossier="exam")
    return None if average is None else round_half_up(average, ONE_DECIMAL)


def final_grade(*, school_exam: Decimal, central_exam: Decimal) -> int:
    """The final exam grade: the mean of school exam (SE) and central exam (CE), rounded to a whole number on the
    first decimal: 5,49 → 5; 5,50 → 6; 6,45 → 6.

    Exact rule: m = (SE + CE) / 2; keep the first decimal only (truncate: 5,49 → 5,4; 5,50 → 5,5); then round
    half-up to a whole number (5,4 → 5; 5,5 → 6). This equals rounding m half-up to a whole number directly.
    We do NOT round m to one decimal first (that would make 5,49 → 5,5 → 6, contradicting the rule's own example).
    """
    mean = (school_exam + central_exam) / 2
    first_decimal = mean.quantize(ONE_DECIMAL, rounding=ROUND_DOWN)
    return int(first_decimal.quantize(WHOLE, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class StudentAverages:
    """All averages of one student: report grades per (subject, period) and year averages per subject."""

    report_grades: dict[tuple[int, int], Decimal | None]
    year_averages: dict[int, Decimal | None]


def student_averages(
    results: Iterable[Result | GradeItem], *, rounding: str = GradeSettings.Rounding.ONE_DECIMAL
) -> StudentAverages:
    """Every report grade and year average of one student from the given results, in one pass over them."""
    by_subject: dict[int, list[GradeItem]] = defaultdict(list)
    by_subject_period: dict[tuple[int, int], list[GradeItem]] = defaultdict(list)
    for item in as_items(results):
        # Every group key must appear (a subject with only exempt results has average None, not no entry).
        subject_items = by_subject[item.subject_id]
        period_items = by_subject_period[(item.subject_id, item.period_id)]
        if counts(item):
            subject_items.append(item)
            period_items.append(item)
    places = _rounding_places(rounding)
    reports = {}
    for key, group in by_subject_period.items():
        average = _weighted_counted(group)
        reports[key] = None if average is None else round_half_up(average, places)
    years = {}
    for subject_id, group in by_subject.items():
        average = _weighted_counted(group)
        years[subject_id] = None if average is None else round_half_up(average, places)
    return StudentAverages(report_grades=reports, year_averages=years)
