"""Corrections follow the publication rule: a changed value of a visible result is released like a new result (the
school's 17:00 moment; student-first for guardians), and until then every viewer keeps the previous value and the
averages computed from it. Through the actions, the engine and the real (cached) portal page."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from inzage.grades.actions import assessment_kinds_ensure, column_create, result_retract, results_save
from inzage.grades.models import AssessmentKind, Column, Result
from inzage.grades.parsing import parse_cell
from inzage.visibility.derived import visible_averages
from inzage.visibility.policy import context_for, item_from_result, viewer_for, visible_results
from inzage.visibility.policy.transitions import next_transition, transitions
from inzage.visibility.queries import student_items
from inzage.visibility.tests.conftest import local, set_policy

PUBLICATION = 'format = 1\n[publication]\ntimes = ["17:00"]\nschool_days_only = true\nkinds = ["grades"]\n'
STUDENT_FIRST = '[student_first]\nschool_days = {days}\nkinds = ["grades"]\n'
MONDAY = dt.date(2025, 11, 10)  # a school day; Tuesday 11, Wednesday 12 November too


def _enter(p, *, code: str, value: str, at: dt.datetime) -> Column:
    assessment_kinds_ensure(school_id=p.school.pk)
    column = column_create(
        group=p.group,
        kind=AssessmentKind.objects.get(school=p.school, code="toets"),
        period=p.periods[1],
        name=f"Toets {code}",
        code=code,
        date=at.date(),
        by=p.user("teacher"),
        at=at,
    )
    results_save(
        cells=[(column, p.student.pk, parse_cell(value, result_type="number"))], by=p.user("teacher"), at=at, reason=""
    )
    return column


def _change(p, column: Column, value: str, at: dt.datetime, reason: str = "nagekeken") -> None:
    outcome = results_save(
        cells=[(column, p.student.pk, parse_cell(value, result_type="number"))],
        by=p.user("teacher"),
        at=at,
        reason=reason,
    )
    assert outcome.changed == 1


def _seen(p, name: str, at: dt.datetime) -> tuple[list[Decimal | None], list[Decimal | None]]:
    viewer = viewer_for(p.user(name))
    results = list(visible_results(viewer=viewer, student=p.student, at=at).order_by("column__code"))
    averages = visible_averages(viewer=viewer, student=p.student, at=at, results=results)
    return [r.value for r in results], [a.average for a in averages]


@pytest.fixture
def corrected(personas):
    """5,0 (and 8,0) entered Monday 09:00 and published at 17:00; the 5,0 changed to 6,0 on Tuesday at 10:00."""
    p = personas
    column = _enter(p, code="T1", value="5,0", at=local(2025, 11, 10, 9))
    _enter(p, code="T2", value="8,0", at=local(2025, 11, 10, 9))
    _change(p, column, "6,0", local(2025, 11, 11, 10))
    return p, column


def test_a_correction_waits_for_the_publication_moment(corrected) -> None:
    p, _column = corrected
    set_policy(p.school, PUBLICATION + STUDENT_FIRST.format(days=0))
    before, after = local(2025, 11, 11, 16, 59), local(2025, 11, 11, 17, 0)
    for name in ("parent", "student"):
        assert _seen(p, name, local(2025, 11, 11, 9, 59)) == ([Decimal("5.0"), Decimal("8.0")], [Decimal("6.5")])
        assert _seen(p, name, before) == ([Decimal("5.0"), Decimal("8.0")], [Decimal("6.5")]), name
        assert _seen(p, name, after) == ([Decimal("6.0"), Decimal("8.0")], [Decimal("7.0")]), name
    # Staff see the current value at once (the rule is about publication to students and parents).
    assert _seen(p, "teacher", before) == ([Decimal("6.0"), Decimal("8.0")], [Decimal("7.0")])


def test_a_correction_reaches_guardians_student_first(corrected) -> None:
    p, _column = corrected
    set_policy(p.school, PUBLICATION + STUDENT_FIRST.format(days=1))
    tuesday_17, wednesday_1659, wednesday_17 = (
        local(2025, 11, 11, 17),
        local(2025, 11, 12, 16, 59),
        local(2025, 11, 12, 17),
    )
    # The original 5,0 reached the parent on Tuesday 17:00 (one school day after Monday 17:00).
    assert _seen(p, "parent", local(2025, 11, 11, 16, 59)) == ([], [])
    assert _seen(p, "student", tuesday_17)[0] == [Decimal("6.0"), Decimal("8.0")]
    assert _seen(p, "parent", tuesday_17) == ([Decimal("5.0"), Decimal("8.0")], [Decimal("6.5")])
    assert _seen(p, "parent", wednesday_1659) == ([Decimal("5.0"), Decimal("8.0")], [Decimal("6.5")])
    assert _seen(p, "parent", wednesday_17) == ([Decimal("6.0"), Decimal("8.0")], [Decimal("7.0")])


def test_decide_says_when_the_correction_is_shown_and_transitions_include_it(corrected) -> None:
    p, column = corrected
    set_policy(p.school, PUBLICATION + STUDENT_FIRST.format(days=1))
    result = Result.objects.select_related("column", "column__subject").get(column=column, student=p.student)
    item = item_from_result(result)
    assert [v for v, _r in item.versions] == [1, 2]
    parent = viewer_for(p.user("parent"))
    ctx = context_for(viewer=parent, student_id=p.student.pk, at=local(2025, 11, 11, 17))
    assert ctx.shown_version(item) == 1
    assert ctx.version_decision(item, 2).visible_from == local(2025, 11, 12, 17)
    found = transitions(
        viewer=parent, student_id=p.student.pk, items=[item], start=local(2025, 11, 11, 17), end=local(2025, 11, 14)
    )
    assert [(t.at, t.version) for t in found] == [(local(2025, 11, 12, 17), 2)]
    # The page cache: a page built on Wednesday morning expires at the correction's moment, not at midnight.
    after = local(2025, 11, 12, 9)
    until = next_transition(
        viewer=viewer_for(p.user("parent")),
        student_id=p.student.pk,
        items=student_items(student=p.student),
        after=after,
    )
    assert until == local(2025, 11, 12, 17)


def test_the_acceptance_case_through_the_cached_portal_page(client, personas, monkeypatch) -> None:
    """5,0 visible to a parent; the teacher changes it to 6,0 at 10:00; at 16:59 the parent still sees 5,0 and the
    old average; from 17:00 6,0 (the page cache expires at the correction's moment)."""
    p = personas
    set_policy(p.school, PUBLICATION + STUDENT_FIRST.format(days=0))
    column = _enter(p, code="T1", value="5,0", at=local(2025, 11, 10, 9))
    _enter(p, code="T2", value="8,0", at=local(2025, 11, 10, 9))
    client.force_login(p.user("parent"))

    def page(at: dt.datetime) -> str:
        monkeypatch.setenv("INZAGE_NOW", at.isoformat())
        monkeypatch.setenv("INZAGE_NOW_AT", str(time.time()))
        response = client.get(reverse("portal:grades", args=[p.student.pk]))
        assert response.status_code == 200
        return response.content.decode()

    assert "5,0" in page(local(2025, 11, 11, 9)) and "6,5" in page(local(2025, 11, 11, 9, 30))
    _change(p, column, "6,0", local(2025, 11, 11, 10))
    shown = page(local(2025, 11, 11, 16, 59))
    assert "5,0" in shown and "6,5" in shown and "6,0" not in shown and "7,0" not in shown
    shown = page(local(2025, 11, 11, 17, 0))
    assert "6,0" in shown and "7,0" in shown and "5,0" not in shown


def test_a_retracted_value_never_comes_back_while_a_re_entry_waits(personas) -> None:
    p = personas
    set_policy(p.school, PUBLICATION + STUDENT_FIRST.format(days=0))
    column = _enter(p, code="T1", value="5,0", at=local(2025, 11, 10, 9))
    result = Result.objects.get(column=column, student=p.student)
    result_retract(result=result, by=p.user("teacher"), at=local(2025, 11, 11, 9), reason="verkeerde leerling")
    _change(p, column, "7,0", local(2025, 11, 11, 10), reason="")  # re-entered: no reason needed after a retraction
    assert _seen(p, "parent", local(2025, 11, 11, 16, 59)) == ([], [])
    assert _seen(p, "parent", local(2025, 11, 11, 17)) == ([Decimal("7.0")], [Decimal("7.0")])


def test_values_of_the_rows_cannot_be_read_around_the_shown_version(corrected) -> None:
    p, _column = corrected
    rows = visible_results(viewer=viewer_for(p.user("parent")), student=p.student, at=local(2025, 11, 11, 12))
    assert len(rows.values_list("pk", flat=True)) == 2
    with pytest.raises(TypeError):
        rows.values_list("value", flat=True)
    with pytest.raises(TypeError):
        rows.values()


def test_the_teacher_sees_on_the_grid_and_history_when_a_correction_will_be_shown(
    client, corrected, monkeypatch
) -> None:
    p, column = corrected
    set_policy(p.school, PUBLICATION + STUDENT_FIRST.format(days=1))
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: local(2025, 11, 11, 12))
    client.force_login(p.user("teacher"))
    grid = client.get(reverse("teacher:column", args=[p.group.pk, column.pk])).content.decode()
    assert "Wijziging zichtbaar voor de leerling vanaf 11-11-2025 17:00, voor ouders vanaf 12-11-2025 17:00" in grid
    history = client.get(reverse("teacher:result_history", args=[p.group.pk, column.pk, p.student.pk]))
    text = history.content.decode()
    assert history.status_code == 200
    assert "10-11-2025 17:00" in text and "11-11-2025 17:00" in text and "12-11-2025 17:00" in text
    # After the guardians' moment nothing is pending any more.
    monkeypatch.setattr(timezone, "now", lambda: local(2025, 11, 12, 17, 1))
    grid = client.get(reverse("teacher:column", args=[p.group.pk, column.pk])).content.decode()
    assert "Wijziging zichtbaar" not in grid
