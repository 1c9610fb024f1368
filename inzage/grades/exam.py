"""The exam year (Eindexamenbesluit VO, checked against an older text): pure functions, they never query.

- School exam grade (SE): the exam-weighted mean of the PTA's results (`averages.weighted_average(dossier="exam")`,
  unrounded here); for a subject with a central exam it is used with one decimal (half-up: 6,45 → 6,5).
- Central exam grade (CE): given with one decimal; of the first attempt and the resit, the highest counts.
- Final grade of a subject with a central exam: the mean of SE (one decimal) and CE, rounded to a whole number on
  the first decimal, .5 up (`averages.final_grade`: 5,49 → 5; 5,50 → 6).
- Final grade of a subject with only a school exam: the SE rounded to a whole number directly from its unrounded
  average (6,45 → 6; NOT 6,45 → 6,5 → 7).
- Combination grade (combinatiecijfer): the mean of the final grades of the subjects the school declares part of it,
  rounded half-up to a whole number; it exists only when every part has a final grade.

Pass/fail rules (the "uitslagregel") are not here yet: a later issue. All arithmetic is Decimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from inzage.grades.averages import ONE_DECIMAL, WHOLE, final_grade, round_half_up


def central_exam_grade(attempts: Iterable[Decimal | None]) -> Decimal | None:
    """The central exam grade that counts: the highest of the attempts (first sitting and resit) that have a grade;
    None when none has one yet."""
    graded = [a for a in attempts if a is not None]
    return max(graded) if graded else None


def school_exam_grade(average: Decimal | None) -> Decimal | None:
    """The SE grade with one decimal (half-up) from the unrounded exam-weighted average."""
    return None if average is None else round_half_up(average, ONE_DECIMAL)


def subject_final_grade(
    *, school_exam_average: Decimal | None, central_exam: Decimal | None, has_central_exam: bool
) -> int | None:
    """The final grade (eindcijfer) of one subject, a whole number 1..10, or None while a part is missing.

    With a central exam: mean of the SE with one decimal and the CE, rounded on the first decimal (.5 up).
    Without one: the unrounded SE average rounded half-up to a whole number directly."""
    if school_exam_average is None:
        return None
    if not has_central_exam:
        return int(round_half_up(school_exam_average, WHOLE))
    if central_exam is None:
        return None
    school_exam = school_exam_grade(school_exam_average)
    assert school_exam is not None
    return final_grade(school_exam=school_exam, central_exam=central_exam)


def combination_grade(final_grades: Iterable[int | None]) -> int | None:
    """The combination grade: the mean of its parts' final grades rounded half-up to a whole number; None when
    there are no parts or a part has no final grade yet."""
    parts = list(final_grades)
    if not parts or any(p is None for p in parts):
        return None
    mean = Decimal(sum(p for p in parts if p is not None)) / len(parts)
    return int(round_half_up(mean, WHOLE))


@dataclass(frozen=True)
class SubjectOutcome:
    """One subject of a candidate: every figure the examination secretary checks, from the inputs given."""

    subject_id: int
    school_exam_average: Decimal | None  # unrounded
    school_exam: Decimal | None  # one decimal
    central_exam_attempts: tuple[Decimal | None, ...]
    central_exam: Decimal | None  # the attempt that counts (highest)
    has_central_exam: bool
    in_combination: bool
    final: int | None


@dataclass(frozen=True)
class CandidateOutcome:
    subjects: tuple[SubjectOutcome, ...]
    combination: int | None
    combination_parts: tuple[int, ...]  # subject ids of the combination grade


def subject_outcome(
    *,
    subject_id: int,
    school_exam_average: Decimal | None,
    central_exam_attempts: Iterable[Decimal | None],
    has_central_exam: bool,
    in_combination: bool = False,
) -> SubjectOutcome:
    attempts = tuple(central_exam_attempts)
    central = central_exam_grade(attempts)
    return SubjectOutcome(
        subject_id=subject_id,
        school_exam_average=school_exam_average,
        school_exam=school_exam_grade(school_exam_average),
        central_exam_attempts=attempts,
        central_exam=central,
        has_central_exam=has_central_exam,
        in_combination=in_combination,
        final=subject_final_grade(
            school_exam_average=school_exam_average, central_exam=central, has_central_exam=has_central_exam
        ),
    )


def candidate_outcome(subjects: Iterable[SubjectOutcome]) -> CandidateOutcome:
    """All subjects of a candidate and the combination grade over the subjects marked as its parts."""
    rows = tuple(subjects)
    parts = tuple(s for s in rows if s.in_combination)
    return CandidateOutcome(
        subjects=rows,
        combination=combination_grade(s.final for s in parts),
        combination_parts=tuple(s.subject_id for s in parts),
    )
