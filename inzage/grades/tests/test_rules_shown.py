"""The school's grade rules as people see them: "telt niet mee" visible or hidden, the decimals and the year rule of
shown averages, and averages still computed only from what the viewer may see."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from inzage.grades.models import GradeSettings, Result
from inzage.visibility.tests.conftest import local, make_result


@pytest.fixture
def marked(personas):
    """6,0 and 8,0 in P1, and a 4,0 the teacher marked "telt niet mee"."""
    made = [
        make_result(
            student=personas.student,
            group=personas.group,
            period=personas.periods[0],
            release_at=local(2025, 9, 10),
            entered_at=local(2025, 9, 10),
            value=value,
        )
        for value in ("6.0", "8.0", "4.0")
    ]
    Result.objects.filter(pk=made[2].pk).update(status=Result.Status.NOT_COUNTING)
    return made


def page(client, personas, persona) -> str:
    client.force_login(personas.user(persona))
    if persona in ("student", "parent"):
        url = reverse("portal:grades", args=[personas.student.pk])
    else:
        url = reverse("staff:student", args=[personas.student.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["student", "parent", "mentor"])
def test_not_counting_stays_visible_by_default_and_never_counts(client, personas, marked, persona) -> None:
    body = page(client, personas, persona)
    assert "4,0 (telt niet mee)" in body
    assert "7,0" in body  # (6,0 + 8,0) / 2: the 4,0 does not count


@pytest.mark.parametrize(("persona", "sees_value"), [("student", False), ("parent", False), ("mentor", True)])
def test_a_school_can_hide_not_counting_grades_from_students_and_parents(
    client, personas, marked, persona, sees_value
) -> None:
    GradeSettings.objects.create(school=personas.school, not_counting_rule=GradeSettings.NotCountingRule.HIDDEN)
    body = page(client, personas, persona)
    assert ("4,0" in body) is sees_value
    assert "telt niet mee" in body
    assert "7,0" in body


def test_hidden_not_counting_through_the_engine(personas, marked) -> None:
    from django.utils import timezone

    from inzage.visibility.policy import viewer_for, visible_results

    GradeSettings.objects.create(school=personas.school, not_counting_rule=GradeSettings.NotCountingRule.HIDDEN)
    for persona, shown in (("student", None), ("parent", None), ("mentor", D("4.0"))):
        rows = visible_results(viewer=viewer_for(personas.user(persona)), student=personas.student, at=timezone.now())
        mark = next(r for r in rows.order_by("pk") if r.pk == marked[2].pk)  # a clone keeps the rule
        assert mark.status == Result.Status.NOT_COUNTING and mark.value == shown


@pytest.mark.parametrize(("decimals", "shown"), [(0, ">7<"), (1, ">7,0<"), (2, ">7,00<")])
def test_averages_are_shown_with_the_schools_decimals(client, personas, marked, decimals, shown) -> None:
    GradeSettings.objects.create(school=personas.school, average_decimals=decimals)
    assert shown in page(client, personas, "student").replace(" ", "")


def test_the_portal_average_follows_the_period_weights_from_visible_results_only(client, personas) -> None:
    # P1 6,0; P2 8,0 and a held-back 1,3 in P2; 25/75 → 0,25 × 6,0 + 0,75 × 8,0 = 7,5 (the 1,3 is not seen)
    for period, value, release in ((0, "6.0", local(2025, 9, 10)), (1, "8.0", local(2025, 11, 20)), (1, "1.3", None)):
        make_result(
            student=personas.student,
            group=personas.group,
            period=personas.periods[period],
            release_at=release,
            entered_at=local(2025, 11, 20),
            value=value,
        )
    GradeSettings.objects.create(
        school=personas.school, year_average_rule="period_weights", period_weights="25/75", average_decimals=2
    )
    body = page(client, personas, "student").replace(" ", "")
    assert ">7,50<" in body
    assert "1,3" not in body
