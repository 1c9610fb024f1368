"""Averages and report grades: pure functions over the results they are given (they never query).

The caller decides which results go in (the visibility policy hands over only what a viewer may see at T), so an
average can never leak a hidden grade. Every function takes the results of ONE student; pass either `Result` objects
with `column` loaded (select_related("column")) or `GradeItem`s (see `as_items`). All arithmetic is Decimal.

Which results count (the same for every function):
- only columns with result type "number" whose column and result are not retracted;
- only results with status "normal" and a value: exempt (vrijstelling), not made yet (inhalen), does not count
  (telt niet mee) and missing results are left out of both the sum and the total weight;
- resits: a column with `resit_of` is another attempt at its original. Per first test of the chain, the attempts
  that count are combined by the resit column's rule (highest / last by date / average); the combination counts
  once, in the period of the first test and with its weights, whatever period the resit column was filed under
  (`GradeItem.root_*`; without them, the resit's own period and weights);
- a zero total weight gives no average (None), never 0 and never an error.

Rounding: half-up (7,45 → 7,5; 7,44 → 7,4) for one decimal; the school may choose whole numbers (7,5 → 8).
The school's rules (`GradeRules`, from `GradeSettings`): the report grade's rounding, the year average (the weighted
mean of all results, or of the period averages with the period weights) and the decimals an average is shown with.
Final exam grade and the exam year: `inzage.grades.exam`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
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
    # The first test's period and weights: a resit counts there, with those, wherever the resit column was filed.
    root_period_id: int | None = None
    root_weight: Decimal | None = None
    root_exam_weight: Decimal | None = None


def as_item(result: Result) -> GradeItem:
    """Convert a Result (its `column` must be loaded, or this costs a query) into a GradeItem."""
    column = result.column
    root = _resit_root_column(column)
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
        root_period_id=None if root is None else root.period_id,
        root_weight=None if root is None else root.weight,
        root_exam_weight=None if root is None else root.exam_weight,
    )


def _resit_root(column: Column) -> int | None:
    """The first test of the column's resit chain (chains are at most a resit of a resit, `RESIT_DEPTH_MAX`).
    Needs `column__resit_of` loaded for a resit of a resit; without it the direct original is taken."""
    if column.resit_of_id is None:
        return None
    if Column.resit_of.is_cached(column) and column.resit_of is not None and column.resit_of.resit_of_id:
        return column.resit_of.resit_of_id
    return column.resit_of_id


def _resit_root_column(column: Column) -> Column | None:
    """The first test of the column's chain when it is loaded (`column__resit_of`, and `column__resit_of__resit_of`
    for a resit of a resit); None for a first test or when it is not loaded (no query here)."""
    if column.resit_of_id is None or not Column.resit_of.is_cached(column) or column.resit_of is None:
        return None
    original = column.resit_of
    if original.resit_of_id is None:
        return original
    if Column.resit_of.is_cached(original) and original.resit_of is not None:
        return original.resit_of
    return None


def report_period_id(item: GradeItem) -> int:
    """The period a result counts in: a resit counts in the period of the test it replaces."""
    return item.period_id if item.root_period_id is None else item.root_period_id


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


def round_exact(value: Fraction | Decimal, decimals: int) -> Decimal:
    """Round an exact value half-up to `decimals` places (0, 1 or 2): floor(x·10^d + 1/2) / 10^d, in integers, so
    1/3-like means are never rounded from a truncated decimal expansion."""
    scaled = Fraction(value) * 10**decimals
    return Decimal(math.floor(scaled + Fraction(1, 2))).scaleb(-decimals)


class YearRule:
    """How a school computes the year average (`GradeSettings.year_average_rule`)."""

    ALL_RESULTS = "all_results"  # the weighted mean of all counted results of the year (column weights)
    PERIOD_WEIGHTS = "period_weights"  # the weighted mean of the (unrounded) period averages, with period weights


@dataclass(frozen=True)
class GradeRules:
    """The school's grade rules as the averages need them (built by `grades.queries.grade_rules`).

    `period_weights` maps period id → weight (only used by `YearRule.PERIOD_WEIGHTS`; a period without a weight
    counts 0). `decimals` is how many decimals a shown (year) average has: 0, 1 or 2. `not_counting` says whether a
    "telt niet mee" result stays visible to students and parents ("visible") or is hidden from them ("hidden"); it
    never counts either way (the visibility engine applies it)."""

    report_rounding: str = GradeSettings.Rounding.ONE_DECIMAL
    year_rule: str = YearRule.ALL_RESULTS
    period_weights: Mapping[int, Decimal] = field(default_factory=dict, hash=False)
    decimals: int = 1
    not_counting: str = "visible"

    @classmethod
    def for_rounding(cls, rounding: str) -> GradeRules:
        """Today's rules with one rounding for report grades and year averages alike (the functions' default)."""
        return cls(report_rounding=rounding, decimals=0 if rounding == GradeSettings.Rounding.WHOLE else 1)


DEFAULT_RULES = GradeRules()


def period_weighted_mean(
    period_means: Mapping[int, Fraction | Decimal | None], period_weights: Mapping[int, Decimal]
) -> Fraction | None:
    """Σ weight_p × mean_p / Σ weight_p over the periods that have a mean and a positive weight; None when none
    has (exact: Fractions)."""
    total = Fraction(0)
    total_weight = Fraction(0)
    for period_id, mean in period_means.items():
        weight = Fraction(period_weights.get(period_id, Decimal(0)))
        if mean is None or weight <= 0:
            continue
        total += weight * Fraction(mean)
        total_weight += weight
    return None if total_weight == 0 else total / total_weight


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
        weight, exam_weight = weight_source.weight, weight_source.exam_weight
        if original is None and resits[0].root_weight is not None:
            # The resit replaces the first test: it counts with that test's weights (not the resit column's own).
            weight, exam_weight = resits[0].root_weight, resits[0].root_exam_weight or Decimal(0)
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
        combined.append((value, weight, exam_weight, root_id))
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
    """Unrounded weighted average of one subject in one period (progress weights); a resit counts in the period of
    the test it replaces."""
    items = [i for i in as_items(results) if i.subject_id == subject_id and report_period_id(i) == period_id]
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
    rules: GradeRules | None = None,
) -> Decimal | None:
    """The year average of a subject by the school's rule (`rules`; default: today's rule with `rounding`):
    the weighted mean of all its counted results of the year (column weights, not a mean of the rounded report
    grades), or the weighted mean of its unrounded period averages with the period weights; shown with
    `rules.decimals` decimals. Pass the results of one school year."""
    rules = rules or GradeRules.for_rounding(rounding)
    counted = [i for i in as_items(results) if i.subject_id == subject_id and counts(i)]
    exact = _year_exact(counted, rules)
    return None if exact is None else round_exact(exact, rules.decimals)


def _year_exact(counted: list[GradeItem], rules: GradeRules) -> Fraction | None:
    """The unrounded year average of one subject's counted items by the school's rule."""
    if rules.year_rule != YearRule.PERIOD_WEIGHTS:
        total, total_weight = weighted_totals(counted)
        return None if total_weight == 0 else Fraction(total) / Fraction(total_weight)
    by_period: dict[int, list[GradeItem]] = defaultdict(list)
    for item in counted:
        by_period[report_period_id(item)].append(item)
    means: dict[int, Fraction | None] = {}
    for period_id, group in by_period.items():
        total, total_weight = weighted_totals(group)
        means[period_id] = None if total_weight == 0 else Fraction(total) / Fraction(total_weight)
    return period_weighted_mean(means, rules.period_weights)


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
    results: Iterable[Result | GradeItem],
    *,
    rounding: str = GradeSettings.Rounding.ONE_DECIMAL,
    rules: GradeRules | None = None,
) -> StudentAverages:
    """Every report grade and year average of one student from the given results, in one pass over them (the
    school's `rules`; default: today's rule with `rounding` for both)."""
    rules = rules or GradeRules.for_rounding(rounding)
    by_subject: dict[int, list[GradeItem]] = defaultdict(list)
    by_subject_period: dict[tuple[int, int], list[GradeItem]] = defaultdict(list)
    for item in as_items(results):
        # Every group key must appear (a subject with only exempt results has average None, not no entry).
        subject_items = by_subject[item.subject_id]
        period_items = by_subject_period[(item.subject_id, report_period_id(item))]
        if counts(item):
            subject_items.append(item)
            period_items.append(item)
    places = _rounding_places(rules.report_rounding)
    reports = {}
    for key, group in by_subject_period.items():
        average = _weighted_counted(group)
        reports[key] = None if average is None else round_half_up(average, places)
    years = {}
    for subject_id, group in by_subject.items():
        exact = _year_exact(group, rules)
        years[subject_id] = None if exact is None else round_exact(exact, rules.decimals)
    return StudentAverages(report_grades=reports, year_averages=years)
