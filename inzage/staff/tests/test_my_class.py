"""The mentor's class ("Mijn klas"): personas, what it shows, signals, and a constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inzage.staff.tests.conftest import ALL_PERSONAS
from inzage.testing import factories as f
from inzage.visibility.policy import viewer_for
from inzage.visibility.policy.facts import load_facts, staff_facts_prime

pytestmark = pytest.mark.django_db
URL = reverse("staff:my_class")


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_only_mentors_open_my_class(client, user_of, name) -> None:
    client.force_login(user_of(name))
    response = client.get(URL)
    # the personas' mentor mentors H3A; the other teacher mentors H3B
    assert response.status_code == (200 if name in ("mentor", "other_teacher") else 404)


def test_anonymous_is_sent_to_login(client) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_mentor_sees_own_mentees_only(client, personas, user_of) -> None:
    client.force_login(user_of("mentor"))
    page = client.get(URL).content.decode()
    assert "Lotte Jansen" in page
    assert "Milan Bakker" not in page
    client.force_login(user_of("other_teacher"))
    page = client.get(URL).content.decode()
    assert "Milan Bakker" in page and "Lotte Jansen" not in page


def test_fails_recent_changes_and_signals(client, personas, user_of, grade) -> None:
    subjects = [personas.subject] + [
        f.SubjectFactory(school=personas.school, code=c, name=n) for c, n in (("ne", "Nederlands"), ("en", "Engels"))
    ]
    for subject in subjects:
        group = personas.group
        if subject != personas.subject:
            group = f.TeachingGroupFactory(
                school_year=personas.year,
                subject=subject,
                name=f"h3a-{subject.code}",
                year_group=personas.klas.year_group,
            )
            group.students.add(personas.student)
        grade("4.0", group=group, days_ago=40)
    grade("5.0", days_ago=3)  # recent; wiskunde averages 4,5
    client.force_login(user_of("mentor"))
    page = client.get(URL).content.decode()
    assert "3 vakken onvoldoende" in page
    assert 'wiskunde <span class="grade fail">4,5</span>' in page
    assert 'Nederlands <span class="grade fail">4,0</span>' in page
    assert 'Engels <span class="grade fail">4,0</span>' in page
    assert "Recent ingevoerd of gewijzigd" in page and "wiskunde: Toets" in page


def test_falling_line_is_signalled(client, personas, user_of, grade) -> None:
    for days_ago, value in zip(range(60, 0, -10), ["8.0", "8.0", "8.0", "6.5", "6.5", "6.5"], strict=True):
        grade(value, days_ago=days_ago)
    client.force_login(user_of("mentor"))
    assert "dalende lijn in de laatste cijfers" in client.get(URL).content.decode()


def test_retracted_and_other_students_results_are_not_shown(client, personas, user_of, grade) -> None:
    grade("2.0", retracted=True)
    grade("3.0", student=personas.other_student, group=personas.other_group)
    client.force_login(user_of("mentor"))
    page = client.get(URL).content.decode()
    assert "2,0" not in page and "3,0" not in page


def _fill_class(personas, n: int, grade) -> None:
    for i in range(n):
        s = f.StudentFactory(school=personas.school, first_name=f"Extra{i}", last_name="Leerling")
        f.ClassMembershipFactory(school_class=personas.klas, student=s)
        personas.group.students.add(s)
        for days_ago, value in ((50, "4.5"), (20, "6.0"), (2, "5.0")):
            grade(value, student=s, days_ago=days_ago)


def test_query_count_does_not_grow_with_the_class(client, personas, user_of, grade) -> None:
    client.force_login(user_of("mentor"))
    _fill_class(personas, 5, grade)
    with CaptureQueriesContext(connection) as five:
        assert client.get(URL).status_code == 200
    _fill_class(personas, 20, grade)
    with CaptureQueriesContext(connection) as twenty_five:
        page = client.get(URL).content.decode()
    assert page.count('class="mentee card') == 26
    assert len(five) == len(twenty_five), [q["sql"] for q in twenty_five.captured_queries]


def test_prefetched_facts_equal_the_engines_own(personas, roles) -> None:
    viewer = viewer_for(personas.user("mentor"))
    ids = [personas.student.pk, personas.other_student.pk, 10**9]
    staff_facts_prime(viewer=viewer, student_ids=ids)
    fresh = viewer_for(personas.user("mentor"))
    for sid in ids:
        primed, own = viewer.facts[sid], load_facts(viewer=fresh, student_id=sid)
        if own is None:
            assert primed is None
            continue
        assert primed is not None
        assert primed.student.pk == own.student.pk
        assert primed.memberships == own.memberships
        assert primed.student_group_ids == own.student_group_ids
        assert primed.policy == own.policy
        assert primed.relation is None and own.relation is None


def test_priming_leaves_the_viewers_own_children_to_the_engine(personas) -> None:
    # a teacher who is also a guardian of a student: the engine treats them as a guardian, with the guardian's facts
    f.GuardianRelationFactory(
        student=personas.other_student,
        guardian=f.GuardianFactory(school=personas.school, user=personas.user("mentor")),
    )
    viewer = viewer_for(personas.user("mentor"))
    staff_facts_prime(viewer=viewer, student_ids=[personas.other_student.pk, personas.student.pk])
    assert personas.other_student.pk not in viewer.facts
    assert personas.student.pk in viewer.facts


def test_recent_means_the_last_fourteen_days(client, personas, user_of, grade) -> None:
    grade("6.1", days_ago=15)
    grade("6.2", days_ago=13)
    client.force_login(user_of("mentor"))
    page = client.get(URL).content.decode()
    recent = page.split("Recent ingevoerd of gewijzigd")[1]
    assert "6,2" in recent and "6,1" not in recent
