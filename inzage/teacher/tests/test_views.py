"""Teacher pages: persona access on every endpoint, the grid's save (per-cell errors, constant queries), column
creation, release, history and CSV import."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inzage.grades.actions import column_create, result_enter
from inzage.grades.models import AssessmentKind, Column, Result, ResultVersion
from inzage.grades.parsing import ParsedCell
from inzage.testing import factories as f

AT = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))
DENIED = ("student", "parent", "other_parent", "parent_without_custody", "mentor", "other_teacher")
ALLOWED = ("teacher", "admin")


@pytest.fixture
def column(personas) -> Column:
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    return column_create(
        group=personas.group,
        kind=kind,
        period=personas.periods[0],
        name="Hoofdstuk 1",
        code="H1",
        date=dt.date(2025, 9, 30),
        by=personas.user("teacher"),
        at=AT,
    )


@pytest.fixture
def result(personas, column) -> Result:
    return result_enter(column=column, student=personas.student, cell=ParsedCell(value=Decimal("6.0")), by=None, at=AT)


def endpoints(personas, column, result) -> list[tuple[str, str]]:
    g = personas.group.pk
    return [
        ("get", reverse("teacher:group", args=[g])),
        ("get", reverse("teacher:column_new", args=[g])),
        ("get", reverse("teacher:column", args=[g, column.pk])),
        ("post", reverse("teacher:column", args=[g, column.pk])),
        ("post", reverse("teacher:column_release", args=[g, column.pk])),
        ("get", reverse("teacher:result_history", args=[g, column.pk, personas.student.pk])),
        ("get", reverse("teacher:import", args=[g])),
        ("get", reverse("teacher:overview", args=[g])),
    ]


@pytest.mark.parametrize("persona", DENIED)
def test_outsiders_get_404_on_every_teacher_endpoint(client, personas, column, result, persona) -> None:
    client.force_login(personas.user(persona))
    for method, url in endpoints(personas, column, result):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (persona, url)
    assert ResultVersion.objects.count() == 1
    column.refresh_from_db()
    assert column.version == 1


@pytest.mark.parametrize("persona", ALLOWED)
def test_teacher_and_admin_can_open_every_teacher_page(client, personas, column, result, persona) -> None:
    client.force_login(personas.user(persona))
    for method, url in endpoints(personas, column, result):
        if method == "get":
            assert client.get(url).status_code == 200, url
    assert personas.group.name in client.get(reverse("teacher:home")).content.decode()


def test_anonymous_is_sent_to_the_login(client, personas, column) -> None:
    response = client.get(reverse("teacher:column", args=[personas.group.pk, column.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_column_of_another_group_is_not_found_through_my_group(client, personas, column) -> None:
    other = Column.objects.create(
        school=personas.school,
        teaching_group=personas.other_group,
        subject=personas.subject,
        period=personas.periods[0],
        kind=column.kind,
        name="x",
        code="X",
        date=dt.date(2025, 9, 1),
        release_at=AT,
    )
    client.force_login(personas.user("teacher"))
    assert client.get(reverse("teacher:column", args=[personas.group.pk, other.pk])).status_code == 404


def test_the_grid_saves_valid_cells_and_keeps_invalid_ones_with_their_message(client, personas, column) -> None:
    students = [personas.student] + [f.StudentFactory(school=personas.school) for _ in range(3)]
    personas.group.students.add(*students[1:])
    client.force_login(personas.user("teacher"))
    url = reverse("teacher:column", args=[personas.group.pk, column.pk])
    data = {
        f"cell-{students[0].pk}": "7,5",
        f"cell-{students[1].pk}": "10,5",
        f"cell-{students[2].pk}": "vr",
        f"cell-{students[3].pk}": "7,55",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "10,5 ligt buiten 1,0–10,0." in html
    assert "7,55: één decimaal" in html
    assert 'value="10,5"' in html and 'value="7,55"' in html  # nothing typed is lost
    saved = {r.student_id: r for r in Result.objects.filter(column=column)}
    assert saved[students[0].pk].value == Decimal("7.5")
    assert saved[students[2].pk].status == Result.Status.EXEMPT
    assert set(saved) == {students[0].pk, students[2].pk}
    # Fix the two cells; the saved cells come back unchanged and add no version.
    data.update({f"cell-{students[1].pk}": "9,5", f"cell-{students[3].pk}": "5.5"})
    response = client.post(url, data)
    assert response.status_code == 302
    assert Result.objects.filter(column=column).count() == 4
    assert ResultVersion.objects.filter(result__column=column).count() == 4


def test_changing_an_entered_grade_in_the_grid_needs_a_reason(client, personas, column, result) -> None:
    client.force_login(personas.user("teacher"))
    url = reverse("teacher:column", args=[personas.group.pk, column.pk])
    response = client.post(url, {f"cell-{personas.student.pk}": "7,0"})
    assert response.status_code == 422
    assert "Geef een reden" in response.content.decode()
    response = client.post(url, {f"cell-{personas.student.pk}": "7,0", "reason": "telfout"})
    assert response.status_code == 302
    versions = list(ResultVersion.objects.filter(result=result).order_by("version"))
    assert [(v.value, v.reason) for v in versions] == [(Decimal("6.0"), ""), (Decimal("7.0"), "telfout")]
    assert versions[1].changed_by == personas.user("teacher")


def _grid_post_queries(client, personas, column, n) -> int:
    students = [f.StudentFactory(school=personas.school) for _ in range(n)]
    personas.group.students.set(students)
    data = {f"cell-{s.pk}": f"{5 + i % 5},{i % 10}" for i, s in enumerate(students)}
    url = reverse("teacher:column", args=[personas.group.pk, column.pk])
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data)
    assert response.status_code == 302
    assert Result.objects.filter(column=column, student__in=students).count() == n
    return len(ctx.captured_queries)


def test_saving_a_column_takes_the_same_number_of_queries_for_3_and_30_students(
    client, personas, column, django_assert_num_queries
) -> None:
    client.force_login(personas.user("teacher"))
    kind = column.kind
    other = column_create(
        group=personas.group,
        kind=kind,
        period=personas.periods[0],
        name="b",
        code="H2",
        date=dt.date(2025, 10, 2),
        by=None,
        at=AT,
    )
    few = _grid_post_queries(client, personas, column, 3)
    many = _grid_post_queries(client, personas, other, 30)
    assert many <= 24  # includes the policy gate (viewer_for: at most 6 queries)
    assert few == many
    # And the count is pinned, so a new per-row query cannot creep in unnoticed.
    students = [f.StudentFactory(school=personas.school) for _ in range(30)]
    personas.group.students.set(students)
    third = column_create(
        group=personas.group,
        kind=kind,
        period=personas.periods[0],
        name="c",
        code="H3",
        date=dt.date(2025, 10, 3),
        by=None,
        at=AT,
    )
    url = reverse("teacher:column", args=[personas.group.pk, third.pk])
    with django_assert_num_queries(many):
        client.post(url, {f"cell-{s.pk}": "6" for s in students})


def test_creating_a_column_with_each_release_choice(client, personas) -> None:
    client.force_login(personas.user("teacher"))
    url = reverse("teacher:column_new", args=[personas.group.pk])
    client.get(url)  # gives the school its default assessment kinds
    kind = AssessmentKind.objects.get(school=personas.school, code="toets")
    base = {
        "name": "Proefwerk",
        "date": "2025-10-10",
        "kind": kind.pk,
        "period": personas.periods[0].pk,
        "weight": "2",
        "exam_weight": "0",
        "result_type": "number",
        "resit_rule": "highest",
    }
    assert client.post(url, {**base, "code": "PW1", "release_mode": "now"}).status_code == 302
    assert client.post(url, {**base, "code": "PW2", "release_mode": "held"}).status_code == 302
    response = client.post(url, {**base, "code": "PW3", "release_mode": "at", "release_at": "2025-10-12T17:00"})
    assert response.status_code == 302
    response = client.post(url, {**base, "code": "PW4", "release_mode": "at"})
    assert response.status_code == 200 and "Kies de datum en tijd" in response.content.decode()
    response = client.post(url, {**base, "code": "PW1", "release_mode": "now"})
    assert "bestaat al" in response.content.decode()
    columns = {c.code: c for c in Column.objects.filter(teaching_group=personas.group)}
    assert columns["PW1"].release_at is not None and columns["PW1"].weight == Decimal("2")
    assert columns["PW2"].release_at is None and columns["PW2"].release_mode == "held"
    assert columns["PW3"].release_at == timezone.make_aware(dt.datetime(2025, 10, 12, 17, 0))  # Amsterdam time
    assert set(columns) == {"PW1", "PW2", "PW3"}


def test_release_can_be_changed_from_the_grid(client, personas, column) -> None:
    client.force_login(personas.user("teacher"))
    url = reverse("teacher:column_release", args=[personas.group.pk, column.pk])
    assert client.post(url, {"release_mode": "held"}).status_code == 302
    column.refresh_from_db()
    assert column.release_mode == "held" and column.release_at is None
    assert [v.action for v in column.versions.order_by("version")] == ["create", "release"]


def test_history_page_lists_versions_and_retracts_with_a_reason(client, personas, column, result) -> None:
    client.force_login(personas.user("teacher"))
    url = reverse("teacher:result_history", args=[personas.group.pk, column.pk, personas.student.pk])
    assert "6,0" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert "Geef een reden" in response.content.decode()
    assert client.post(url, {"reason": "dubbel ingevoerd"}).status_code == 302
    result.refresh_from_db()
    assert result.retracted_at is not None and result.value == Decimal("6.0")
    assert "dubbel ingevoerd" in client.get(url).content.decode()


def test_csv_import_preview_then_confirm_is_all_or_nothing_and_idempotent(client, personas, column) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas.user("teacher"))
    url = reverse("teacher:import", args=[personas.group.pk])
    bad = f"leerlingnummer;kolom;cijfer\n{personas.student.student_number};H1;7,5\n999;H1;6\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("toets.csv", bad)})
    html = response.content.decode()
    assert response.status_code == 422 and "Onbekend leerlingnummer" in html and "<td>3</td>" in html
    assert not Result.objects.exists()
    good = f"leerlingnummer;kolom;cijfer\n{personas.student.student_number};H1;7,5\n"
    response = client.post(url, {"file": SimpleUploadedFile("toets.csv", good.encode())})
    assert response.status_code == 200 and "1 nieuw" in response.content.decode()
    assert not Result.objects.exists()  # preview writes nothing
    fingerprint = response.content.decode().split('name="fingerprint" value="', 1)[1].split('"', 1)[0]
    confirm = {"csv": good, "file_name": "toets.csv", "confirm": "1", "fingerprint": fingerprint}
    response = client.post(url, confirm)
    assert response.status_code == 302
    assert Result.objects.get().value == Decimal("7.5")
    client.post(url, confirm)  # the same confirm again: the stored version moved on, so nothing is written
    assert ResultVersion.objects.count() == 1
