"""Portal pages with every persona: who gets the page, what it shows, and constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inzage.testing import factories as f
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import Share
from inzage.visibility.policy import decide, item_from_result, viewer_for
from inzage.visibility.tests.conftest import local, make_result, set_policy

PAGE_ACCESS = {
    "student": 200,
    "parent": 200,
    "other_parent": 404,
    "parent_without_custody": 200,  # a relation exists: the page explains that information comes on request
    "mentor": 404,
    "teacher": 404,
    "other_teacher": 404,
    "admin": 404,
}


@pytest.fixture
def grades(personas):
    shown = make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[0],
        release_at=local(2025, 9, 10),
        entered_at=local(2025, 9, 10),
        value="8.8",
    )
    held = make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[0],
        release_at=None,
        entered_at=local(2025, 9, 10),
        value="3.3",
    )
    return shown, held


@pytest.mark.parametrize(("persona", "status"), PAGE_ACCESS.items())
def test_grades_page_access(client, personas, grades, persona, status) -> None:
    client.force_login(personas.user(persona))
    response = client.get(reverse("portal:grades", args=[personas.student.pk]))
    assert response.status_code == status


def test_grades_page_requires_login(client, personas) -> None:
    response = client.get(reverse("portal:grades", args=[personas.student.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", list(PAGE_ACCESS))
def test_no_page_shows_a_grade_the_engine_denies(client, personas, grades, persona) -> None:
    shown, _held = grades
    client.force_login(personas.user(persona))
    body = client.get(reverse("portal:grades", args=[personas.student.pk])).content.decode()
    assert "3,3" not in body
    from django.utils import timezone

    engine_says = decide(viewer=viewer_for(personas.user(persona)), item=item_from_result(shown), at=timezone.now())
    assert ("8,8" in body) is (engine_says.visible and PAGE_ACCESS[persona] == 200)


def test_the_parent_sees_why_grades_are_closed(client, personas, grades) -> None:
    set_policy(personas.school, 'format = 1\n[base]\nguardians = ["attendance"]\n')
    client.force_login(personas.user("parent"))
    body = client.get(reverse("portal:grades", args=[personas.student.pk])).content.decode()
    assert "De school toont cijfers niet." in body
    assert "8,8" not in body


def test_a_parent_with_two_children_picks_one(client, personas) -> None:
    second = f.StudentFactory(school=personas.school, first_name="Noor")
    f.GuardianRelationFactory(student=second, guardian=personas.parent)
    client.force_login(personas.user("parent"))
    body = client.get(reverse("portal:grades_index")).content.decode()
    assert "Noor" in body and "Lotte" in body
    assert client.get(reverse("portal:grades", args=[second.pk])).status_code == 200
    assert client.get(reverse("portal:grades", args=[personas.other_student.pk])).status_code == 404


def test_a_student_goes_straight_to_their_grades(client, personas) -> None:
    client.force_login(personas.user("student"))
    response = client.get(reverse("portal:grades_index"))
    assert response["Location"] == reverse("portal:grades", args=[personas.student.pk])


def _count_queries(client, personas, n: int, persona: str) -> int:
    for _ in range(n):
        make_result(
            student=personas.student,
            group=personas.group,
            period=personas.periods[0],
            release_at=local(2025, 9, 10),
            entered_at=local(2025, 9, 10),
        )
    client = Client()  # both counts: the first request of a new session (the account is checked and copied)
    client.force_login(personas.user(persona))
    url = reverse("portal:grades", args=[personas.student.pk])
    from inzage.visibility.policy import facts

    facts._SCHOOL_FACTS.clear()  # both counts measure the same fully cold build
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["student", "parent"])
def test_query_count_does_not_grow_with_results(client, personas, persona) -> None:
    set_policy(personas.school, "format = 1\n[student_first]\nschool_days = 2\n")
    ten = _count_queries(client, personas, 10, persona)
    hundred = _count_queries(client, personas, 90, persona)
    assert ten == hundred
    assert ten <= 30


# ------------------------------------------------------------------------------------------------------------ share


def test_the_student_shares_a_grade(client, personas, grades) -> None:
    shown, _ = grades
    client.force_login(personas.user("student"))
    response = client.post(reverse("portal:share", args=[personas.student.pk, shown.pk]))
    assert response.status_code == 302
    assert Share.objects.filter(student=personas.student, kind=DataKind.GRADES, item_id=shown.pk).exists()
    assert "Gedeeld" in client.get(reverse("portal:grades", args=[personas.student.pk])).content.decode()


@pytest.mark.parametrize("persona", ["parent", "other_parent", "mentor", "admin"])
def test_only_the_student_shares(client, personas, grades, persona) -> None:
    shown, _ = grades
    client.force_login(personas.user(persona))
    assert client.post(reverse("portal:share", args=[personas.student.pk, shown.pk])).status_code == 404
    assert not Share.objects.exists()


def test_a_student_cannot_share_a_held_or_foreign_result(client, personas, grades) -> None:
    _, held = grades
    foreign = make_result(
        student=personas.other_student,
        group=personas.other_group,
        period=personas.periods[0],
        release_at=local(2025, 9, 10),
        entered_at=local(2025, 9, 10),
    )
    client.force_login(personas.user("student"))
    assert client.post(reverse("portal:share", args=[personas.student.pk, held.pk])).status_code == 404
    assert client.post(reverse("portal:share", args=[personas.student.pk, foreign.pk])).status_code == 404
    assert client.post(reverse("portal:share", args=[personas.other_student.pk, foreign.pk])).status_code == 404
    assert client.get(reverse("portal:share", args=[personas.student.pk, held.pk])).status_code == 405
    assert not Share.objects.exists()


# -------------------------------------------------------------------------------------------------------- overrides


@pytest.mark.parametrize(("persona", "status"), [(p, 200 if p == "student" else 404) for p in PAGE_ACCESS])
def test_overrides_page_is_the_students(client, personas, persona, status) -> None:
    from inzage.visibility import actions

    actions.override_create(
        student=personas.student,
        guardian=personas.parent,
        effect="open",
        kinds=["grades"],
        starts_on=local(2025, 9, 1).date(),
        until=None,
        reason="Zorgen over de voortgang",
        created_by=personas.user("mentor"),
        at=local(2025, 9, 1),
    )
    client.force_login(personas.user(persona))
    response = client.get(reverse("portal:overrides", args=[personas.student.pk]))
    assert response.status_code == status
    if status == 200:
        assert "Zorgen over de voortgang" in response.content.decode()


# ---------------------------------------------------------------------------------------------------------- consent


@pytest.mark.parametrize(("persona", "status"), [(p, 200 if p == "student" else 404) for p in PAGE_ACCESS])
def test_consent_page_is_the_students(client, personas, persona, status) -> None:
    client.force_login(personas.user(persona))
    assert client.get(reverse("portal:consent", args=[personas.student.pk])).status_code == status
    response = client.post(
        reverse("portal:consent", args=[personas.student.pk]), {"guardian": personas.parent.pk, "kinds": ["grades"]}
    )
    assert response.status_code == (302 if persona == "student" else 404)


def test_an_adult_student_turns_a_parent_on(client, personas, grades) -> None:
    import datetime as dt

    from django.utils import timezone

    personas.student.date_of_birth = timezone.localdate() - dt.timedelta(days=365 * 19)
    personas.student.save()
    client.force_login(personas.user("parent"))
    assert "8,8" not in client.get(reverse("portal:grades", args=[personas.student.pk])).content.decode()
    client.force_login(personas.user("student"))
    body = client.get(reverse("portal:consent", args=[personas.student.pk])).content.decode()
    assert "Je bent 18 of ouder" in body
    client.post(
        reverse("portal:consent", args=[personas.student.pk]),
        {"guardian": personas.parent.pk, "kinds": ["grades", "averages"]},
    )
    client.force_login(personas.user("parent"))
    assert "8,8" in client.get(reverse("portal:grades", args=[personas.student.pk])).content.decode()
    client.force_login(personas.user("student"))
    client.post(reverse("portal:consent", args=[personas.student.pk]), {"guardian": personas.parent.pk})
    client.force_login(personas.user("parent"))
    assert "8,8" not in client.get(reverse("portal:grades", args=[personas.student.pk])).content.decode()
