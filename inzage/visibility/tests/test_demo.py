import datetime as dt
import random

from inzage.testing import factories as f
from inzage.visibility.demo import seed_demo_data
from inzage.visibility.models import InformationRequest, Override, PolicyVersion
from inzage.visibility.policy.facts import active_policy


def test_demo_seeds_a_valid_policy_and_rows(personas) -> None:
    f.CalendarRangeFactory(
        school_year=personas.year,
        code="toetsweek-2",
        kind="test_week",
        start=dt.date(2026, 1, 19),
        end=dt.date(2026, 1, 23),
    )
    seed_demo_data(school=personas.school, rng=random.Random(1), today=dt.date(2025, 11, 3))
    policy = active_policy(personas.school.pk)
    assert policy.student_first.school_days == 2
    assert [w.range for w in policy.windows] == ["toetsweek-2"]
    assert Override.objects.filter(school=personas.school).exists()
    request = InformationRequest.objects.get(relation=personas.no_custody_relation)
    assert request.status == "granted" and request.custodial_parent_told_on is not None
    assert PolicyVersion.objects.filter(school=personas.school).count() == 1
