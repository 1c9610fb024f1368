"""start_links gives each persona only pages that open; the year, attendance and search pages per persona."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from inzage.staff.links import start_links
from inzage.staff.tests.conftest import ALL_PERSONAS
from inzage.visibility.policy import viewer_for

pytestmark = pytest.mark.django_db

EXPECTED = {
    "student": set(),
    "parent": set(),
    "other_parent": set(),
    "parent_without_custody": set(),
    "mentor": {"Mijn klas", "Verzuim van mijn klas"},
    "teacher": {"Absenties registreren"},
    "other_teacher": {"Mijn klas", "Verzuim van mijn klas", "Absenties registreren"},  # mentors H3B
    "admin": {"Leerling zoeken", "Lesrooster inlezen"},
    "coordinator": {"Mijn jaarlaag", "Leerling zoeken"},
    "other_coordinator": {"Mijn jaarlaag", "Leerling zoeken"},
    "care_coordinator": {"Zorgnotities", "Leerling zoeken"},
    "attendance_officer": {"Verzuim", "Verzuim: werklijst", "Leerling zoeken"},
}


def _label(text: str) -> str:
    """The link's label without the count the attendance links add ("… (2 lessen nog niet geregistreerd)")."""
    return text.split(" (")[0]


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_every_start_link_opens(client, user_of, name) -> None:
    user = user_of(name)
    links = start_links(viewer=viewer_for(user), at=timezone.now())
    assert {_label(label) for label, _ in links} == EXPECTED[name]
    client.force_login(user)
    for label, link in links:
        assert client.get(link).status_code == 200, (name, label, link)


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_role_pages_are_not_found_for_others(client, user_of, name) -> None:
    client.force_login(user_of(name))
    pages = {
        "Mijn klas": reverse("staff:my_class"),
        "Mijn jaarlaag": reverse("staff:year"),
        "Zorgnotities": reverse("care:home"),
        "Verzuim": reverse("staff:attendance"),
        "Leerling zoeken": reverse("staff:search"),
        "Lesrooster inlezen": reverse("timetable:pattern_import"),
    }
    for label, link in pages.items():
        if label not in EXPECTED[name]:
            assert client.get(link).status_code == 404, (name, label)


def test_year_coordinator_gets_their_years_classes(client, personas, user_of) -> None:
    client.force_login(user_of("coordinator"))
    page = client.get(reverse("staff:year")).content.decode()
    assert "H3A" in page and "H3B" in page
    for s in (personas.student, personas.other_student):
        link = reverse("staff:student", args=[s.pk])
        assert link in page
        assert client.get(link).status_code == 200
    client.force_login(user_of("other_coordinator"))  # havo 1: no classes in this school
    page = client.get(reverse("staff:year")).content.decode()
    assert "H3A" not in page and "geen klassen in jouw jaarlaag" in page
    assert client.get(reverse("staff:student", args=[personas.student.pk])).status_code == 404


def test_attendance_officer_page_links_to_what_they_may_do(client, personas, user_of) -> None:
    client.force_login(user_of("attendance_officer"))
    page = client.get(reverse("staff:attendance")).content.decode()
    assert reverse("staff:search") in page
    found = client.get(reverse("staff:search"), {"q": personas.student.student_number}).content.decode()
    link = reverse("staff:student", args=[personas.student.pk])
    assert link in found
    overview = client.get(link).content.decode()
    assert "Gezin en gezag" in overview and "Je mag de cijfers van deze leerling niet zien." in overview


@pytest.mark.parametrize("q", ["", " ", "%", "_", "' OR 1=1 --", "\x00", "a" * 500, "Lotte Jansen"])
def test_search_never_fails_and_stays_in_reach(client, personas, user_of, q) -> None:
    client.force_login(user_of("coordinator"))
    response = client.get(reverse("staff:search"), {"q": q})
    assert response.status_code == 200
    client.force_login(user_of("other_coordinator"))  # reaches no student of this school
    page = client.get(reverse("staff:search"), {"q": "Lotte"}).content.decode()
    assert reverse("staff:student", args=[personas.student.pk]) not in page


def test_year_and_search_query_counts_do_not_grow(client, personas, user_of) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inzage.testing import factories as f

    def add(n: int) -> None:
        for i in range(n):
            s = f.StudentFactory(school=personas.school, first_name=f"Nieuw{i}", last_name="Lid")
            f.ClassMembershipFactory(school_class=personas.klas, student=s)

    client.force_login(user_of("coordinator"))
    counts = []
    for n in (3, 20):
        add(n)
        with CaptureQueriesContext(connection) as year:
            assert client.get(reverse("staff:year")).status_code == 200
        with CaptureQueriesContext(connection) as search:
            page = client.get(reverse("staff:search"), {"q": "Lid"}).content.decode()
        counts.append((len(year), len(search)))
    assert page.count("Nieuw") == 23
    assert counts[0] == counts[1]
