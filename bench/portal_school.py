"""The demo school the portal benchmarks, the profile and the load test share: 1,000 students, and its parents.

Needs Django set up on an empty, migrated database (`bench/run.py` gives each benchmark one). Parents are found through
the data, not by fixed usernames: a parent with gezag and a current relation to exactly one (or two) students.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

STUDENTS = 1000
SEED = 1


@dataclass(frozen=True)
class DemoParent:
    username: str
    user_id: int
    student_ids: tuple[int, ...]


def school_seed(*, students: int = STUDENTS, seed: int = SEED) -> None:
    """Build the demo school with `seed_demo` (the same command `make run` uses)."""
    from django.core.management import call_command

    call_command("seed_demo", students=students, seed=seed, stdout=io.StringIO())


def demo_parents(*, today: dt.date, children: int | None = None, limit: int | None = None) -> list[DemoParent]:
    """Parents with an account and gezag over `children` students (any number if None) on `today`, by username."""
    from django.db.models import Q

    from inzage.people.models import GuardianRelation

    current = (
        GuardianRelation.objects.filter(
            guardian__user__isnull=False,
            guardian__user__is_active=True,
            custody__in=[GuardianRelation.Custody.WITH_GEZAG, GuardianRelation.Custody.GUARDIAN_INSTITUTION],
        )
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("guardian__user__username", "guardian__user_id", "student_id")
        .order_by("guardian__user__username", "student_id")
    )
    by_user: dict[str, tuple[int, list[int]]] = {}
    for username, user_id, student_id in current:
        by_user.setdefault(username, (user_id, []))[1].append(student_id)
    parents = [
        DemoParent(username=username, user_id=user_id, student_ids=tuple(ids))
        for username, (user_id, ids) in sorted(by_user.items())
        if children is None or len(ids) == children
    ]
    return parents if limit is None else parents[:limit]


def allow_test_client() -> None:
    """Let django.test.Client's host ("testserver") through ALLOWED_HOSTS outside the test runner, and let one
    session ask for the same page hundreds of times a second: the scraping detector stays on (its cost is part of
    what is measured) with its limits raised, as `make loadtest` does."""
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SCRAPING = {**settings.SCRAPING, "enabled": True, "factor": 1_000_000}
