"""The bulk loader of follower viewers gives the engine the same facts as `viewer_for` + `load_facts` (without the
staff parts), so a notice is decided exactly as the person's own page decides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inzage.people.models import CourtRestriction
from inzage.testing import factories as f
from inzage.visibility.models import Consent, InformationRequest, Override, Share
from inzage.visibility.policy.facts import follower_viewers, load_facts, viewer_for
from inzage.visibility.tests.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich(personas):
    p = personas
    admin = p.user("admin")
    at = local(2025, 9, 1)
    for guardian in (p.parent, None):
        Override.objects.create(
            school=p.school,
            student=p.student,
            guardian=guardian,
            effect="open",
            kinds=["grades"],
            starts_on=dt.date(2025, 9, 1),
            reason="test",
            created_at=at,
            created_by=admin,
        )
    Override.objects.create(
        school=p.school,
        student=p.student,
        guardian=p.other_parent,
        effect="close",
        kinds=["grades"],
        starts_on=dt.date(2025, 9, 1),
        reason="another parent's",
        created_at=at,
        created_by=admin,
    )
    Consent.objects.create(
        school=p.school,
        student=p.student,
        guardian=p.parent,
        kind="grades",
        granted=True,
        recorded_at=at,
        recorded_by=admin,
    )
    Share.objects.create(school=p.school, student=p.student, kind="grades", item_id=7, shared_at=at, shared_by=admin)
    CourtRestriction.objects.create(
        school=p.school,
        relation=p.parent_relation,
        ordered_on=dt.date(2025, 9, 1),
        effective_from=dt.date(2025, 9, 1),
        kinds=["absence"],
    )
    InformationRequest.objects.create(
        school=p.school, relation=p.no_custody_relation, kinds=["grades"], requested_on=dt.date(2025, 9, 1)
    )
    return p


def _same(primed, own) -> None:
    if own is None:
        assert primed is None
        return
    assert primed is not None
    assert primed.student.pk == own.student.pk
    assert primed.memberships == own.memberships
    assert primed.policy == own.policy
    assert (primed.relation.pk if primed.relation else None) == (own.relation.pk if own.relation else None)
    assert [c.pk for c in primed.court] == [c.pk for c in own.court]
    assert [r.pk for r in primed.requests] == [r.pk for r in own.requests]
    assert sorted(o.pk for o in primed.overrides) == sorted(o.pk for o in own.overrides)
    assert primed.consents == own.consents
    assert sorted(primed.shares) == sorted(own.shares)


@pytest.mark.parametrize("name", ["student", "parent", "other_parent", "parent_without_custody", "mentor"])
def test_follower_facts_equal_the_engines_own(rich, name) -> None:
    user = rich.user(name)
    ids = [rich.student.pk, rich.other_student.pk, 10**9]
    viewer = follower_viewers(pairs=[(user.pk, sid) for sid in ids])[user.pk]
    own = viewer_for(user)
    assert (viewer.student_id, viewer.guardian_id) == (own.student_id, own.guardian_id)
    assert {k: r.pk for k, r in viewer.relations.items()} == {k: r.pk for k, r in own.relations.items()}
    assert viewer.staff_id is None and viewer.roles == () and viewer.group_ids == frozenset()  # no staff parts
    for sid in ids:
        _same(viewer.facts[sid], load_facts(viewer=own, student_id=sid))


def test_the_loader_needs_the_same_queries_for_one_person_or_for_many(rich) -> None:
    names = ["student", "parent", "other_parent", "parent_without_custody"]
    with CaptureQueriesContext(connection) as one:
        follower_viewers(pairs=[(rich.user("parent").pk, rich.student.pk)])
    more = [f.StudentFactory(school=rich.school) for _ in range(3)]
    pairs = [(rich.user(n).pk, s.pk) for n in names for s in (rich.student, rich.other_student, *more)]
    with CaptureQueriesContext(connection) as many:
        follower_viewers(pairs=pairs)
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
