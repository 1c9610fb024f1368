"""Who gains what under a draft policy (`policy_impact`): the shortcut for look-alike people gives the same counts
as comparing everyone on their own, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inzage.people.models import CourtRestriction
from inzage.testing import factories as f
from inzage.visibility.models import Consent, Override, Share
from inzage.visibility.policy.document import parse_policy, state_missing_sections
from inzage.visibility.policy.facts import active_policy
from inzage.visibility.policy.impact import policy_impact
from inzage.visibility.tests.conftest import local, set_policy

CURRENT = (
    'format = 1\n[publication]\ntimes = ["17:00"]\n[student_first]\nschool_days = 2\n'
    '[base]\nguardians = ["attendance", "timetable"]\n'
    '[[windows]]\naudience = "guardians"\neffect = "close"\nkinds = ["grades"]\nstart = 2026-01-19\nend = 2026-01-23\n'
)
DRAFTS = [
    "format = 1\n",  # everything the defaults give: opens a lot
    'format = 1\n[consent]\nmodel = "from_16"\ndefault_before_18 = "not_shared"\n',
    CURRENT + '[[windows]]\naudience = "guardians"\neffect = "open"\nkinds = ["grades"]\nclasses = ["H3A"]\n'
    "start = 2026-01-19\nend = 2026-01-23\n",
    CURRENT
    + '[[windows]]\naudience = "students"\neffect = "close"\nkinds = ["grades", "averages"]\nlevels = ["havo"]\n'
    "years = [3]\nstart = 2025-11-10\nend = 2025-11-21\n",
]


@pytest.fixture
def school(personas, result_factory):
    """The personas with results around the instant, and one of each personal fact."""
    for day in (3, 12, 13, 14):
        result_factory(release_at=local(2025, 11, day, 9), entered_at=local(2025, 11, day, 9))
    shared = result_factory(release_at=local(2025, 11, 13, 18), entered_at=local(2025, 11, 13, 18))
    school = personas.school
    admin = personas.user("admin")
    Share.objects.create(school=school, student=personas.student, kind="grades", item_id=shared.pk,
                         shared_at=local(2025, 11, 13, 19), shared_by=personas.user("student"))  # fmt: skip
    Override.objects.create(school=school, student=personas.student, guardian=personas.parent, effect="open",
                            kinds=["averages"], starts_on=dt.date(2025, 11, 1), reason="zorg",
                            created_at=local(2025, 11, 1), created_by=admin)  # fmt: skip
    Consent.objects.create(school=school, student=personas.student, guardian=personas.parent, kind="homework",
                           granted=False, recorded_at=local(2025, 10, 1), recorded_by=personas.user("student"))  # fmt: skip
    CourtRestriction.objects.create(
        school=school,
        relation=personas.no_custody_relation,
        kinds=["grades"],
        ordered_on=dt.date(2025, 1, 1),
        effective_from=dt.date(2025, 1, 1),
    )
    for n, klas in enumerate([personas.other_klas, personas.other_klas, personas.other_klas, personas.klas]):
        student = f.StudentFactory(school=school, date_of_birth=dt.date(2011, 5, n + 1))  # look-alikes
        f.ClassMembershipFactory(school_class=klas, student=student)
        f.GuardianRelationFactory(student=student, guardian=f.GuardianFactory(school=school))
    set_policy(school, CURRENT)
    return school


@pytest.mark.parametrize("draft_text", DRAFTS)
@pytest.mark.parametrize("at", [local(2025, 11, 14, 12), local(2025, 11, 17, 17, 30), local(2026, 1, 20, 12)])
def test_look_alikes_share_work_without_changing_the_counts(school, draft_text, at) -> None:
    draft = parse_policy(state_missing_sections(draft_text))
    current = active_policy(school.pk)
    fast = policy_impact(school_id=school.pk, current=current, draft=draft, at=at)
    exact = policy_impact(school_id=school.pk, current=current, draft=draft, at=at, dedupe=False)
    assert (fast.gains, fast.losses) == (exact.gains, exact.losses)
    assert (fast.students, fast.guardians) == (6, 7)


def test_the_default_policy_opens_grades_to_the_custodial_parents(school) -> None:
    impact = policy_impact(
        school_id=school.pk,
        current=active_policy(school.pk),
        draft=parse_policy(state_missing_sections("format = 1\n")),
        at=local(2025, 11, 14, 12),
    )
    gains = {g.kind: (g.students, g.guardians) for g in impact.gains}
    # 6 custodial parents; the parent without custody stays closed (law, and a court order for grades). Lotte
    # herself gains this morning's grade, which under the current policy waits for 17:00.
    assert gains["grades"] == (1, 6)
    assert impact.opens


def test_the_number_of_queries_does_not_grow_with_the_school(school, personas) -> None:
    draft = parse_policy(state_missing_sections("format = 1\n"))
    current = active_policy(school.pk)
    with CaptureQueriesContext(connection) as small:
        policy_impact(school_id=school.pk, current=current, draft=draft, at=local(2025, 11, 14, 12))
    for n in range(5):
        student = f.StudentFactory(school=school, date_of_birth=dt.date(2010, 1, n + 1))
        f.ClassMembershipFactory(school_class=personas.klas, student=student)
        f.GuardianRelationFactory(student=student, guardian=f.GuardianFactory(school=school))
    with CaptureQueriesContext(connection) as large:
        policy_impact(school_id=school.pk, current=current, draft=draft, at=local(2025, 11, 14, 12))
    assert len(large) == len(small)
