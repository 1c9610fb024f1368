"""The grid when someone else saved the same column after the teacher loaded it (issue 7): a cell changed meanwhile
is not overwritten; it comes back with both values and the typed one kept, and the other cells are saved."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inzage.grades.actions import GradeActionError, column_create, result_change, result_enter, results_save
from inzage.grades.models import AssessmentKind, Result, ResultVersion
from inzage.grades.parsing import ParsedCell
from inzage.testing import factories as f

AT = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))
FIELD = re.compile(r'name="((?:cell|v)-\d+)" value="([^"]*)"')


@pytest.fixture
def grid(personas):
    """Jansen (the persona student) has 6,0; a second student has nothing yet; two teachers of the group."""
    personas.group.teachers.add(personas.other_teacher)
    second = f.StudentFactory(school=personas.school, last_name="Zwart")
    personas.group.students.add(second)
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    column = column_create(
        group=personas.group, kind=kind, period=personas.periods[0], name="H1", code="H1",
        date=dt.date(2025, 9, 30), by=None, at=AT,
    )  # fmt: skip
    result_enter(column=column, student=personas.student, cell=ParsedCell(value=Decimal("6.0")), by=None, at=AT)
    url = reverse("teacher:column", args=[personas.group.pk, column.pk])
    return column, personas.student, second, url


def _loaded_form(client, url) -> dict[str, str]:
    """The grid's fields as the browser would post them (typed cells and the loaded versions)."""
    response = client.get(url)
    assert response.status_code == 200
    return dict(FIELD.findall(response.content.decode()))


def _other_teacher_saves(personas, url, data) -> None:
    from django.test import Client

    other = Client()
    other.force_login(personas.user("other_teacher"))
    assert other.post(url, {**_loaded_form(other, url), **data, "reason": "herzien"}).status_code == 302


def test_a_cell_changed_meanwhile_comes_back_with_both_values_and_the_typed_one_kept(client, personas, grid) -> None:
    column, jansen, zwart, url = grid
    client.force_login(personas.user("teacher"))
    form = _loaded_form(client, url)
    assert form[f"v-{jansen.pk}"] == "1" and form[f"v-{zwart.pk}"] == "0"
    _other_teacher_saves(personas, url, {f"cell-{jansen.pk}": "7,0"})

    form.update({f"cell-{jansen.pk}": "6,5", f"cell-{zwart.pk}": "8,0", "reason": "nagekeken"})
    response = client.post(url, form)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Deze cel is intussen gewijzigd door iemand anders; jouw invoer is daar niet opgeslagen:" in html
    assert (
        f'<a href="#cell-{jansen.pk}">{jansen.sort_name}</a>: opgeslagen <strong>7,0</strong>, jouw invoer <strong>6,5</strong>'
        in html
    )
    assert "Intussen gewijzigd in 7,0; jouw 6,5 is niet opgeslagen." in html
    returned = dict(FIELD.findall(html))
    assert returned[f"cell-{jansen.pk}"] == "6,5"  # nothing typed is lost
    assert returned[f"v-{jansen.pk}"] == "2"  # the teacher has seen version 2 now
    assert returned[f"cell-{zwart.pk}"] == "8,0"
    jansen_result = Result.objects.get(column=column, student=jansen)
    assert jansen_result.value == Decimal("7.0")  # theirs is kept
    assert Result.objects.get(column=column, student=zwart).value == Decimal("8.0")  # the other cell is saved

    # Saving the returned grid again (with a reason) deliberately replaces their value; all of it is history.
    response = client.post(url, {**returned, "reason": "nagekeken"})
    assert response.status_code == 302
    history = ResultVersion.objects.filter(result=jansen_result).order_by("version")
    assert [(v.version, v.value, v.changed_by_id) for v in history] == [
        (1, Decimal("6.0"), None),
        (2, Decimal("7.0"), personas.user("other_teacher").pk),
        (3, Decimal("6.5"), personas.user("teacher").pk),
    ]


def test_a_cell_left_alone_is_not_a_conflict_when_someone_else_changed_it(client, personas, grid) -> None:
    column, jansen, zwart, url = grid
    client.force_login(personas.user("teacher"))
    form = _loaded_form(client, url)
    _other_teacher_saves(personas, url, {f"cell-{jansen.pk}": "7,0"})

    form[f"cell-{zwart.pk}"] = "8,0"  # Jansen's cell still shows the 6,0 this teacher loaded
    response = client.post(url, form)

    assert response.status_code == 302
    assert Result.objects.get(column=column, student=jansen).value == Decimal("7.0")  # not put back to 6,0
    assert Result.objects.get(column=column, student=zwart).value == Decimal("8.0")


def test_typing_what_someone_else_stored_meanwhile_is_no_conflict_and_adds_no_version(client, personas, grid) -> None:
    column, jansen, _zwart, url = grid
    client.force_login(personas.user("teacher"))
    form = _loaded_form(client, url)
    _other_teacher_saves(personas, url, {f"cell-{jansen.pk}": "7,0"})

    response = client.post(url, {**form, f"cell-{jansen.pk}": "7.0", "reason": "zelfde"})

    assert response.status_code == 302
    assert ResultVersion.objects.filter(result__column=column, result__student=jansen).count() == 2


def test_a_cell_entered_and_retracted_meanwhile_shows_the_retraction(client, personas, grid) -> None:
    column, _jansen, zwart, url = grid
    client.force_login(personas.user("teacher"))
    form = _loaded_form(client, url)
    _other_teacher_saves(personas, url, {f"cell-{zwart.pk}": "4,0"})
    history_url = reverse("teacher:result_history", args=[personas.group.pk, column.pk, zwart.pk])
    client.post(history_url, {"reason": "verkeerde leerling"})

    response = client.post(url, {**form, f"cell-{zwart.pk}": "5,5"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "opgeslagen <strong>(ingetrokken)</strong>, jouw invoer <strong>5,5</strong>" in html
    assert dict(FIELD.findall(html))[f"cell-{zwart.pk}"] == "5,5"


def test_results_save_reports_a_conflict_instead_of_overwriting(personas, grid) -> None:
    column, jansen, zwart, _url = grid
    cells = [
        (column, jansen.pk, ParsedCell(value=Decimal("8.0"))),
        (column, zwart.pk, ParsedCell(value=Decimal("5.0"))),
    ]
    outcome = results_save(
        cells=cells, loaded_versions={(column.pk, jansen.pk): 0, (column.pk, zwart.pk): 0}, by=None, at=AT, reason="x"
    )
    assert set(outcome.conflicts) == {(column.pk, jansen.pk)}
    assert outcome.conflicts[(column.pk, jansen.pk)].stored.value == Decimal("6.0")
    assert outcome.created == 1 and outcome.changed == 0
    assert Result.objects.get(column=column, student=jansen).value == Decimal("6.0")


def test_changing_a_result_read_before_someone_else_changed_it_is_refused_in_dutch(personas, grid) -> None:
    column, jansen, _zwart, _url = grid
    stale = Result.objects.get(column=column, student=jansen)
    result_change(
        result=Result.objects.get(pk=stale.pk), cell=ParsedCell(value=Decimal("7.0")), by=None, at=AT, reason="a"
    )
    with pytest.raises(GradeActionError, match="intussen gewijzigd"):
        result_change(result=stale, cell=ParsedCell(value=Decimal("8.0")), by=None, at=AT, reason="b")
    assert [v.version for v in ResultVersion.objects.filter(result=stale).order_by("version")] == [1, 2]
