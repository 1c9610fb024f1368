"""Persona × URL for the access log's pages: who gets the page, who gets 404; constant query counts; the search,
the use in numbers (counts only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inzage.access_log import buffer
from inzage.access_log.collector import Row
from inzage.testing.roles import ALL_PERSONAS

pytestmark = pytest.mark.django_db

MINE_OK = {"student", "parent"}  # the parent without custody, other parents and staff: 404
ADMIN_OK = {"admin"}


def mine(personas) -> str:
    return reverse("access_log:mine", kwargs={"student_id": personas.student.pk})


@pytest.mark.parametrize("name", ["anonymous", *ALL_PERSONAS])
def test_who_opens_which_page(client, user_of, personas, name) -> None:
    if name != "anonymous":
        client.force_login(user_of(name))
    assert client.get(mine(personas)).status_code == (200 if name in MINE_OK else 404), name
    for url in (reverse("access_log:search"), reverse("access_log:signals"), reverse("access_log:usage")):
        assert client.get(url).status_code == (200 if name in ADMIN_OK else 404), (name, url)


def test_an_adult_students_parents_do_not_see_the_log(client, personas) -> None:
    personas.student.date_of_birth = dt.date(2000, 1, 1)
    personas.student.save()
    client.force_login(personas.user("parent"))
    assert client.get(mine(personas)).status_code == 404
    client.force_login(personas.user("student"))
    assert client.get(mine(personas)).status_code == 200


def rows(personas, n: int, *, audience: str = "guardian", user=None, kinds=("grades",), at=None) -> None:
    user = user or personas.user("parent")
    at = at or timezone.now()
    buffer.write(
        [
            Row(
                at=at - dt.timedelta(minutes=i),
                school_id=personas.school.pk,
                user_id=user.pk,
                student_id=personas.student.pk if i % 2 else personas.other_student.pk,
                kinds=kinds,
                audience=audience,
                roles=("mentor",) if audience == "staff" else (),
                subjects=(),
                route="portal:grades",
                channel="page",
                cached=False,
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("url", ["access_log:search", "access_log:signals", "access_log:usage"])
def test_admin_pages_have_a_constant_query_count(client, personas, url, django_assert_max_num_queries) -> None:
    client.force_login(personas.user("admin"))
    rows(personas, 3)
    client.get(reverse(url))
    with django_assert_max_num_queries(25) as few:
        client.get(reverse(url))
    rows(personas, 60, user=personas.user("mentor"), audience="staff")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(url))


def test_the_students_page_has_a_constant_query_count(client, personas, django_assert_max_num_queries) -> None:
    client.force_login(personas.user("student"))
    rows(personas, 2, user=personas.user("mentor"), audience="staff")
    client.get(mine(personas))
    with django_assert_max_num_queries(20) as few:
        client.get(mine(personas))
    rows(personas, 80, user=personas.user("mentor"), audience="staff")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(mine(personas))


def test_search_filters_and_refuses_bad_input_next_to_the_field(client, personas) -> None:
    rows(personas, 4)
    rows(personas, 2, user=personas.user("mentor"), audience="staff", kinds=("personal_data",))
    client.force_login(personas.user("admin"))
    found = client.get(reverse("access_log:search"), {"leerling": personas.student.last_name}).context["result"]
    assert {r.student.pk for r in found.rows} == {personas.student.pk}
    found = client.get(reverse("access_log:search"), {"rol": "mentor"}).context["result"]
    assert found.total == 2 and all(r.who == "mentor" for r in found.rows)
    found = client.get(reverse("access_log:search"), {"soort": "personal_data"}).context["result"]
    assert found.total == 2
    page = client.get(reverse("access_log:search"), {"van": "2026-02-10", "tot": "2026-02-01", "account": "xyz"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "De einddatum ligt voor de begindatum." in text and 'value="xyz"' in text
    assert page.context["result"].rows == []


def test_use_in_numbers_counts_without_names(client, personas) -> None:
    now = timezone.now()
    rows(personas, 6, kinds=("grades", "averages"), at=now)
    rows(personas, 3, user=personas.user("student"), audience="student", at=now)
    client.force_login(personas.user("admin"))
    page = client.get(reverse("access_log:usage"))
    report = page.context["report"]
    assert sum(w.by_kind["grades"] for w in report.weeks if w.audience == "guardian") == 6
    assert sum(w.by_kind["averages"] for w in report.weeks if w.audience == "guardian") == 6
    assert sum(w.total for w in report.weeks if w.audience == "student") == 3
    assert all(w.people == "< 5" for w in report.weeks)  # one parent, one student: never a number that points at one
    assert sum(s + g for _h, s, g in report.hours) == 9
    text = page.content.decode()
    assert personas.student.full_name not in text and personas.parent.full_name not in text
