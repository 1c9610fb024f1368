"""The access log: one hook in the engine records every read the policy allows, cached or not, with the role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inzage.access_log.models import AccessRead
from inzage.access_log.queries import role_label

pytestmark = pytest.mark.django_db


def grades_url(personas) -> str:
    return reverse("portal:grades", kwargs={"student_id": personas.student.pk})


def mine_url(personas) -> str:
    return reverse("access_log:mine", kwargs={"student_id": personas.student.pk})


def test_a_parents_read_is_logged_and_the_student_sees_it(client, personas, grade) -> None:
    grade("7.5")
    client.force_login(personas.user("parent"))
    assert client.get(grades_url(personas)).status_code == 200
    row = AccessRead.objects.get()
    assert row.user_id == personas.user("parent").pk
    assert row.student_id == personas.student.pk
    assert row.audience == "guardian"
    assert "grades" in row.kind_list and "averages" in row.kind_list
    assert row.route == "portal:grades" and row.channel == "page" and not row.cached

    client.force_login(personas.user("student"))
    page = client.get(mine_url(personas))
    assert page.status_code == 200
    text = page.content.decode()
    assert "ouder/verzorger" in text and "cijfers" in text
    assert "Sanne" not in text  # by role, not by name


def test_a_cached_hit_is_logged_too(client, personas, grade) -> None:
    grade("7.5")
    client.force_login(personas.user("parent"))
    client.get(grades_url(personas))
    client.get(grades_url(personas))  # from the cache: no engine work
    first, second = AccessRead.objects.order_by("pk")
    assert not first.cached and second.cached
    assert first.kinds == second.kinds


def test_a_teachers_read_shows_as_vakdocent(client, personas, grade) -> None:
    grade("6.0")
    client.force_login(personas.user("teacher"))
    assert client.get(reverse("staff:student", kwargs={"student_id": personas.student.pk})).status_code == 200
    row = AccessRead.objects.get(user_id=personas.user("teacher").pk, student_id=personas.student.pk)
    assert row.audience == "staff" and "teacher" in row.role_list
    assert role_label(row) == "vakdocent wiskunde"
    client.force_login(personas.user("student"))
    assert "vakdocent wiskunde" in client.get(mine_url(personas)).content.decode()


def test_the_mentor_shows_as_mentor_and_names_only_when_the_school_says_so(client, personas, grade) -> None:
    from inzage.access_log.models import AccessLogSettings

    grade("6.0")
    client.force_login(personas.user("mentor"))
    client.get(reverse("staff:student", kwargs={"student_id": personas.student.pk}))
    client.force_login(personas.user("student"))
    text = client.get(mine_url(personas)).content.decode()
    assert "mentor" in text and "Mirjam" not in text
    AccessLogSettings.objects.create(school=personas.school, show_names=True)
    assert "Mirjam Mentor" in client.get(mine_url(personas)).content.decode()


def test_a_refused_read_is_not_logged(client, personas, grade) -> None:
    grade("7.5")
    client.force_login(personas.user("other_parent"))
    assert client.get(grades_url(personas)).status_code == 404
    assert not AccessRead.objects.exists()


def test_nothing_shown_nothing_logged_for_a_closed_kind(client, personas, grade) -> None:
    from inzage.visibility.tests.conftest import set_policy

    grade("7.5")
    set_policy(personas.school, 'format = 1\n[base]\nguardians = ["attendance"]\n')
    client.force_login(personas.user("parent"))
    assert client.get(grades_url(personas)).status_code == 200
    row = AccessRead.objects.filter(student_id=personas.student.pk).first()
    assert row is None or "grades" not in row.kind_list


def test_the_students_own_reads_and_another_parents_are_not_shown_to_a_parent(client, personas, grade) -> None:
    from inzage.testing import factories as f

    grade("7.5")
    second = f.GuardianFactory(school=personas.school, first_name="Tweede", last_name="Ouder")
    f.GuardianRelationFactory(student=personas.student, guardian=second)
    for name in ("student",):
        client.force_login(personas.user(name))
        client.get(grades_url(personas))
    client.force_login(second.user)
    client.get(grades_url(personas))
    client.force_login(personas.user("teacher"))
    client.get(reverse("staff:student", kwargs={"student_id": personas.student.pk}))
    client.force_login(personas.user("parent"))
    lines = client.get(mine_url(personas)).context["page"].lines
    assert [line.who for line in lines] == ["vakdocent wiskunde"]  # not the student's own, not the other parent's


def test_the_log_page_reading_is_itself_logged(client, personas) -> None:
    client.force_login(personas.user("parent"))
    assert client.get(mine_url(personas)).status_code == 200
    assert AccessRead.objects.get().kind_list == ["access_log"]
