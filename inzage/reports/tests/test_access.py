"""Who opens "Rapporten" and a report's PDF: the engine's `period_report` kind (the legal floor), persona by
persona, and every new URL's outsider gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inzage.people.models import CourtRestriction, GuardianRelation
from inzage.testing import factories as f
from inzage.visibility import actions as visibility_actions
from inzage.visibility.tests.conftest import set_policy

pytestmark = pytest.mark.django_db

# Grades, averages and even the period report are closed to parents all year: base without them, and a closing
# window over the whole year. Only the legal floor can open the report.
CLOSED_FOR_PARENTS = """
format = 1
[base]
students = ["attendance", "averages", "grades", "homework", "period_report", "timetable"]
guardians = ["attendance", "timetable"]

[[windows]]
label = "cijfers dicht voor ouders"
audience = "guardians"
effect = "close"
kinds = ["grades", "averages", "period_report"]
start = 2020-08-01
end = 2035-07-31
"""

PDF_SEEN = {
    "student": 200,
    "parent": 200,
    "other_parent": 404,
    "parent_without_custody": 404,
    "mentor": 200,
    "teacher": 404,  # a subject teacher has no period_report in the default staff table
    "other_teacher": 404,
    "admin": 200,
    "coordinator": 200,
    "other_coordinator": 404,
    "care_coordinator": 200,
    "attendance_officer": 404,
}
PUBLISHERS = {"mentor", "admin"}  # of H3A; other_teacher mentors H3B
PUBLISH_ANY = {"mentor", "admin", "other_teacher"}
PORTAL = {"student", "parent", "other_parent", "parent_without_custody"}


def pdf_url(row) -> str:
    return reverse("reports:pdf", args=[row.pk])


@pytest.mark.parametrize("name", list(PDF_SEEN))
def test_each_persona_opens_the_pdf_only_when_the_engine_shows_the_report(client, user_of, published, name) -> None:
    client.force_login(user_of(name))
    response = client.get(pdf_url(published))
    assert response.status_code == PDF_SEEN[name], name
    if response.status_code == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("name", list(PDF_SEEN))
def test_rapporten_page_per_persona(client, user_of, published, name) -> None:
    client.force_login(user_of(name))
    response = client.get(reverse("reports:mine"))
    if name not in PORTAL:
        assert response.status_code == 404, name  # staff have the class pages
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert (pdf_url(published) in page) is (PDF_SEEN[name] == 200), name
    if name in ("other_parent", "parent_without_custody"):
        assert "7,5" not in page and "werkt hard" not in page
    if name == "other_parent":
        assert "Lotte" not in page


@pytest.mark.parametrize("name", list(PDF_SEEN))
def test_publishing_pages_are_for_the_mentor_and_administrators_only(client, personas, user_of, published, name):
    client.force_login(user_of(name))
    klas, period = personas.klas, personas.periods[0]
    assert client.get(reverse("reports:classes")).status_code == (200 if name in PUBLISH_ANY else 404), name
    expected = 200 if name in PUBLISHERS else 404
    assert client.get(reverse("reports:publish", args=[klas.pk, period.pk])).status_code == expected, name
    assert client.get(reverse("reports:class_pdf", args=[klas.pk, period.pk])).status_code == expected, name
    same = {"reason": "x", f"remark-{personas.student.pk}": published.mentor_remark}
    response = client.post(reverse("reports:publish", args=[klas.pk, period.pk]), same)
    assert response.status_code == (422 if name in PUBLISHERS else 404), name  # nothing changed: refused


def test_anonymous_is_sent_to_the_login(client, published) -> None:
    for url in (reverse("reports:mine"), pdf_url(published), reverse("reports:classes")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_and_foreign_ids_are_not_found(client, personas, published) -> None:
    other_school = f.SchoolClassFactory()
    client.force_login(personas.user("admin"))
    klas, period = personas.klas, personas.periods[0]
    for url in (
        reverse("reports:pdf", args=[published.pk + 1000]),
        reverse("reports:publish", args=[other_school.pk, period.pk]),
        reverse("reports:publish", args=[klas.pk, 999999]),
        reverse("reports:class_pdf", args=[klas.pk, period.pk]) + "?versie=2",
        reverse("reports:class_pdf", args=[klas.pk, period.pk]) + "?versie=abc",
        reverse("reports:class_pdf", args=[klas.pk, personas.periods[1].pk]),  # not published
    ):
        assert client.get(url).status_code == 404, url


def test_custodial_parents_in_a_closed_window_school_both_get_the_report(client, personas, published) -> None:
    set_policy(personas.school, CLOSED_FOR_PARENTS)
    second = f.GuardianFactory(school=personas.school, first_name="Ruud", last_name="Jansen")
    f.GuardianRelationFactory(student=personas.student, guardian=second, lives_with_student=False)
    for user in (personas.user("parent"), second.user):
        client.force_login(user)
        grades = client.get(reverse("portal:grades", args=[personas.student.pk])).content.decode()
        assert "7,0" not in grades  # the grades are closed to them
        page = client.get(reverse("reports:mine")).content.decode()
        assert pdf_url(published) in page and "7,5" in page
        assert client.get(pdf_url(published)).status_code == 200


def test_a_parent_without_custody_only_after_a_granted_request(client, personas, published) -> None:
    client.force_login(personas.user("parent_without_custody"))
    assert client.get(pdf_url(published)).status_code == 404
    request = visibility_actions.information_request_create(
        relation=personas.no_custody_relation, kinds=["period_report"], requested_on=timezone.localdate()
    )
    assert client.get(pdf_url(published)).status_code == 404  # pending
    visibility_actions.information_request_decide(
        request=request,
        granted=True,
        reason="",
        custodial_parent_told_on=timezone.localdate(),
        decided_by=personas.user("admin"),
        at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert client.get(pdf_url(published)).status_code == 200
    assert pdf_url(published) in client.get(reverse("reports:mine")).content.decode()


def test_a_court_restricted_parent_never_gets_the_report(client, personas, published) -> None:
    set_policy(personas.school, CLOSED_FOR_PARENTS)
    CourtRestriction.objects.create(
        school=personas.school,
        relation=personas.parent_relation,
        ordered_on=timezone.localdate() - dt.timedelta(days=10),
        effective_from=timezone.localdate() - dt.timedelta(days=10),
        kinds=["period_report"],
    )
    client.force_login(personas.user("parent"))
    assert client.get(pdf_url(published)).status_code == 404
    page = client.get(reverse("reports:mine"))
    assert page.status_code == 200 and pdf_url(published) not in page.content.decode()


def test_an_adult_student_decides(client, personas, published) -> None:
    personas.student.date_of_birth = timezone.localdate().replace(year=timezone.localdate().year - 19)
    personas.student.save()
    client.force_login(personas.user("parent"))
    assert client.get(pdf_url(published)).status_code == 404  # no consent given (default "no" at 18+)
    visibility_actions.consent_record(
        student=personas.student,
        guardian=personas.parent,
        kinds=["period_report"],
        granted=True,
        recorded_by=personas.user("student"),
        at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert client.get(pdf_url(published)).status_code == 200
    client.force_login(personas.user("student"))
    assert client.get(pdf_url(published)).status_code == 200


def test_a_relation_that_ended_closes_the_report(client, personas, published) -> None:
    relation = GuardianRelation.objects.get(pk=personas.parent_relation.pk)
    relation.end_date = timezone.localdate() - dt.timedelta(days=1)
    relation.save()
    client.force_login(personas.user("parent"))
    assert client.get(pdf_url(published)).status_code == 404
    assert client.get(reverse("reports:mine")).status_code == 200  # still a guardian account: an empty page
