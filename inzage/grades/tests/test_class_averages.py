"""`class_averages` (summed by the database) gives exactly what `student_averages` gives per student."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inzage.grades.averages import GradeRules, YearRule, student_averages
from inzage.grades.models import AssessmentKind, Column, GradeSettings, Result
from inzage.grades.queries import class_averages
from inzage.schools.models import Subject, TeachingGroup

AT = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))
WEIGHTS = [D("0"), D("0.5"), D("1"), D("2.25"), D("3")]

column_spec = st.fixed_dictionaries(
    {
        "weight": st.sampled_from(WEIGHTS[1:] * 3 + WEIGHTS[:1]),
        "period": st.integers(0, 1),
        "subject": st.integers(0, 1),
        "type": st.sampled_from([Column.ResultType.NUMBER] * 7 + [Column.ResultType.JUDGEMENT]),
        "retracted": st.sampled_from([False] * 7 + [True]),
        "resit_of": st.one_of(st.just(-1), st.just(-1), st.integers(0, 7)),  # an earlier column, or none
        "rule": st.sampled_from(list(Column.ResitRule.values)),
        "day": st.integers(0, 60),
    }
)
grade = st.integers(10, 100).map(lambda n: D(n) / 10)
result_spec = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            # mostly plain numbers: averages with several counted results are where rounding can go wrong
            "value": st.one_of(grade, grade, grade, st.none()),
            "status": st.sampled_from([Result.Status.NORMAL] * 6 + list(Result.Status.values)),
            "retracted": st.sampled_from([False] * 7 + [True]),
        }
    ),
    st.fixed_dictionaries({"value": grade, "status": st.just(Result.Status.NORMAL), "retracted": st.just(False)}),
    st.fixed_dictionaries({"value": grade, "status": st.just(Result.Status.NORMAL), "retracted": st.just(False)}),
)


def _build(personas, kind, columns_spec, results_spec) -> None:
    school = personas.school
    other_subject = Subject.objects.create(school=school, code="ak", name="aardrijkskunde")
    other_group = TeachingGroup.objects.create(
        school=school, school_year=personas.year, subject=other_subject, name="h3a-ak"
    )
    groups = [(personas.group, personas.subject), (other_group, other_subject)]
    columns: list[Column] = []
    for i, spec in enumerate(columns_spec):
        group, subject = groups[spec["subject"]]
        resit_of = columns[spec["resit_of"]] if 0 <= spec["resit_of"] < i else None
        columns.append(
            Column.objects.create(
                school=school,
                teaching_group=group,
                subject=subject,
                period=personas.periods[spec["period"]],
                kind=kind,
                name=f"T{i}",
                code=f"T{i}",
                date=dt.date(2025, 9, 1) + dt.timedelta(days=spec["day"]),
                weight=spec["weight"],
                result_type=spec["type"],
                resit_of=resit_of,
                resit_rule=spec["rule"],
                retracted_at=AT if spec["retracted"] else None,
                release_at=AT,
            )
        )
    students = [personas.student, personas.other_student]
    for (c, s), spec in zip(((c, s) for s in students for c in columns), results_spec, strict=False):
        if spec is None:
            continue
        Result.objects.create(
            school=school,
            column=c,
            student=s,
            value=spec["value"],
            status=spec["status"],
            retracted_at=AT if spec["retracted"] else None,
            entered_at=AT,
        )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    columns_spec=st.lists(column_spec, min_size=1, max_size=8),
    results_spec=st.lists(result_spec, min_size=2, max_size=16),
    rounding=st.sampled_from(list(GradeSettings.Rounding.values)),
    year_rule=st.sampled_from([YearRule.ALL_RESULTS, YearRule.PERIOD_WEIGHTS]),
    period_weights=st.tuples(st.sampled_from(WEIGHTS), st.sampled_from(WEIGHTS)),
    decimals=st.integers(0, 2),
)
def test_class_averages_equal_student_averages(
    personas, columns_spec, results_spec, rounding, year_rule, period_weights, decimals
) -> None:
    rules = GradeRules(
        report_rounding=rounding,
        year_rule=year_rule,
        period_weights={p.pk: w for p, w in zip(personas.periods, period_weights, strict=False)},
        decimals=decimals,
    )
    with transaction.atomic():
        kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
        _build(personas, kind, columns_spec, results_spec)
        queryset = Result.objects.filter(school=personas.school)
        expected = {}
        for result in queryset.select_related("column", "column__resit_of", "column__resit_of__resit_of"):
            expected.setdefault(result.student_id, []).append(result)
        want = {sid: student_averages(rs, rounding=rounding) for sid, rs in expected.items()}
        assert class_averages(queryset, rounding=rounding) == want
        want = {sid: student_averages(rs, rules=rules) for sid, rs in expected.items()}
        assert class_averages(queryset, rules=rules) == want
        transaction.set_rollback(True)


def _column(weight: str, day: int, resit_of: int = -1, period: int = 0) -> dict:
    return {"weight": D(weight), "period": period, "subject": 0, "type": "number", "retracted": False,
            "resit_of": resit_of, "rule": "highest", "day": day}  # fmt: skip


def _grade(value: str) -> dict:
    return {"value": D(value), "status": "normal", "retracted": False}


@pytest.mark.django_db
def test_class_averages_worked_example_with_a_resit(personas, django_assert_num_queries) -> None:
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    columns = [_column("1", 1), _column("3", 2), _column("2", 3, resit_of=1), _column("3", 4)]
    # student: T0 6,0; T1 4,0 with its resit 8,0. Other student: T0 6,0 and T3 6,5 (no resits).
    _build(
        personas,
        kind,
        columns,
        [_grade("6.0"), _grade("4.0"), _grade("8.0"), None, _grade("6.0"), None, None, _grade("6.5")],
    )
    with django_assert_num_queries(5):  # columns, chain columns, sums, chain results, their columns
        got = class_averages(Result.objects.filter(school=personas.school))
    # 6,0 ×1 and the chain (highest of 4,0 and 8,0 = 8,0) with the original's weight 3 → (6 + 24) / 4 = 7,5
    assert got[personas.student.pk].year_averages == {personas.subject.pk: D("7.5")}
    assert got[personas.student.pk].report_grades == {(personas.subject.pk, personas.periods[0].pk): D("7.5")}
    # 6,0 ×1 and 6,5 ×3 → 25,5 / 4 = 6,375 → 6,4 (half-up; not 6,3)
    assert got[personas.other_student.pk].year_averages == {personas.subject.pk: D("6.4")}


@pytest.mark.django_db
def test_class_averages_count_a_resit_in_the_period_it_replaces_with_period_weights(
    personas, django_assert_num_queries
) -> None:
    """docs/grades.md, "Resit in another period", summed by the database: the same figures as the pure test."""
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    p1, p2 = personas.periods[0], personas.periods[1]
    # T1 (P1, w2) 4,0; quiz (P1, w1) 7,0; resit of T1 filed under P2 (own weight 1) 6,5; P2 test (w1) 8,0
    columns = [_column("2", 1), _column("1", 2), _column("1", 40, resit_of=0, period=1), _column("1", 41, period=1)]
    _build(personas, kind, columns, [_grade("4.0"), _grade("7.0"), _grade("6.5"), _grade("8.0")])
    queryset = Result.objects.filter(school=personas.school)
    with django_assert_num_queries(5):
        got = class_averages(queryset)[personas.student.pk]
    subject = personas.subject.pk
    assert got.report_grades == {(subject, p1.pk): D("6.7"), (subject, p2.pk): D("8.0")}
    assert got.year_averages == {subject: D("7.0")}
    rules = GradeRules(year_rule=YearRule.PERIOD_WEIGHTS, period_weights={p1.pk: D("25"), p2.pk: D("75")}, decimals=2)
    # P1 20/3 = 6,666…, P2 8,0 → (6,666… × 25 + 8,0 × 75) / 100 = 7,666… → 7,67
    assert class_averages(queryset, rules=rules)[personas.student.pk].year_averages == {subject: D("7.67")}
