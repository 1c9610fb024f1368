"""The school's grade rules and resits across periods: the worked examples of docs/grades.md (the same numbers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from inzage.grades.averages import (
    GradeRules,
    YearRule,
    report_grade,
    round_exact,
    student_averages,
    weighted_average,
    year_average,
)
from inzage.grades.models import GradeSettings, parse_period_weights
from inzage.grades.tests.test_averages import item

P1, P2, P3, P4 = 1, 2, 3, 4
LATER = dt.date(2026, 1, 20)


def resit_in_another_period() -> list:
    # T1 (P1, weight 2) 4,0; quiz (P1, weight 1) 7,0; the resit of T1, filed under P2 with its own weight 1: 6,5;
    # a P2 test (weight 1) 8,0.
    return [
        item(1, "4.0", "2", period=P1),
        item(2, "7.0", "1", period=P1),
        item(3, "6.5", "1", period=P2, resit_of_id=1, root_period_id=P1, root_weight=D("2"), date=LATER),
        item(4, "8.0", "1", period=P2),
    ]


def test_worked_example_a_resit_counts_in_the_period_of_the_test_it_replaces() -> None:
    results = resit_in_another_period()
    # P1: highest of 4,0 and 6,5 = 6,5 with T1's weight 2, plus 7,0 → (13 + 7) / 3 = 6,67 → 6,7
    assert report_grade(results, subject_id=1, period_id=P1) == D("6.7")
    # P2: only the P2 test; the resit is not counted again here → 8,0
    assert report_grade(results, subject_id=1, period_id=P2) == D("8.0")
    # the year: (6,5 × 2 + 7,0 + 8,0) / 4 = 7,0 — the resit counted once
    assert year_average(results, subject_id=1) == D("7.0")
    assert student_averages(results).report_grades == {(1, P1): D("6.7"), (1, P2): D("8.0")}


def test_a_resit_counts_with_the_replaced_tests_weight_even_when_the_original_has_no_result() -> None:
    # Not made the first time (inhalen), the resit (own weight 1, filed in P2) counts in P1 with T1's weight 2.
    results = [
        item(1, None, "2", period=P1, status="not_made"),
        item(2, "8.0", "1", period=P1),
        item(3, "5.0", "1", period=P2, resit_of_id=1, root_period_id=P1, root_weight=D("2"), date=LATER),
    ]
    assert weighted_average(results) == D("6")  # (5 × 2 + 8) / 3
    assert report_grade(results, subject_id=1, period_id=P1) == D("6.0")
    assert report_grade(results, subject_id=1, period_id=P2) is None


def year_results() -> list:
    # P1: 5,0 and 7,0 (weight 1 each) → 6,0; P2: 7,0 → 7,0; P3: 8,0 (weight 2) → 8,0
    return [
        item(1, "5.0", "1", period=P1),
        item(2, "7.0", "1", period=P1),
        item(3, "7.0", "1", period=P2),
        item(4, "8.0", "2", period=P3),
    ]


def test_worked_example_year_average_of_all_results() -> None:
    # (5 + 7 + 7 + 8 × 2) / 5 = 35 / 5 = 7,0
    assert year_average(year_results(), subject_id=1) == D("7.0")


def test_worked_example_year_average_of_period_averages_with_period_weights() -> None:
    rules = GradeRules(year_rule=YearRule.PERIOD_WEIGHTS, period_weights={P1: D("25"), P2: D("25"), P3: D("50")})
    # 0,25 × 6,0 + 0,25 × 7,0 + 0,50 × 8,0 = 7,25 → 7,3 (one decimal), 7 (none), 7,25 (two)
    assert year_average(year_results(), subject_id=1, rules=rules) == D("7.3")
    assert year_average(year_results(), subject_id=1, rules=GradeRules(**{**rules.__dict__, "decimals": 0})) == D("7")
    two = year_average(year_results(), subject_id=1, rules=GradeRules(**{**rules.__dict__, "decimals": 2}))
    assert two == D("7.25") and str(two) == "7.25"
    # Before P3 has results, the weights of the periods that have an average count: (6,0 × 25 + 7,0 × 25) / 50 = 6,5
    assert year_average(year_results()[:3], subject_id=1, rules=rules) == D("6.5")
    # A period without a weight (P4 here) does not count.
    assert year_average([*year_results(), item(5, "1.0", period=P4)], subject_id=1, rules=rules) == D("7.3")
    assert student_averages(year_results(), rules=rules).year_averages == {1: D("7.3")}


def test_period_averages_are_weighted_unrounded() -> None:
    # P1: 6,0 + 6,5 × 2 → 6,333…; P2: 7,0. 50/50 → 6,666… → 6,7 (rounded report grades 6,3 and 7,0 would give 6,65)
    rules = GradeRules(year_rule=YearRule.PERIOD_WEIGHTS, period_weights={P1: D("1"), P2: D("1")}, decimals=2)
    results = [item(1, "6.0", "1", period=P1), item(2, "6.5", "2", period=P1), item(3, "7.0", period=P2)]
    assert year_average(results, subject_id=1, rules=rules) == D("6.67")


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (D("7.25"), 1, "7.3"),
        (D("7.25"), 0, "7"),
        (D("7.25"), 2, "7.25"),
        (D("6.449"), 1, "6.4"),
        (D("6.45"), 0, "6"),
        (D("6.5"), 0, "7"),
        (D("7"), 2, "7.00"),
    ],
)
def test_round_exact(value, decimals, shown) -> None:
    assert str(round_exact(value, decimals)) == shown


@pytest.mark.parametrize(
    ("text", "weights"),
    [
        ("", {}),
        ("25/25/50", {1: D("25"), 2: D("25"), 3: D("50")}),
        (" 1 / 1 / 2 / 0 ", {1: D("1"), 2: D("1"), 3: D("2"), 4: D("0")}),
        ("12,5/87.5", {1: D("12.5"), 2: D("87.5")}),
    ],
)
def test_parse_period_weights(text, weights) -> None:
    assert parse_period_weights(text) == weights


@pytest.mark.parametrize("text", ["25;25", "a/b", "25//50", "-1/2", "２５/50", "1e3", "12.345/50", "5000"])
def test_parse_period_weights_refuses(text) -> None:
    with pytest.raises(ValueError):
        parse_period_weights(text)


@pytest.mark.django_db
def test_grade_settings_clean_explains_in_dutch(personas) -> None:
    settings = GradeSettings(school=personas.school, period_weights="25;75")
    with pytest.raises(ValidationError) as refused:
        settings.clean()
    assert "25/25/50" in str(refused.value)
    settings = GradeSettings(school=personas.school, year_average_rule="period_weights", period_weights="")
    with pytest.raises(ValidationError):
        settings.clean()
    assert settings.period_weights_by_number() == {}


@pytest.mark.django_db
def test_a_period_report_counts_a_resit_in_the_period_of_the_test_it_replaces(personas) -> None:
    """The worked example through `period_report_grades`: the P1 report has 6,7, the P2 report 8,0."""
    from django.utils import timezone

    from inzage.grades.actions import column_create, results_save
    from inzage.grades.models import AssessmentKind
    from inzage.grades.parsing import ParsedCell
    from inzage.grades.period_reports import period_report_grades

    at = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    p1, p2 = personas.periods[0], personas.periods[1]

    def column(code, period, weight, resit_of=None):
        return column_create(group=personas.group, kind=kind, period=period, name=code, code=code,
                             date=period.start, by=None, at=at, weight=D(weight), resit_of=resit_of)  # fmt: skip

    t1 = column("T1", p1, "2")
    columns = [(t1, "4.0"), (column("Q1", p1, "1"), "7.0"), (column("T1h", p2, "1", resit_of=t1), "6.5")]
    columns.append((column("T2", p2, "1"), "8.0"))
    cells = [(c, personas.student.pk, ParsedCell(value=D(v))) for c, v in columns]
    results_save(cells=cells, existing={}, by=None, at=at, reason="")
    later = at + dt.timedelta(days=200)
    p1_report = period_report_grades(school_class=personas.klas, period=p1, at=later)[personas.student.pk]
    p2_report = period_report_grades(school_class=personas.klas, period=p2, at=later)[personas.student.pk]
    assert p1_report["wi"]["grade"] == "6.7"
    assert p2_report["wi"]["grade"] == "8.0"
