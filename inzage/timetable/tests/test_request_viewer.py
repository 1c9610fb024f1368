"""`request_viewer` keeps who an account is per process under the account's and the school's counters: each change
of who the account reaches shows on the very next request (a new child, a relation ended, a mentor class taken away,
a staff role removed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inzage.people.models import GuardianRelation, StaffRole
from inzage.testing import factories as f
from inzage.timetable.tests.conftest import MONDAY
from inzage.visibility.policy import facts

pytestmark = pytest.mark.django_db


def _week(client, student) -> int:
    return client.get(reverse("timetable:week", args=[student.pk, MONDAY])).status_code


def test_a_parent_reaches_a_new_child_and_loses_an_ended_one_on_the_next_request(client, tt, user_of, now) -> None:
    client.force_login(user_of("parent"))
    assert _week(client, tt.student) == 200
    assert _week(client, tt.other_student) == 404
    assert facts._IDENTITIES  # the account's identity is kept
    relation = f.GuardianRelationFactory(student=tt.other_student, guardian=tt.parent)
    assert _week(client, tt.other_student) == 200
    GuardianRelation.objects.filter(pk=relation.pk).get().delete()
    assert _week(client, tt.other_student) == 404
    assert _week(client, tt.student) == 200


def test_a_mentor_loses_the_class_and_the_role_on_the_next_request(client, tt, user_of, now) -> None:
    client.force_login(user_of("mentor"))
    assert _week(client, tt.student) == 200
    tt.klas.mentors.remove(tt.mentor)  # the school's counter
    StaffRole.objects.filter(staff=tt.mentor).delete()  # the account's counter (one row each: signals)
    assert _week(client, tt.student) == 404


def test_the_identity_is_the_engines_for_the_same_counters(client, tt, user_of, now) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user_of("parent")
    first = facts.request_viewer(request)
    fresh = facts.viewer_for(request.user)
    for name in ("user_id", "school_id", "student_id", "guardian_id", "staff_id", "roles", "group_ids"):
        assert getattr(first, name) == getattr(fresh, name), name
    assert first.relations.keys() == fresh.relations.keys() and first.school_version is not None
    again = facts.request_viewer(request)
    assert again is not first and again.facts == {}  # a new viewer per request: facts are never shared
