"""The one-page student overview for staff: personas, blocks through the policy, links, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inzage.people.models import CourtRestriction
from inzage.staff.tests.conftest import ALL_PERSONAS
from inzage.visibility.models import InformationRequest

pytestmark = pytest.mark.django_db

OPENS = {"mentor", "teacher", "admin", "coordinator", "care_coordinator", "attendance_officer"}


def url(student) -> str:
    return reverse("staff:student", args=[student.pk])


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_who_opens_the_overview(client, personas, user_of, name) -> None:
    client.force_login(user_of(name))
    assert client.get(url(personas.student)).status_code == (200 if name in OPENS else 404)


@pytest.mark.parametrize("student_id", [0, 999999, 2**31])
def test_unknown_student_is_not_found(client, user_of, student_id) -> None:
    client.force_login(user_of("admin"))
    assert client.get(reverse("staff:student", args=[student_id])).status_code == 404


def test_another_schools_student_is_not_found(client, user_of) -> None:
    from inzage.testing.personas import build_personas

    other = build_personas()
    client.force_login(user_of("admin"))
    assert client.get(url(other.student)).status_code == 404


def test_blocks_per_role(client, personas, user_of, grade) -> None:
    grade("4.5")
    grade("8.0", student=personas.other_student, group=personas.other_group)
    seen = {}
    for name in OPENS:
        client.force_login(user_of(name))
        seen[name] = client.get(url(personas.student)).content.decode()
    # grades: everyone but the attendance officer (attendance, timetable and personal data only)
    for name in OPENS - {"attendance_officer"}:
        assert "4,5" in seen[name], name
        assert "8,0" not in seen[name], name
    assert "4,5" not in seen["attendance_officer"]
    assert "Je mag de cijfers van deze leerling niet zien." in seen["attendance_officer"]
    # family (personal data): not for a subject teacher
    for name in OPENS - {"teacher"}:
        assert "Gezin en gezag" in seen[name] and "Kees de Vries" in seen[name], name
    assert "Gezin en gezag" not in seen["teacher"] and "Kees de Vries" not in seen["teacher"]
    # care notes: the mentor and the care coordinator
    for name in OPENS:
        assert ("Zorgnotities" in seen[name]) == (name in ("mentor", "care_coordinator")), name


def test_links_to_overrides_and_requests_only_for_who_may(client, personas, user_of) -> None:
    overrides = reverse("visibility:overrides", args=[personas.student.pk])
    requests = reverse("visibility:information_requests", args=[personas.student.pk])
    for name in OPENS:
        client.force_login(user_of(name))
        page = client.get(url(personas.student)).content.decode()
        assert (overrides in page) == (name in ("mentor", "coordinator")), name
        assert (requests in page) == (name in ("coordinator", "admin")), name
        for link in (overrides, requests):
            if link in page:
                assert client.get(link).status_code == 200, (name, link)


def test_court_restriction_flag_and_details(client, personas, user_of) -> None:
    CourtRestriction.objects.create(
        school=personas.school,
        relation=personas.no_custody_relation,
        ordered_on=dt.date(2025, 1, 1),
        effective_from=dt.date(2025, 1, 1),
        kinds=["timetable"],
        reference="C/13/123",
        note="geheim",
    )
    client.force_login(user_of("mentor"))
    page = client.get(url(personas.student)).content.decode()
    assert "Rechterlijke beperking" in page and "rooster" not in page.split("Rechterlijke beperking")[1][:200]
    assert "vraag de zorgcoördinator of de beheerder" in page
    client.force_login(user_of("coordinator"))
    page = client.get(url(personas.student)).content.decode()
    assert "Rechterlijke beperking" in page and "rooster" in page.split("Rechterlijke beperking")[1][:200]
    assert "geheim" not in page and "C/13/123" not in page


def test_information_requests_listed_for_coordinator(client, personas, user_of) -> None:
    InformationRequest.objects.create(
        school=personas.school,
        relation=personas.no_custody_relation,
        kinds=["grades"],
        requested_on=dt.date(2025, 10, 1),
    )
    client.force_login(user_of("coordinator"))
    page = client.get(url(personas.student)).content.decode()
    assert "Informatieverzoeken" in page and "01-10-2025" in page
    client.force_login(user_of("mentor"))
    assert "01-10-2025" not in client.get(url(personas.student)).content.decode()


def test_teacher_sees_only_own_groups_grades(client, personas, user_of, grade) -> None:
    from inzage.testing import factories as f

    bio = f.SubjectFactory(school=personas.school, code="bi", name="biologie")
    bio_group = f.TeachingGroupFactory(school_year=personas.year, subject=bio, name="h3a-bi")
    bio_group.students.add(personas.student)
    grade("6.6", group=bio_group)
    grade("7.7")
    client.force_login(user_of("teacher"))
    page = client.get(url(personas.student)).content.decode()
    assert "7,7" in page and "6,6" not in page and "biologie" not in page


def test_query_count_does_not_grow_with_results(client, personas, user_of, grade) -> None:
    client.force_login(user_of("mentor"))
    for i in range(3):
        grade("6.0", days_ago=100 - i)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(personas.student)).status_code == 200
    for i in range(60):
        grade(f"{4 + i % 6}.5", days_ago=90 - i)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url(personas.student)).content.decode()
    assert page.count('<li><span class="grade') == 63
    assert len(few) == len(many)


def test_trend_per_subject(client, personas, user_of, grade) -> None:
    for days_ago, value in zip(range(60, 0, -10), ["8.0", "8.0", "8.0", "6.0", "6.0", "6.0"], strict=True):
        grade(value, days_ago=days_ago)
    client.force_login(user_of("mentor"))
    assert "dalend" in client.get(url(personas.student)).content.decode()


def test_period_reports_latest_version_for_who_may_see_them(client, personas, user_of, grade) -> None:
    from inzage.grades.period_reports import period_report_publish

    grade("6.4", days_ago=400, period=personas.periods[0])
    published = timezone.now() - dt.timedelta(days=10)
    period_report_publish(school_class=personas.klas, period=personas.periods[0], by=None, at=published, remarks={})
    from inzage.grades.models import Result

    Result.objects.filter(student=personas.student).update(value="7.1")
    period_report_publish(
        school_class=personas.klas,
        period=personas.periods[0],
        by=None,
        at=published + dt.timedelta(days=1),
        reason="correctie",
    )
    client.force_login(user_of("mentor"))
    page = client.get(url(personas.student)).content.decode()
    reports = page.split('id="reports-h"')[1].split("</section>")[0]
    assert 'wiskunde: <span class="grade">7,1</span>' in reports and "6,4" not in reports
    assert "versie 2" in reports
    client.force_login(user_of("attendance_officer"))  # no period_report kind for attendance officers
    assert 'id="reports-h"' not in client.get(url(personas.student)).content.decode()
