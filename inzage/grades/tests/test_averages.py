"""Worked examples for every averaging rule (see docs/grades.md), plus a property test."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inzage.grades.averages import (
    GradeItem,
    final_grade,
    report_grade,
    school_exam_average,
    student_averages,
    weighted_average,
    year_average,
)
from inzage.grades.models import Column, GradeSettings, Result

DAY = dt.date(2025, 10, 1)


def item(column_id, value, weight="1", *, period=1, subject=1, exam_weight="0", status="normal", **kw) -> GradeItem:
    return GradeItem(
        column_id=column_id,
        subject_id=subject,
        period_id=period,
        date=kw.pop("date", DAY),
        weight=D(weight),
        exam_weight=D(exam_weight),
        value=None if value is None else D(value),
        status=status,
        **kw,
    )


def test_weighted_average_worked_example() -> None:
    # 6,0 (weight 1) + 8,0 (weight 3) → (6 + 24) / 4 = 7,5
    assert weighted_average([item(1, "6.0", "1"), item(2, "8.0", "3")]) == D("7.5")


def test_report_grade_rounds_half_up_to_one_decimal_by_default() -> None:
    # 7,0 ×1 + 7,9 ×1 → 7,45 → 7,5 (half-up, not banker's 7,4)
    results = [item(1, "7.0"), item(2, "7.9")]
    assert report_grade(results, subject_id=1, period_id=1) == D("7.5")
    # 6,4 + 6,5 → 6,45 → whole: 6 (6,45 < 6,5)
    assert report_grade(results, subject_id=1, period_id=1, rounding=GradeSettings.Rounding.WHOLE) == D("7")
    low = [item(1, "6.4"), item(2, "6.5")]
    assert report_grade(low, subject_id=1, period_id=1, rounding=GradeSettings.Rounding.WHOLE) == D("6")


def test_report_grade_only_uses_its_subject_and_period() -> None:
    results = [item(1, "5.0"), item(2, "9.0", period=2), item(3, "1.0", subject=2)]
    assert report_grade(results, subject_id=1, period_id=1) == D("5.0")


def test_exempt_not_made_not_counting_and_missing_results_are_left_out() -> None:
    results = [
        item(1, "6.0"),
        item(2, None, "2", status=Result.Status.EXEMPT),
        item(3, None, "2", status=Result.Status.NOT_MADE),
        item(4, "1.0", "2", status=Result.Status.NOT_COUNTING),
        item(5, None, "5"),  # missing value
        item(6, "9.0", "1", retracted=True),
        item(7, None, "1", result_type=Column.ResultType.TEXT),
    ]
    assert weighted_average(results) == D("6.0")


def test_zero_total_weight_gives_no_average() -> None:
    assert weighted_average([item(1, "6.0", "0"), item(2, "8.0", "0")]) is None
    assert weighted_average([]) is None
    assert report_grade([item(1, None, status=Result.Status.EXEMPT)], subject_id=1, period_id=1) is None


def test_resit_highest_counts_once_with_the_original_weight() -> None:
    # original 4,0 (weight 2), resit 6,5 → highest 6,5 counts with weight 2; plus 8,0 weight 1 → (13 + 8) / 3 = 7
    results = [
        item(1, "4.0", "2"),
        item(2, "6.5", "1", resit_of_id=1, date=dt.date(2025, 10, 8)),
        item(3, "8.0", "1"),
    ]
    assert weighted_average(results) == D("7")


def test_resit_highest_keeps_a_better_original() -> None:
    results = [item(1, "7.0"), item(2, "5.0", resit_of_id=1, date=dt.date(2025, 10, 8))]
    assert weighted_average(results) == D("7.0")


def test_resit_last_counts_the_latest_attempt_even_if_lower() -> None:
    results = [
        item(1, "7.0"),
        item(2, "5.0", resit_of_id=1, resit_rule=Column.ResitRule.LAST, date=dt.date(2025, 10, 8)),
    ]
    assert weighted_average(results) == D("5.0")


def test_resit_average_counts_the_mean_of_the_attempts() -> None:
    results = [
        item(1, "4.0"),
        item(2, "7.0", resit_of_id=1, resit_rule=Column.ResitRule.AVERAGE, date=dt.date(2025, 10, 8)),
    ]
    assert weighted_average(results) == D("5.5")


def test_a_resit_of_a_resit_joins_the_chain_of_the_first_test() -> None:
    # toets 4,0 (w3), resit 5,0, resit of the resit 8,0 → one chain, highest 8,0, with the first test's weight 3.
    results = [
        item(1, "4.0", "3"),
        item(2, "5.0", "1", resit_of_id=1, resit_root_id=1, date=dt.date(2025, 10, 8)),
        item(3, "8.0", "2", resit_of_id=2, resit_root_id=1, date=dt.date(2025, 10, 15)),
        item(4, "6.0", "1"),
    ]
    assert weighted_average(results) == D("7.5")  # (8,0×3 + 6,0×1) / 4


@pytest.mark.django_db
def test_as_item_finds_the_first_test_of_a_chain(column) -> None:
    from inzage.grades.averages import as_item

    resit = Column.objects.create(**_copy(column, code="H1r", resit_of=column))
    second = Column.objects.create(**_copy(column, code="H1rr", resit_of=resit))
    loaded = Column.objects.select_related("resit_of").get(pk=second.pk)
    result = Result(column=loaded, value=D("7.0"))
    assert as_item(result).resit_root_id == column.pk


def _copy(column: Column, **changes) -> dict:
    fields = ["school", "teaching_group", "subject", "period", "kind", "name", "date", "weight", "release_at"]
    return {**{f: getattr(column, f) for f in fields}, **changes}


def test_resit_when_original_was_not_made_counts_the_resit() -> None:
    results = [item(1, None, "2", status=Result.Status.NOT_MADE), item(2, "6.0", "2", resit_of_id=1), item(3, "9.0")]
    # (6 × 2 + 9 × 1) / 3 = 7
    assert weighted_average(results) == D("7")


def test_year_average_weights_all_columns_of_the_year() -> None:
    # period 1: 6,0 ×1; period 2: 8,0 ×3 → (6 + 24) / 4 = 7,5 (not the mean of the report grades, 7,0)
    results = [item(1, "6.0", "1", period=1), item(2, "8.0", "3", period=2)]
    assert year_average(results, subject_id=1) == D("7.5")
    assert year_average(results, subject_id=1, rounding=GradeSettings.Rounding.WHOLE) == D("8")


def test_school_exam_average_uses_exam_weights_and_rounds_to_one_decimal() -> None:
    # exam weights: 5,5 ×10, 7,0 ×20, a quiz 3,0 ×0 (progress only) → (55 + 140) / 30 = 6,5
    results = [
        item(1, "5.5", "1", exam_weight="10"),
        item(2, "7.0", "2", exam_weight="20"),
        item(3, "3.0", "1", exam_weight="0"),
    ]
    assert school_exam_average(results, subject_id=1) == D("6.5")
    # 6,0 ×1 + 6,5 ×2 → 6,333… → 6,3
    results = [item(1, "6.0", exam_weight="1"), item(2, "6.5", exam_weight="2")]
    assert school_exam_average(results, subject_id=1) == D("6.3")


def test_final_grade_rounds_on_the_first_decimal() -> None:
    # mean 5,49 → 5; mean 5,50 → 6
    assert final_grade(school_exam=D("5.4"), central_exam=D("5.58")) == 5  # mean 5,49
    assert final_grade(school_exam=D("5.5"), central_exam=D("5.5")) == 6  # mean 5,50
    assert final_grade(school_exam=D("6.2"), central_exam=D("6.7")) == 6  # mean 6,45 → 6
    assert final_grade(school_exam=D("6.3"), central_exam=D("6.7")) == 7  # mean 6,50 → 7
    assert final_grade(school_exam=D("5.4"), central_exam=D("5.5")) == 5  # mean 5,45 → 5
    assert final_grade(school_exam=D("9.9"), central_exam=D("10.0")) == 10


def test_student_averages_gives_every_report_grade_and_year_average() -> None:
    results = [item(1, "6.0", period=1), item(2, "8.0", period=2), item(3, "5.0", subject=2)]
    averages = student_averages(results)
    assert averages.report_grades == {(1, 1): D("6.0"), (1, 2): D("8.0"), (2, 1): D("5.0")}
    assert averages.year_averages == {1: D("7.0"), 2: D("5.0")}


grade = st.integers(min_value=10, max_value=100).map(lambda n: D(n) / 10)
weight = st.integers(min_value=0, max_value=500).map(lambda n: D(n) / 100)


@given(st.lists(st.tuples(grade, weight), min_size=1, max_size=20))
def test_a_weighted_average_lies_between_the_lowest_and_highest_counted_result(pairs) -> None:
    items = [item(i, v, str(w)) for i, (v, w) in enumerate(pairs)]
    average = weighted_average(items)
    counted = [v for v, w in pairs if w > 0]
    if not counted:
        assert average is None
    else:
        assert average is not None
        assert min(counted) <= average <= max(counted)
