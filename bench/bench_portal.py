"""Portal benchmarks: what one warm request costs the app, in CPU and in queries, in a demo school of 1,000 students.

- portal.parent_grades_cpu_ms.one_child / .two_children: process CPU (`time.process_time()`) per request for a parent's
  grades page `/mijn/cijfers/<student>/`, averaged over REQUESTS requests through django.test.Client in this process
  (middleware, session, user, policy, queries' Python side and template; the database server's own time is not in it).
- portal.parent_grades_queries.one_child / .two_children: queries of one such warm request.
- portal.start_page_cpu_ms / portal.start_page_queries: the same for a signed-in parent's start page `/`.
- portal.student_grades_cpu_ms / portal.student_grades_queries: the same for a student's own grades page (the
  one-child parent's child, signed in with the student's account).

Warm: each figure is taken after a first request by the same session (caches filled, connection open).
Target of issue 8: at most 3 ms and 3 queries per warm request.
"""

from __future__ import annotations

import time

from portal_school import DemoParent, allow_test_client, demo_parents, school_seed

REQUESTS = 200


def _client_for(user_id: int):
    from django.test import Client

    from inzage.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client


def _student_user_id(parent: DemoParent) -> tuple[int, int]:
    """(student id, the student's account id) of the parent's first child that has an account."""
    from inzage.people.models import Student

    student = Student.objects.filter(pk__in=parent.student_ids, user__is_active=True).order_by("pk").first()
    if student is None or student.user_id is None:
        raise RuntimeError(f"none of {parent.username}'s children has an account")
    return student.pk, student.user_id


def _measure(client, url: str) -> tuple[float, int]:
    """(CPU ms per warm request, queries of one warm request); fails loudly if the page is not the real page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(url)
    if first.status_code != 200:
        raise RuntimeError(f"{url} answered {first.status_code}, not the page")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured.captured_queries)
    started = time.process_time()
    for _ in range(REQUESTS):
        client.get(url)
    return (time.process_time() - started) * 1000 / REQUESTS, queries


def run() -> list[tuple[str, float, str]]:
    from django.urls import reverse
    from django.utils import timezone

    allow_test_client()
    school_seed()
    today = timezone.localdate()
    one = demo_parents(today=today, children=1, limit=1)[0]
    two = demo_parents(today=today, children=2, limit=1)[0]
    lines: list[tuple[str, float, str]] = []
    for label, parent in (("one_child", one), ("two_children", two)):
        url = reverse("portal:grades", kwargs={"student_id": parent.student_ids[0]})
        cpu_ms, queries = _measure(_client_for(parent.user_id), url)
        lines += [
            (f"portal.parent_grades_cpu_ms.{label}", cpu_ms, "ms"),
            (f"portal.parent_grades_queries.{label}", queries, "queries"),
        ]
    cpu_ms, queries = _measure(_client_for(one.user_id), reverse("web:home"))
    lines += [("portal.start_page_cpu_ms", cpu_ms, "ms"), ("portal.start_page_queries", queries, "queries")]
    student_id, student_user_id = _student_user_id(one)
    url = reverse("portal:grades", kwargs={"student_id": student_id})
    cpu_ms, queries = _measure(_client_for(student_user_id), url)
    lines += [("portal.student_grades_cpu_ms", cpu_ms, "ms"), ("portal.student_grades_queries", queries, "queries")]
    return lines
