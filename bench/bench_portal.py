"""Portal benchmarks: what one warm request costs the app, in CPU and in queries, in a demo school of 1,000 students.

- portal.parent_grades_cpu_ms.one_child / .two_children: process CPU (`time.process_time()`) per request for a parent's
  grades page `/mijn/cijfers/<student>/`, averaged over REQUESTS requests through django.test.Client in this process
  (middleware, session, user, policy, queries' Python side and template; the database server's own time is not in it).
- portal.parent_grades_queries.one_child / .two_children: queries of one such warm request.
- portal.start_page_cpu_ms / portal.start_page_queries: the same for a signed-in parent's start page `/`.

Warm: each figure is taken after a first request by the same session (caches filled, connection open).
Target of issue 8: at most 3 ms and 3 queries per warm request.
"""

from __future__ import annotations

import time

from portal_school import DemoParent, allow_test_client, demo_parents, school_seed

REQUESTS = 200


def _client_for(parent: DemoParent):
    from django.test import Client

    from inzage.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=parent.user_id))
    return client


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
        cpu_ms, queries = _measure(_client_for(parent), url)
        lines += [
            (f"portal.parent_grades_cpu_ms.{label}", cpu_ms, "ms"),
            (f"portal.parent_grades_queries.{label}", queries, "queries"),
        ]
    cpu_ms, queries = _measure(_client_for(one), reverse("web:home"))
    lines += [("portal.start_page_cpu_ms", cpu_ms, "ms"), ("portal.start_page_queries", queries, "queries")]
    return lines
