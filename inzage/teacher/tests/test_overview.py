"""The teacher's group overview: students × columns with student numbers, period and year averages through the
policy, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inzage.grades.actions import column_create, result_enter
from inzage.grades.models import AssessmentKind, Column
from inzage.grades.parsing import ParsedCell
from inzage.testing import factories as f
from inzage.testing.queries import page_queries
from inzage.visibility.policy.document import DEFAULT_POLICY, PolicySpec, dump_policy
from inzage.visibility.tests.conftest import set_policy

AT = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))


def make_column(personas, code: str, *, period: int = 0, weight: str = "1") -> Column:
    kind, _ = AssessmentKind.objects.get_or_create(school=personas.school, code="toets", defaults={"name": "toets"})
    return column_create(
        group=personas.group,
        kind=kind,
        period=personas.periods[period],
        name=f"Toets {code}",
        code=code,
        date=dt.date(2025, 9, 20) + dt.timedelta(days=len(code)),
        weight=Decimal(weight),
        by=personas.user("teacher"),
        at=AT,
    )


def enter(column: Column, student, value: str) -> None:
    result_enter(column=column, student=student, cell=ParsedCell(value=Decimal(value)), by=None, at=AT)


def overview(client, personas) -> str:
    client.force_login(personas.user("teacher"))
    response = client.get(reverse("teacher:overview", args=[personas.group.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_overview_shows_results_student_numbers_and_averages(client, personas) -> None:
    h1, h2 = make_column(personas, "H1", weight="1"), make_column(personas, "H2", weight="2")
    enter(h1, personas.student, "4.0")
    enter(h2, personas.student, "7.0")
    body = overview(client, personas)
    assert personas.student.student_number in body
    assert ">H1</a>" in body and ">H2</a>" in body
    assert ">4,0*</td>" in body  # a fail is marked with more than colour
    assert ">6,0</td>" in body  # (4 + 2 × 7) / 3: the period's report grade and the year average
    assert body.count(">6,0</td>") == 2


def test_averages_appear_only_when_the_policy_lets_the_teacher_see_them(client, personas) -> None:
    h1 = make_column(personas, "H1")
    enter(h1, personas.student, "8.0")
    staff = dict(DEFAULT_POLICY.staff, teacher=frozenset({"grades"}))
    set_policy(personas.school, dump_policy(PolicySpec(staff=staff)))
    body = overview(client, personas)
    assert ">8,0</td>" in body  # the grade itself: yes
    assert body.count("8,0") == 1  # no report grade, no year average
    assert "niet zichtbaar" in body


def test_a_column_of_another_group_is_not_in_the_overview(client, personas) -> None:
    other_group = f.TeachingGroupFactory(
        school=personas.school, school_year=personas.group.school_year, subject=personas.group.subject, name="x"
    )
    other_group.students.add(personas.student)
    kind, _ = AssessmentKind.objects.get_or_create(school=personas.school, code="toets", defaults={"name": "toets"})
    foreign = column_create(
        group=other_group, kind=kind, period=personas.periods[0], name="Elders", code="ELDQ",
        date=dt.date(2025, 9, 21), by=None, at=AT,
    )  # fmt: skip
    enter(foreign, personas.student, "9.9")
    body = overview(client, personas)
    main = body[body.index("<main") : body.index("</main>")]  # the CSRF token in the header may hold any letters
    assert "9,9" not in main and "ELDQ" not in main and "Elders" not in main


def _queries(client, personas, n: int) -> int:
    students = [f.StudentFactory(school=personas.school) for _ in range(n)]
    personas.group.students.set(students)
    columns = [make_column(personas, f"K{n}x{i}", period=i % 2) for i in range(3)]
    for column in columns:
        for s in students:
            enter(column, s, "6.5")
    client.force_login(personas.user("teacher"))
    url = reverse("teacher:overview", args=[personas.group.pk])
    client.get(url)  # warm the per-process caches (calendar, policy) as a running server has them
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(page_queries(ctx.captured_queries))


@pytest.mark.django_db
def test_the_overview_takes_the_same_number_of_queries_for_3_and_30_students(client, personas) -> None:
    few = _queries(client, personas, 3)
    many = _queries(client, personas, 30)
    assert few == many, (few, many)
    assert many <= 24  # the viewer (6), group, students, columns, periods, facts (3+4), results (1), averages (≤4),
    # the school's grade rules (1)
