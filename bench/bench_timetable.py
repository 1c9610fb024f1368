"""Timetable benchmarks: a student's week view, a school year's calendar feed, the weekly pattern import.

- timetable.week_view_ms: wall time of a warm `/rooster/<student>/week/<monday>/` for the student (median of
  REQUESTS requests through django.test.Client in this process: middleware, session, policy, queries, template), a
  week of 30 lessons with homework at a third of them and two cancellations. Target (issue 10): under 30 ms.
- timetable.week_view_queries: the queries of one such request (the access log's own batched write left out, as in
  the tests: `inzage.testing.queries.page_queries`); timetable.week_view_cpu_ms: its CPU time in this process (what
  the wall time is on an idle core; the shared 2-core machine is often loaded several times over); timetable.week_view_queries_double: the same for a student with
  twice the lessons that week (60). The two must be equal: the run fails otherwise.
- timetable.feed_year_ms: a student's `/rooster/agenda/<token>.ics` for the school year (about 1,100 events: the
  year's lessons and homework; median of FEED_REQUESTS), with timetable.feed_year_events its event count. Target:
  under 300 ms. timetable.feed_year_cpu_ms: its CPU time. The policy and the queries run on every fetch; the
  serialised text is cached under a digest of the events' content (`inzage/timetable/feed.py`), so a fetch of an
  unchanged feed (what a calendar app does every 15 minutes to hours) skips the serialising.
  timetable.feed_year_cold_ms / _cold_cpu_ms: the same fetch with the cache emptied first (the first fetch, or the
  first after any change to what the feed shows).
- timetable.import_lines_per_s: a 5,000-line pattern (200 groups × 25 hours, each with its own teacher and room)
  checked and stored through `pattern_check` + `pattern_import_apply`, including making the school year's lessons
  (timetable.import_lessons_made); timetable.import_check_lines_per_s: the check alone (reading and validating).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")
NOW = "2025-09-09T10:00:00+02:00"  # a Tuesday in an A-week of the personas' school year
MONDAY = dt.date(2025, 9, 8)
REQUESTS = 30
FEED_REQUESTS = 5
SUBJECTS = ["ne", "en", "fa", "du", "gs", "ak", "wi2", "bi", "nask", "lo", "kv"]
HOURS = [4, 3, 2, 2, 2, 2, 4, 2, 3, 3, 3]  # 30 a week
IMPORT_GROUPS, IMPORT_HOURS = 200, 25


def _student_week(p, *, student, offset: int, doubled: bool):
    """Groups with 30 hours a week for `student` (60 when `doubled`: every hour also in a second group)."""
    from inzage.schools.models import Subject
    from inzage.testing import factories as f
    from inzage.timetable.models import PatternEntry, Room

    slots = [(day, n) for day in range(1, 6) for n in range(1, 9)]
    entries = []
    i = 0
    for copy in range(2 if doubled else 1):
        for code, hours in zip(SUBJECTS, HOURS, strict=True):
            subject, _ = Subject.objects.get_or_create(school=p.school, code=code, defaults={"name": code})
            teacher = f.StaffFactory(school=p.school, code=f"T{offset}{copy}{code}"[:12])
            room = Room.objects.create(school=p.school, code=f"R{offset}{copy}{code}"[:16])
            group = f.TeachingGroupFactory(
                school_year=p.year, subject=subject, name=f"b{offset}{copy}-{code}", year_group=p.klas.year_group
            )
            group.teachers.add(teacher)
            group.students.add(student)
            for _ in range(hours):
                day, n = slots[i % len(slots)]
                i += 1
                entries.append(
                    PatternEntry(
                        school=p.school,
                        school_year=p.year,
                        group=group,
                        weekday=day,
                        slot_number=n,
                        teacher=teacher,
                        room=room,
                        valid_from=p.year.start,
                        valid_until=p.year.end,
                    )
                )
    PatternEntry.objects.bulk_create(entries)


def _week_extras(p, *, student, at):
    """Homework at a third of the week's lessons, two cancellations."""
    from inzage.timetable import actions
    from inzage.timetable.models import Lesson

    lessons = list(
        Lesson.objects.filter(group__students=student, date__range=(MONDAY, MONDAY + dt.timedelta(days=4)))
        .select_related("group")
        .order_by("starts_at")
    )
    for lesson in lessons[::3]:
        actions.homework_add(
            group=lesson.group,
            kind="homework",
            text="Maak opgave 1 t/m 12 van paragraaf 3.2.\nZie https://example.org/uitleg",
            due_date=lesson.date,
            lesson=lesson,
            by=lesson.teacher,
            at=at,
        )
    for lesson in lessons[1:3]:
        actions.lesson_cancel(lesson=lesson, reason="Docent ziek", by=None, at=at)
    return len(lessons)


def _median_ms(call, n: int) -> tuple[float, float]:
    """(median wall ms, median CPU ms of this process) over n calls."""
    wall, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _week(client, student) -> tuple[tuple[float, float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from inzage.testing.queries import page_queries

    url = reverse("timetable:week", args=[student.pk, MONDAY])
    first = client.get(url)
    if first.status_code != 200:
        raise RuntimeError(f"{url} answered {first.status_code}")
    lessons = first.content.decode().count('class="tt-lesson')
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(page_queries(captured.captured_queries))  # now: every request empties Django's query log
    return _median_ms(lambda: client.get(url), REQUESTS), queries, lessons


def _import_text() -> str:
    slots = [(day, n) for day in ("ma", "di", "wo", "do", "vr") for n in range(1, 9)]
    lines = ["klas/groep;dag;lesuur;vak;docentcode;lokaal;week;geldig vanaf;geldig tot"]
    for g in range(IMPORT_GROUPS):
        for k in range(IMPORT_HOURS):
            day, n = slots[k]
            lines.append(f"imp{g:03d};{day};{n};wi;I{g:03d};L{g:03d};;;")
    return "\n".join(lines) + "\n"


def run() -> list[tuple[str, float, str]]:
    os.environ["INZAGE_NOW"] = NOW
    from django.conf import settings
    from django.test import Client

    from inzage.schools.models import Subject
    from inzage.testing import factories as f
    from inzage.testing.personas import build_personas
    from inzage.testing.timetable import standard_slots
    from inzage.timetable import actions
    from inzage.timetable.imports import pattern_check
    from inzage.timetable.models import Lesson, Room

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # One account asking for the same page many times a second is what the scraping detector is for: not measured.
    settings.SCRAPING = {"enabled": False}
    at = dt.datetime.fromisoformat(NOW)
    p = build_personas()
    standard_slots(p.year)
    doubled = f.StudentFactory(school=p.school, first_name="Dubbel", last_name="Rooster")
    f.ClassMembershipFactory(school_class=p.klas, student=doubled)
    _student_week(p, student=p.student, offset=1, doubled=False)
    _student_week(p, student=doubled, offset=2, doubled=True)
    actions.lessons_sync(school_year=p.year, at=dt.datetime(2025, 8, 1, tzinfo=AMS))
    normal = _week_extras(p, student=p.student, at=at)
    double = _week_extras(p, student=doubled, at=at)
    assert double == 2 * normal == 60, (normal, double)

    client = Client()
    client.force_login(p.student.user)
    week_ms, queries, shown = _week(client, p.student)
    other = Client()
    other.force_login(doubled.user)
    _times, queries_double, shown_double = _week(other, doubled)
    if not queries or shown_double <= shown:
        raise RuntimeError(f"the doubled week shows no more lessons: {shown} vs {shown_double}")
    if queries != queries_double:
        raise RuntimeError(f"week view queries grow with the lessons: {queries} vs {queries_double}")

    token = actions.feed_token_renew(user=p.student.user, at=at)
    feed_url = f"/rooster/agenda/{token}.ics"
    feed = Client()
    body = feed.get(feed_url).content
    events = body.count(b"BEGIN:VEVENT")
    feed_ms = _median_ms(lambda: feed.get(feed_url), FEED_REQUESTS)
    from django.core.cache import caches

    def cold() -> None:
        caches["default"].clear()  # the serialised feed is cached under its content's digest: build it again
        feed.get(feed_url)

    feed_cold_ms = _median_ms(cold, FEED_REQUESTS)

    # The import: its own 200 groups, teachers and rooms in the same school year.
    subject = Subject.objects.get(school=p.school, code="wi")
    teachers = [f.StaffFactory(school=p.school, code=f"I{g:03d}") for g in range(IMPORT_GROUPS)]
    Room.objects.bulk_create(Room(school=p.school, code=f"L{g:03d}") for g in range(IMPORT_GROUPS))
    for g, teacher in enumerate(teachers):
        group = f.TeachingGroupFactory(
            school_year=p.year, subject=subject, name=f"imp{g:03d}", year_group=p.klas.year_group
        )
        group.teachers.add(teacher)
    text = _import_text()
    t0 = time.perf_counter()
    check = pattern_check(school_year=p.year, text=text, today=at.date())
    check_s = time.perf_counter() - t0
    if not check.ok:
        raise RuntimeError(f"the bench's import has errors: {check.errors[:3]}")
    before = Lesson.objects.count()
    result = actions.pattern_import_apply(school_year=p.year, check=check, by=p.user("admin"), at=at, filename="x")
    total_s = time.perf_counter() - t0
    made = Lesson.objects.count() - before
    assert result.entries == IMPORT_GROUPS * IMPORT_HOURS and made == result.sync.created
    return [
        ("timetable.week_view_ms", week_ms[0], "ms"),
        ("timetable.week_view_cpu_ms", week_ms[1], "ms"),
        ("timetable.week_view_queries", float(queries), "queries"),
        ("timetable.week_view_queries_double", float(queries_double), "queries"),
        ("timetable.feed_year_ms", feed_ms[0], "ms"),
        ("timetable.feed_year_cpu_ms", feed_ms[1], "ms"),
        ("timetable.feed_year_cold_ms", feed_cold_ms[0], "ms"),
        ("timetable.feed_year_cold_cpu_ms", feed_cold_ms[1], "ms"),
        ("timetable.feed_year_events", float(events), "events"),
        ("timetable.import_lines_per_s", result.entries / total_s, "lines/s"),
        ("timetable.import_check_lines_per_s", result.entries / check_s, "lines/s"),
        ("timetable.import_lessons_made", float(made), "lessons"),
    ]
