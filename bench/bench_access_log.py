"""Access-log benchmarks (docs/access-log.md).

- access_log.page_overhead_ms: process CPU per warm request of a parent's grades page with the access log (and
  scraping detection) on, minus the same with `ACCESS_LOG_ENABLED = False`, same process, interleaved rounds
  (median of ROUNDS rounds of REQUESTS requests each). The buffer's writes (one multi-row INSERT per 50 rows, after
  the response, and by its timer thread) are in this process's CPU time, so they are counted. Budget: < 1 ms.
- access_log.page_queries_with / _without: queries of one warm request in each mode (the INSERT is not one of
  them: it runs once per 50 requests, after the response).
- access_log.write_per_s: rows per second written by the buffer's INSERT (batches of 50).

The scraping limits are raised for the run (as `make loadtest` does): one session asks a thousand pages a minute.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from portal_school import allow_test_client, demo_parents, school_seed

REQUESTS = 200
ROUNDS = 7


def _cpu_per_request(client, url: str) -> float:
    started = time.process_time()
    for _ in range(REQUESTS):
        client.get(url)
    return (time.process_time() - started) * 1000 / REQUESTS


def run() -> list[tuple[str, float, str]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from inzage.access_log import buffer
    from inzage.access_log.collector import Row
    from inzage.access_log.models import AccessRead
    from inzage.accounts.models import User

    allow_test_client()
    settings.SCRAPING = {"enabled": True, "factor": 1_000_000}
    school_seed(students=300)
    parent = demo_parents(today=timezone.localdate(), children=1, limit=1)[0]
    client = Client()
    client.force_login(User.objects.get(pk=parent.user_id))
    url = reverse("portal:grades", kwargs={"student_id": parent.student_ids[0]})
    if client.get(url).status_code != 200:
        raise RuntimeError("the parent's page did not open")
    queries = {}
    for enabled in (True, False):
        settings.ACCESS_LOG_ENABLED = enabled
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[enabled] = len(captured.captured_queries)
    on: list[float] = []
    off: list[float] = []
    for _ in range(ROUNDS):
        for enabled, out in ((True, on), (False, off)):
            settings.ACCESS_LOG_ENABLED = enabled
            client.get(url)
            out.append(_cpu_per_request(client, url))
    settings.ACCESS_LOG_ENABLED = True
    buffer.flush_now()
    logged = AccessRead.objects.filter(user_id=parent.user_id).count()
    if logged < ROUNDS * REQUESTS:
        raise RuntimeError(f"only {logged} reads logged for {ROUNDS * REQUESTS} requests with the log on")

    now = dt.datetime.now(dt.UTC)
    rows = [
        Row(
            at=now,
            school_id=1,
            user_id=parent.user_id,
            student_id=parent.student_ids[0],
            kinds=("averages", "grades"),
            audience="guardian",
            roles=(),
            subjects=(),
            route="portal:grades",
            channel="page",
            cached=True,
        )
        for _ in range(50)
    ]
    batches = 200
    started = time.perf_counter()
    for _ in range(batches):
        buffer.write(rows)
    per_s = batches * len(rows) / (time.perf_counter() - started)
    return [
        ("access_log.page_overhead_ms", statistics.median(on) - statistics.median(off), "ms"),
        ("access_log.page_cpu_ms_with", statistics.median(on), "ms"),
        ("access_log.page_cpu_ms_without", statistics.median(off), "ms"),
        ("access_log.page_queries_with", queries[True], "queries"),
        ("access_log.page_queries_without", queries[False], "queries"),
        ("access_log.write_per_s", per_s, "rows/s"),
    ]
