"""The period report's print run and one parent's PDF.

- reports.class_pdf_s: wall time of `/rapporten/klas/<class>/periode/<period>/rapporten.pdf` for the mentor, a
  class of 30 students with 15 subjects × 4 results each in the period and a mentor's remark per student (one PDF
  of 30 A4 pages), best of 3 runs, through `django.test.Client` (engine, queries, template and WeasyPrint).
  Budget: under 10 s on 2 cores.
- reports.class_pdf_cpu_s: the same request's CPU time in this process (what the wall time is on an idle core; the
  shared 2-core machine is often loaded several times over).
- reports.class_pdf_pages: its page count (30: one per student).
- reports.student_pdf_ms: a parent's PDF of one report (best of 5).
- reports.publish_s: publishing the class's report through the page (POST with 30 remarks), once.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")
CLASS_SIZE = 30
SUBJECTS = 15
RESULTS = 4
REMARK = (
    "{name} werkt geconcentreerd en helpt anderen in de klas. Let bij de volgende periode op het plannen van "
    "de toetsweek: begin op tijd en vraag hulp bij wiskunde als dat nodig is."
)


def _class_with_results(p, rng):
    from inzage.grades.models import AssessmentKind, Column, Result
    from inzage.testing import factories as f

    students = [p.student] + [
        f.StudentFactory(school=p.school, first_name=f"Leerling{i}", last_name=f"Klas{i:02d}")
        for i in range(CLASS_SIZE - 1)
    ]
    for s in students[1:]:
        f.ClassMembershipFactory(school_class=p.klas, student=s)
    kind, _ = AssessmentKind.objects.get_or_create(school=p.school, code="toets", defaults={"name": "toets"})
    period = p.periods[0]
    columns = []
    for n in range(SUBJECTS):
        subject = f.SubjectFactory(school=p.school, code=f"v{n}", name=f"vak {n}")
        group = f.TeachingGroupFactory(
            school_year=p.year, subject=subject, name=f"h3a-v{n}", year_group=p.klas.year_group
        )
        group.students.add(*students)
        for i in range(RESULTS):
            when = dt.datetime(2025, 9, 1 + 7 * i, 9, tzinfo=AMS)
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
                    weight=Decimal(rng.choice(["1", "2"])),
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
    return students


def run() -> list[tuple[str, float, str]]:
    import pypdfium2 as pdfium
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from inzage.grades.models import PeriodReportStudent
    from inzage.testing.personas import build_personas

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The mentor signs in with force_login, without a second factor (as in the test suite's conftest).
    settings.INZAGE_STAFF_MFA_REQUIRED = False
    # Five PDFs in a row is machine speed for the scraping detector; it would answer 429 (as in the test suite).
    settings.SCRAPING = {"enabled": False}
    p = build_personas()
    students = _class_with_results(p, random.Random(1))
    client = Client()
    client.force_login(p.user("mentor"))
    publish = reverse("reports:publish", args=[p.klas.pk, p.periods[0].pk])
    t0 = time.perf_counter()
    response = client.post(publish, {f"remark-{s.pk}": REMARK.format(name=s.first_name) for s in students})
    publish_s = time.perf_counter() - t0
    assert response.status_code == 302, response.status_code

    url = reverse("reports:class_pdf", args=[p.klas.pk, p.periods[0].pk])
    best, cpu, pages = float("inf"), float("inf"), 0
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
        assert response.status_code == 200, response.status_code
        pages = len(pdfium.PdfDocument(response.content))

    parent = Client()
    parent.force_login(p.user("parent"))
    row = PeriodReportStudent.objects.get(student=p.student)
    single = reverse("reports:pdf", args=[row.pk])
    one = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        response = parent.get(single)
        one = min(one, (time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    return [
        ("reports.class_pdf_s", best, "s"),
        ("reports.class_pdf_cpu_s", cpu, "s"),
        ("reports.class_pdf_pages", float(pages), "pages"),
        ("reports.student_pdf_ms", one, "ms"),
        ("reports.publish_s", publish_s, "s"),
    ]
