"""The exam year's pure calculations (`grades.exam`): decision tables, the worked examples of docs/grades.md and
hypothesis properties."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inzage.grades.averages import weighted_average
from inzage.grades.exam import (
    candidate_outcome,
    central_exam_grade,
    combination_grade,
    school_exam_grade,
    subject_final_grade,
    subject_outcome,
)
from inzage.grades.tests.test_averages import item


@pytest.mark.parametrize(
    ("attempts", "counts"),
    [
        ((), None),  # nothing sat yet
        ((None,), None),
        ((D("5.2"),), D("5.2")),  # first sitting only
        ((D("5.2"), D("6.0")), D("6.0")),  # the resit is higher: it counts
        ((D("6.8"), D("5.9")), D("6.8")),  # the resit is lower: the first sitting keeps counting
        ((None, D("6.1")), D("6.1")),  # missed the first sitting, sat the resit
        ((D("7.0"), D("7.0")), D("7.0")),
    ],
)
def test_central_exam_highest_attempt_counts(attempts, counts) -> None:
    assert central_exam_grade(attempts) == counts


@pytest.mark.parametrize(
    ("se_average", "ce", "has_ce", "final"),
    [
        # with a central exam: SE to one decimal first, then the mean rounded to a whole number, .5 up
        (D("6.45"), D("6.5"), True, 7),  # SE 6,5; (6,5 + 6,5) / 2 = 6,5 → 7
        (D("6.44"), D("6.5"), True, 6),  # SE 6,4; 6,45 → 6
        (D("5.4"), D("5.5"), True, 5),  # 5,45 → 5
        (D("5.5"), D("5.5"), True, 6),  # 5,50 → 6
        (D("6.3"), D("6.7"), True, 7),  # 6,50 → 7
        (D("1.0"), D("1.0"), True, 1),
        (D("10.0"), D("10.0"), True, 10),
        (D("6.0"), None, True, None),  # CE not sat yet: no final grade
        (None, D("6.0"), True, None),  # no SE: no final grade
        # only a school exam: the unrounded SE straight to a whole number
        (D("6.45"), None, False, 6),  # NOT 6,45 → 6,5 → 7
        (D("6.5"), None, False, 7),
        (D("5.4999"), None, False, 5),
        (D("5.5"), D("9.0"), False, 6),  # a CE grade given for an SE-only subject is ignored
        (None, None, False, None),
    ],
)
def test_final_grade_decision_table(se_average, ce, has_ce, final) -> None:
    assert subject_final_grade(school_exam_average=se_average, central_exam=ce, has_central_exam=has_ce) == final


@pytest.mark.parametrize(
    ("finals", "combination"),
    [
        ([6, 7], 7),  # 6,5 → 7
        ([6, 7, 8], 7),
        ([5, 5, 6], 5),  # 5,33 → 5
        ([5, 6, 6, 6], 6),  # 5,75 → 6
        ([8], 8),
        ([6, None], None),  # a part without a final grade: no combination grade yet
        ([], None),  # the school declared no parts
    ],
)
def test_combination_grade_decision_table(finals, combination) -> None:
    assert combination_grade(finals) == combination


# ---------------------------------------------------------------------------------------------- the worked examples
# The same numbers as docs/grades.md, "The exam year".


def test_worked_example_final_grade() -> None:
    # PTA: 6,0 (exam weight 1) and 6,9 (exam weight 1) → SE average 6,45 → SE 6,5.
    pta = [item(1, "6.0", exam_weight="1"), item(2, "6.9", exam_weight="1")]
    se_average = weighted_average(pta, dossier="exam")
    assert se_average == D("6.45")
    assert school_exam_grade(se_average) == D("6.5")
    # CE: first sitting 5,8, resit 6,5 → the highest, 6,5, counts.
    outcome = subject_outcome(
        subject_id=1, school_exam_average=se_average, central_exam_attempts=[D("5.8"), D("6.5")], has_central_exam=True
    )
    assert outcome.central_exam == D("6.5")
    # (6,5 + 6,5) / 2 = 6,5 → 7. (From the unrounded SE, (6,45 + 6,5) / 2 = 6,475 would give 6.)
    assert outcome.final == 7


def test_worked_example_school_exam_only_subject() -> None:
    # The same PTA results in a subject without a central exam: 6,45 → 6 directly (not 6,5 → 7).
    pta = [item(1, "6.0", exam_weight="1"), item(2, "6.9", exam_weight="1")]
    outcome = subject_outcome(
        subject_id=2,
        school_exam_average=weighted_average(pta, dossier="exam"),
        central_exam_attempts=[],
        has_central_exam=False,
    )
    assert outcome.school_exam == D("6.5")  # what the SE shows with one decimal
    assert outcome.final == 6


def test_worked_example_combination_grade() -> None:
    # maatschappijleer 6 (school exam only), profielwerkstuk 7 → 6,5 → 7; the subject with a CE is not a part.
    subjects = [
        subject_outcome(
            subject_id=1, school_exam_average=D("6.45"), central_exam_attempts=[D("6.5")], has_central_exam=True
        ),
        subject_outcome(
            subject_id=2,
            school_exam_average=D("6.2"),
            central_exam_attempts=[],
            has_central_exam=False,
            in_combination=True,
        ),
        subject_outcome(
            subject_id=3,
            school_exam_average=D("7.0"),
            central_exam_attempts=[],
            has_central_exam=False,
            in_combination=True,
        ),
    ]
    outcome = candidate_outcome(subjects)
    assert [s.final for s in outcome.subjects] == [7, 6, 7]
    assert outcome.combination_parts == (2, 3)
    assert outcome.combination == 7


# ------------------------------------------------------------------------------------------------------ properties

one_decimal = st.integers(10, 100).map(lambda n: D(n) / 10)
unrounded = st.integers(1000, 10000).map(lambda n: D(n) / 1000)


@given(se=unrounded, attempts=st.lists(st.one_of(st.none(), one_decimal), max_size=2), has_ce=st.booleans())
def test_a_final_grade_is_a_whole_number_1_to_10_and_lies_between_its_parts(se, attempts, has_ce) -> None:
    final = subject_final_grade(
        school_exam_average=se, central_exam=central_exam_grade(attempts), has_central_exam=has_ce
    )
    ce = central_exam_grade(attempts)
    if has_ce and ce is None:
        assert final is None
        return
    assert isinstance(final, int) and 1 <= final <= 10
    parts = [se, ce] if has_ce else [se]
    assert min(parts) - D("0.5") <= final <= max(parts) + D("0.5")


@given(attempts=st.lists(st.one_of(st.none(), one_decimal), min_size=1, max_size=2))
def test_the_highest_central_exam_attempt_counts_and_a_resit_never_lowers_the_final_grade(attempts) -> None:
    graded = [a for a in attempts if a is not None]
    assert central_exam_grade(attempts) == (max(graded) if graded else None)
    first = central_exam_grade(attempts[:1])
    with_resit = central_exam_grade(attempts)
    if first is not None:
        before = subject_final_grade(school_exam_average=D("6.0"), central_exam=first, has_central_exam=True)
        after = subject_final_grade(school_exam_average=D("6.0"), central_exam=with_resit, has_central_exam=True)
        assert before is not None and after is not None and after >= before


@given(st.lists(st.integers(1, 10), min_size=1, max_size=5))
def test_a_combination_grade_is_a_whole_number_between_its_parts(finals) -> None:
    grade = combination_grade(finals)
    assert grade is not None and min(finals) <= grade <= max(finals)
