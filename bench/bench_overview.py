"""The mentor's one-page overview of a student (`/medewerker/leerling/<id>/`).

- portal.student_overview_ms: server time of the page (django.test.Client, request to response, best of 15 runs)
  for the student's mentor, with a year of data: 12 subjects × 25 results, grades spread over the year, a family
  with a parent without custody, an information request, an override, consents and care notes.
- portal.student_overview_queries: its query count; portal.student_overview_queries_small: the same page with one
  result per subject. The two must be equal (the count does not grow with the number of results).
- portal.mentor_class_ms / portal.mentor_class_queries: "Mijn klas" for a class of 30 with a year of data each.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")
SUBJECTS = 12
RESULTS_PER_SUBJECT = 25
CLASS_SIZE = 30
RUNS = 15


def _year_of_results(p, students, rng, per_subject: int) -> None:
    from inzage.grades.models import AssessmentKind, Column, Result
    from inzage.testing import factories as f

    kind, _ = AssessmentKind.objects.get_or_create(school=p.school, code="toets", defaults={"name": "toets"})
    start = dt.datetime(2025, 8, 25, 9, tzinfo=AMS)
    columns = []
    for s in range(SUBJECTS):
        subject = f.SubjectFactory(school=p.school, code=f"v{s}-{per_subject}", name=f"vak {s} ({per_subject})")
        group = f.TeachingGroupFactory(
            school_year=p.year, subject=subject, name=f"h3a-v{s}-{per_subject}", year_group=p.klas.year_group
        )
        group.students.add(*students)
        for i in range(per_subject):
            when = start + dt.timedelta(days=int(300 * i / per_subject))
            period = next((x for x in p.periods if x.start <= when.date() <= x.end), p.periods[-1])
            columns.append(
                Column(
                    school=p.school,
                    teaching_group=group,
                    subject=subject,
                    period=period,
                    kind=kind,
                    name=f"Toets {i + 1}",
                    code=f"T{i + 1}",
                    date=when.date(),
                    release_mode=Column.ReleaseMode.AT,
                    release_at=when,
                    weight=Decimal(rng.choice(["1", "1", "2"])),
                )
            )
    Column.objects.bulk_create(columns)
    Result.objects.bulk_create(
        [
            Result(
                school=p.school,
                column=c,
                student=s,
                value=Decimal(rng.randrange(30, 96)) / 10,
                entered_at=c.release_at,
                updated_at=c.release_at,
            )
            for c in columns
            for s in students
        ]
    )


def _measure(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best = float("inf")
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, response.status_code
        best = min(best, elapsed)
        queries = len(captured.captured_queries)
    return best, queries


def run() -> list[tuple[str, float, str]]:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from inzage.care.actions import care_note_create
    from inzage.testing import factories as f
    from inzage.testing.personas import add_role_personas, build_personas
    from inzage.visibility import actions as visibility_actions
    from inzage.visibility.models import Consent, InformationRequest

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The mentor signs in with force_login: the staff second factor (on outside tests) is not what is measured, and
    # one session asking for the page hundreds of times is what the scraping detector (kept on) would stop.
    settings.INZAGE_STAFF_MFA_REQUIRED = False
    settings.SCRAPING = {**settings.SCRAPING, "enabled": True, "factor": 1_000_000}
    rng = random.Random(1)
    p = build_personas()
    roles = add_role_personas(p)
    small = f.StudentFactory(school=p.school, first_name="Klein", last_name="Dossier")
    f.ClassMembershipFactory(school_class=p.klas, student=small)
    _year_of_results(p, [small], rng, per_subject=1)
    classmates = [p.student] + [
        f.StudentFactory(school=p.school, first_name=f"Leerling{i}", last_name="Klas") for i in range(CLASS_SIZE - 2)
    ]
    for s in classmates[1:]:
        f.ClassMembershipFactory(school_class=p.klas, student=s)
    _year_of_results(p, classmates, rng, per_subject=RESULTS_PER_SUBJECT)

    now = timezone.now()
    for s in (p.student, small):
        for i in range(10):
            care_note_create(
                student=s,
                written_on=dt.date(2025, 9, 1) + dt.timedelta(days=20 * i),
                text=f"gesprek {i}",
                audience="mentor" if i % 2 else "care_staff",
                by=roles.care_coordinator.user,
                at=now,
            )
        visibility_actions.override_create(
            student=s,
            guardian=None,
            effect="open",
            kinds=["grades"],
            starts_on=dt.date(2025, 9, 1),
            until=None,
            reason="afspraak",
            created_by=p.user("mentor"),
            at=now,
        )
        Consent.objects.create(
            school=p.school,
            student=s,
            guardian=p.parent,
            kind="grades",
            granted=True,
            recorded_at=now,
            recorded_by=p.user("student"),
        )
    InformationRequest.objects.create(
        school=p.school, relation=p.no_custody_relation, kinds=["grades"], requested_on=dt.date(2025, 10, 1)
    )

    client = Client()
    client.force_login(p.user("mentor"))
    big_ms, big_queries = _measure(client, reverse("staff:student", args=[p.student.pk]))
    _small_ms, small_queries = _measure(client, reverse("staff:student", args=[small.pk]))
    class_ms, class_queries = _measure(client, reverse("staff:my_class"))
    return [
        ("portal.student_overview_ms", big_ms, "ms"),
        ("portal.student_overview_queries", float(big_queries), "queries"),
        ("portal.student_overview_queries_small", float(small_queries), "queries"),
        ("portal.mentor_class_ms", class_ms, "ms"),
        ("portal.mentor_class_queries", float(class_queries), "queries"),
    ]
