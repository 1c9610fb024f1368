"""Visibility benchmarks.

- visibility.decide_student_year: ms to decide every item of one student's year (~600 items of mixed kinds) for a
  parent, under a policy with windows, 17:00 publication and student-first (context built once, then per item).
- visibility.context_build: ms to load the facts and build that context (the constant part, once per request).
- visibility.filter_queries_10 / _1000: queries to list one student's visible grades (viewer, facts and the list
  itself) with 10 and with 1,000 results; the two must be equal.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")

POLICY = """
format = 1
[base]
students = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
guardians = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
[publication]
times = ["17:00"]
school_days_only = true
kinds = ["grades"]
[student_first]
school_days = 2
kinds = ["grades"]
share_opens_closed_window = true
[consent]
model = "at_18"
default_before_18 = "shared"
[staff]
teacher = ["attendance", "averages", "behaviour", "grades", "homework", "timetable"]
mentor = ["access_log", "attendance", "averages", "behaviour", "care_notes", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
coordinator = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
care_coordinator = ["access_log", "attendance", "averages", "behaviour", "care_notes", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
attendance_officer = ["attendance", "personal_data", "timetable"]
administrator = ["access_log", "attendance", "averages", "behaviour", "grades", "homework", "period_report", "personal_data", "plan", "timetable"]
[[windows]]
label = "toetsweek 2"
audience = "guardians"
effect = "close"
kinds = ["grades", "averages"]
range = "toetsweek-2"
[[windows]]
audience = "guardians"
effect = "open"
kinds = ["grades"]
start = 2026-02-12
end = 2026-02-24
"""


def setup():
    """One student's school with the bench policy, and ~660 items of mixed kinds over the year."""
    from inzage.testing import factories as f
    from inzage.testing.personas import build_personas
    from inzage.visibility.kinds import DataKind
    from inzage.visibility.policy import Item
    from inzage.visibility.tests.conftest import set_policy

    p = build_personas()
    f.CalendarRangeFactory(
        school_year=p.year, code="toetsweek-2", kind="test_week", start=dt.date(2026, 1, 19), end=dt.date(2026, 1, 23)
    )
    f.CalendarRangeFactory(
        school_year=p.year, code="kerst", kind="holiday", start=dt.date(2025, 12, 20), end=dt.date(2026, 1, 4)
    )
    set_policy(p.school, POLICY)
    rng = random.Random(1)
    start = dt.datetime(2025, 8, 25, 8, tzinfo=AMS)
    mix = [
        (DataKind.GRADES, 300),
        (DataKind.ATTENDANCE, 120),
        (DataKind.HOMEWORK, 60),
        (DataKind.TIMETABLE, 60),
        (DataKind.BEHAVIOUR, 20),
        (DataKind.CARE_NOTES, 10),
        (DataKind.PERIOD_REPORT, 4),
        (DataKind.AVERAGES, 12),
        (DataKind.PLAN, 10),
        (DataKind.ACCESS_LOG, 4),
    ]
    items = []
    for kind, n in mix:
        for i in range(n):
            released = (
                None
                if kind == DataKind.GRADES and i % 25 == 0
                else start + dt.timedelta(minutes=rng.randrange(0, 320 * 24 * 60))
            )
            items.append(
                Item(
                    kind=kind,
                    id=i + 1,
                    student_id=p.student.pk,
                    released_at=released,
                    subject="wi",
                    group_id=p.group.pk,
                )
            )
    at = dt.datetime(2026, 2, 13, 12, tzinfo=AMS)
    return p, items, at, start


def run() -> list[tuple[str, float, str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inzage.visibility.kinds import DataKind
    from inzage.visibility.policy import context_for, viewer_for, visible_results
    from inzage.visibility.tests.conftest import make_result

    p, items, at, start = setup()
    parent = p.user("parent")
    build_times, decide_times = [], []
    for _ in range(30):
        viewer = viewer_for(parent)
        t0 = time.perf_counter()
        ctx = context_for(viewer=viewer, student_id=p.student.pk, at=at)
        for kind in DataKind.values:
            ctx.gate(kind)
        t1 = time.perf_counter()
        for item in items:
            ctx.decide(item)
        t2 = time.perf_counter()
        build_times.append((t1 - t0) * 1000)
        decide_times.append((t2 - t1) * 1000)

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            viewer = viewer_for(parent)
            list(visible_results(viewer=viewer, student=p.student, at=at))
        return len(captured.captured_queries)

    for i in range(10):
        make_result(
            student=p.student,
            group=p.group,
            period=p.periods[0],
            release_at=start + dt.timedelta(days=i),
            entered_at=start + dt.timedelta(days=i),
        )
    q10 = list_queries()
    for i in range(990):
        make_result(
            student=p.student,
            group=p.group,
            period=p.periods[0],
            release_at=start + dt.timedelta(hours=i * 5),
            entered_at=start + dt.timedelta(hours=i * 5),
        )
    q1000 = list_queries()
    return [
        ("visibility.decide_student_year", statistics.median(decide_times), "ms"),
        ("visibility.context_build", statistics.median(build_times), "ms"),
        ("visibility.filter_queries_10", float(q10), "queries"),
        ("visibility.filter_queries_1000", float(q1000), "queries"),
    ]
