"""The exam candidate's overview (staff:candidate): personas, the worked examples of docs/grades.md on the page,
central exam entry with refusals that keep what was typed, versions with reasons, constant queries."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inzage.grades.models import CentralExamResult, Column, ExamSubject
from inzage.people.models import StaffRole
from inzage.staff.tests.conftest import ALL_PERSONAS
from inzage.testing import factories as f

pytestmark = pytest.mark.django_db

OPENS = {"admin", "exam_secretary"}


@pytest.fixture
def secretaries(personas):
    """An examination secretary of the whole school and one of havo 5 only (not the personas' year 3)."""
    made = {}
    for name, year in (("exam_secretary", None), ("other_exam_secretary", 5)):
        staff = f.StaffFactory(school=personas.school, first_name="Eva", last_name=name, code=name[:3].upper() + "X")
        f.StaffRoleFactory(staff=staff, role=StaffRole.Role.EXAM_SECRETARY, level=personas.klas.year_group.level,
                           year=year)  # fmt: skip
        made[name] = staff.user
    return made


@pytest.fixture
def login(client, user_of, secretaries):
    def as_(name: str):
        client.force_login(secretaries[name] if name in secretaries else user_of(name))
        return client

    return as_


def url(student) -> str:
    return reverse("staff:candidate", args=[student.pk])


@pytest.fixture
def dossier(personas, grade):
    """docs/grades.md, "The exam year": wiskunde (with a CE) SE 6,0 and 6,9; maatschappijleer (school exam only,
    combination grade) 6,0 and 6,4; profielwerkstuk (school exam only, combination grade) 7,0."""
    level = personas.klas.year_group.level
    groups = {"wi": personas.group}
    for code, name in (("ma", "maatschappijleer"), ("pws", "profielwerkstuk")):
        subject = f.SubjectFactory(school=personas.school, code=code, name=name)
        group = f.TeachingGroupFactory(school_year=personas.year, subject=subject, name=f"h3a-{code}",
                                       year_group=personas.klas.year_group)  # fmt: skip
        group.students.add(personas.student)
        groups[code] = group
        ExamSubject.objects.create(school=personas.school, level=level, subject=subject, has_central_exam=False,
                                   in_combination=True)  # fmt: skip
    ExamSubject.objects.create(school=personas.school, level=level, subject=personas.subject)
    made = []
    for code, values in (("wi", ["6.0", "6.9"]), ("ma", ["6.0", "6.4"]), ("pws", ["7.0"])):
        for value in values:
            made.append(grade(value, group=groups[code]))
    Column.objects.filter(pk__in=[r.column_id for r in made]).update(exam_weight=D("1"))
    return made


@pytest.mark.parametrize("name", [*ALL_PERSONAS, "exam_secretary", "other_exam_secretary"])
def test_who_opens_the_candidate_overview(login, personas, dossier, name) -> None:
    client = login(name)
    assert client.get(url(personas.student)).status_code == (200 if name in OPENS else 404)
    response = client.post(url(personas.student), {"subject": personas.subject.pk, "attempt": 1, "grade": "6,0"})
    assert response.status_code == (302 if name in OPENS else 404)
    assert CentralExamResult.objects.count() == (1 if name in OPENS else 0)


def test_anonymous_is_sent_to_the_login(client, personas) -> None:
    response = client.get(url(personas.student))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("student_id", [0, 999999, 2**31])
def test_unknown_student_is_not_found(login, student_id) -> None:
    assert login("exam_secretary").get(reverse("staff:candidate", args=[student_id])).status_code == 404


def test_the_worked_examples_on_the_page(login, personas, dossier) -> None:
    client = login("exam_secretary")
    page = url(personas.student)
    assert client.post(page, {"subject": personas.subject.pk, "attempt": 1, "grade": "5,8"}).status_code == 302
    assert client.post(page, {"subject": personas.subject.pk, "attempt": 2, "grade": "6,5"}).status_code == 302
    body = client.get(page).content.decode()
    rows = {row.split("<")[0].strip(): row for row in body.split('<th scope="row">')[1:]}
    cells = lambda name: [c.split("<")[0].strip() for c in rows[name].split('<td class="grade">')[1:]]  # noqa: E731
    # wiskunde: SE 6,45 → 6,5; CE 5,8 and 6,5, the highest counts; (6,5 + 6,5) / 2 → 7
    assert cells("wiskunde") == ["6,5", "5,8", "6,5", "6,5", "7"]
    assert rows["wiskunde"].count("alleen schoolexamen") == 0
    # maatschappijleer: school exam only, 6,2 → 6; profielwerkstuk 7,0 → 7; combination (6 + 7) / 2 = 6,5 → 7
    assert cells("maatschappijleer") == ["6,2", "6"]
    assert cells("profielwerkstuk") == ["7,0", "7"]
    assert 'Combinatiecijfer (maatschappijleer, profielwerkstuk): <span class="grade">7</span>' in body
    assert "berekent Inzage nog niet" in body  # pass/fail is a later issue


def test_refusals_keep_what_was_typed_and_a_change_needs_a_reason(login, personas, dossier) -> None:
    client = login("exam_secretary")
    page = url(personas.student)
    for typed, message in (("6,55", "één decimaal"), ("11", "buiten 1,0–10,0"), ("zes", "geen cijfer"), ("", "")):
        response = client.post(page, {"subject": personas.subject.pk, "attempt": 1, "grade": typed})
        assert response.status_code == 422
        body = response.content.decode()
        assert message in body and f'value="{typed}"' in body if typed else 'name="grade"' in body
    for bad in ({"subject": "x", "attempt": 1, "grade": "6"}, {"subject": personas.subject.pk, "attempt": 9},
                {"subject": 2**40, "attempt": "1", "grade": "6"}):  # fmt: skip
        assert client.post(page, bad).status_code == 422
    assert client.post(page, {"subject": personas.subject.pk, "attempt": 1, "grade": "5,8"}).status_code == 302
    response = client.post(page, {"subject": personas.subject.pk, "attempt": 1, "grade": "6,1"})
    assert (
        response.status_code == 422
        and "reden" in response.content.decode()
        and 'value="6,1"' in response.content.decode()
    )
    data = {"subject": personas.subject.pk, "attempt": 1, "grade": "6,1", "reason": "Tweede correctie"}
    assert client.post(page, data).status_code == 302
    versions = list(CentralExamResult.objects.order_by("version").values_list("version", "value", "reason"))
    assert versions == [(1, D("5.8"), ""), (2, D("6.1"), "Tweede correctie")]
    body = client.get(page).content.decode()
    assert "Tweede correctie" in body and "5,8" in body  # the history keeps the first grade
    # a school-exam-only subject takes no CE grade
    ma = ExamSubject.objects.get(subject__code="ma").subject
    assert client.post(page, {"subject": ma.pk, "attempt": 1, "grade": "6,0"}).status_code == 422


def test_query_count_does_not_grow_with_subjects_and_results(login, personas, dossier, grade) -> None:
    client = login("exam_secretary")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(personas.student)).status_code == 200
    for i in range(30):
        grade(f"{4 + i % 6}.5", days_ago=90 - i)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(personas.student)).status_code == 200
    assert len(few) == len(many)


def test_the_student_overview_links_to_the_dossier_for_who_may_open_it(login, personas, dossier) -> None:
    link = url(personas.student)
    for name, shown in (("exam_secretary", True), ("admin", True), ("mentor", False), ("coordinator", False)):
        body = login(name).get(reverse("staff:student", args=[personas.student.pk])).content.decode()
        assert (link in body) is shown, name
