"""Publishing through the page: the mentor's remarks, the frozen version, corrections that say what changed,
refusals that keep what was typed, constant queries, and the PDF's text, tags and pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inzage.grades.models import PeriodReport, PeriodReportStudent
from inzage.reports import absence as absence_module
from inzage.reports.tests.pdftext import pdf_facts, pdf_png
from inzage.testing import factories as f
from inzage.visibility.versions import Scope, versions_read

pytestmark = pytest.mark.django_db


def publish_url(personas, period: int = 0) -> str:
    return reverse("reports:publish", args=[personas.klas.pk, personas.periods[period].pk])


def remark(personas) -> str:
    return f"remark-{personas.student.pk}"


def test_the_mentor_previews_writes_remarks_and_publishes(client, personas, grade) -> None:
    grade("6.0")
    grade("7.0")
    client.force_login(personas.user("mentor"))
    page = client.get(publish_url(personas)).content.decode()
    assert "Lotte Jansen" in page and "6,5" in page and "Rapport publiceren" in page
    assert "geen verzuimgegevens" in page  # no attendance package yet: the report says nothing about absence
    before = versions_read([(Scope.STUDENT, personas.student.pk)])[(Scope.STUDENT, personas.student.pk)]
    response = client.post(publish_url(personas), {remark(personas): "Goed gewerkt,\r\nga zo door."})
    assert response.status_code == 302
    row = PeriodReportStudent.objects.get(student=personas.student)
    assert (row.version, row.grades, row.mentor_remark) == (
        1,
        {"wi": {"name": "wiskunde", "grade": "6.5"}},
        "Goed gewerkt,\nga zo door.",
    )
    assert row.absence is None and row.changes is None
    assert row.header["school"] == "Persona College" and row.header["student"] == "Lotte Jansen"
    assert row.header["mentors"] == "Mirjam Mentor" and row.header["class"] == "H3A"
    after = versions_read([(Scope.STUDENT, personas.student.pk)])[(Scope.STUDENT, personas.student.pk)]
    assert after == before + 1  # docs/caching.md: publication moves the student's counter
    page = client.get(publish_url(personas)).content.decode()
    assert "is gepubliceerd (versie 1)" in page and "Goed gewerkt," in page and "Correctie publiceren" in page


def test_the_report_shows_exactly_the_frozen_version(client, personas, grade, published) -> None:
    grade("4.0")  # a later grade: today's report grade would be 6,3
    client.force_login(personas.user("parent"))
    facts = pdf_facts(client.get(reverse("reports:pdf", args=[published.pk])).content)
    text = facts.pages[0]
    assert "7,5" in text and "6,3" not in text
    assert "Lotte Jansen" in text and "Persona College" in text and "Lotte werkt hard en helpt anderen." in text
    assert "Rapport Periode 1" in text and "Versie 1" in text


def test_a_correction_needs_a_reason_and_says_what_changed(client, personas, grade, published) -> None:
    grade("4.0")
    client.force_login(personas.user("mentor"))
    page = client.get(publish_url(personas)).content.decode()
    assert "wiskunde: 7,5 → 6,3" in page  # what publishing now would change
    typed = {remark(personas): "Nieuwe opmerking."}
    response = client.post(publish_url(personas), typed)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Geef een reden voor de correctie" in page and "Nieuwe opmerking." in page  # kept what was typed
    assert 'aria-invalid="true" aria-describedby="reason-error"' in page
    assert PeriodReport.objects.count() == 1
    response = client.post(publish_url(personas), {**typed, "reason": "Herkansing verwerkt."})
    assert response.status_code == 302
    rows = list(PeriodReportStudent.objects.filter(student=personas.student).order_by("version"))
    assert [r.version for r in rows] == [1, 2]  # nothing published is deleted
    assert rows[0].grades["wi"]["grade"] == "7.5" and rows[1].grades["wi"]["grade"] == "6.3"
    assert rows[1].changes == [
        {"what": "grade", "subject": "wiskunde", "old": "7.5", "new": "6.3"},
        {"what": "remark"},
    ]
    client.force_login(personas.user("parent"))
    page = client.get(reverse("reports:mine")).content.decode()
    assert reverse("reports:pdf", args=[rows[1].pk]) in page and "Eerdere versies" in page
    text = pdf_facts(client.get(reverse("reports:pdf", args=[rows[1].pk])).content).pages[0]
    assert "Versie 2" in text and "Herkansing verwerkt." in text and "wiskunde: 7,5 → 6,3" in text
    old = pdf_facts(client.get(reverse("reports:pdf", args=[rows[0].pk])).content).pages[0]
    assert "7,5" in old and "6,3" not in old


def test_a_correction_that_changes_nothing_is_refused(client, personas, published) -> None:
    client.force_login(personas.user("mentor"))
    data = {remark(personas): published.mentor_remark, "reason": "Nog eens."}
    response = client.post(publish_url(personas), data)
    assert response.status_code == 422
    assert "Er is niets veranderd sinds versie 1" in response.content.decode()
    assert PeriodReport.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [("x" * 2001, "Een opmerking is hoogstens 2000 tekens"), ("a\x00b", "De opmerking bevat een ongeldig teken.")],
)
def test_a_bad_remark_is_refused_next_to_its_field(client, personas, grade, text, message) -> None:
    grade("7.0")
    client.force_login(personas.user("mentor"))
    response = client.post(publish_url(personas), {remark(personas): text})
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page and f'aria-describedby="{remark(personas)}-error"' in page
    assert not PeriodReport.objects.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(
        st.sampled_from(["reason", "remark-1", "remark-999", "x", "remark-"]),
        st.text(max_size=400),
        max_size=4,
    )
)
def test_no_input_gives_a_500(client, personas, data) -> None:
    client.force_login(personas.user("admin"))
    data = {k.replace("remark-1", remark(personas)): v for k, v in data.items()}
    response = client.post(publish_url(personas), data)
    assert response.status_code in (302, 422)


def test_the_class_print_run_is_one_pdf_with_a_page_per_student(client, personas, grade) -> None:
    second = f.StudentFactory(school=personas.school, first_name="Noor", last_name="Aydin")
    f.ClassMembershipFactory(school_class=personas.klas, student=second)
    personas.group.students.add(second)
    grade("7.0")
    grade("5.0", student=second)
    client.force_login(personas.user("mentor"))
    assert client.post(publish_url(personas), {remark(personas): "Prima."}).status_code == 302
    response = client.get(reverse("reports:class_pdf", args=[personas.klas.pk, personas.periods[0].pk]))
    assert response.status_code == 200
    facts = pdf_facts(response.content)
    assert len(facts.pages) == 2
    assert "Noor Aydin" in facts.pages[0] and "5,0 (onvoldoende)" in facts.pages[0]  # by last name
    assert "Lotte Jansen" in facts.pages[1] and "7,0" in facts.pages[1] and "Prima." in facts.pages[1]
    assert all(abs(w - 595.3) < 1 and abs(h - 841.9) < 1 for w, h in facts.sizes)  # A4
    assert facts.tagged and facts.language == "nl" and "Rapporten Periode 1 H3A" in facts.title
    png = pdf_png(response.content, page=1)
    assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_absence_figures_come_from_the_attendance_extension_point(client, personas, grade, monkeypatch) -> None:
    grade("7.0")
    monkeypatch.setattr(
        absence_module,
        "period_absence",
        lambda *, student_ids, period: {sid: {"absent_lessons": 6, "unauthorised_lessons": 2} for sid in student_ids},
    )
    from inzage.reports import queries

    monkeypatch.setattr(queries, "period_absence", absence_module.period_absence)
    client.force_login(personas.user("mentor"))
    assert "Lessen afwezig: 6" in client.get(publish_url(personas)).content.decode()
    assert client.post(publish_url(personas), {remark(personas): ""}).status_code == 302
    row = PeriodReportStudent.objects.get(student=personas.student)
    assert row.absence == {"absent_lessons": 6, "unauthorised_lessons": 2}
    client.force_login(personas.user("parent"))
    text = pdf_facts(client.get(reverse("reports:pdf", args=[row.pk])).content).pages[0]
    assert "Verzuim in deze periode" in text and "Lessen afwezig 6" in text and "waarvan ongeoorloofd 2" in text


def test_without_an_attendance_package_there_are_no_figures(personas) -> None:
    assert absence_module.period_absence(student_ids=[personas.student.pk], period=personas.periods[0]) == {}


def _class_of(personas, n: int) -> None:
    for i in range(n):
        s = f.StudentFactory(school=personas.school, first_name=f"L{i}", last_name=f"Extra{i}")
        f.ClassMembershipFactory(school_class=personas.klas, student=s)


@pytest.mark.parametrize("url_name", ["publish", "class_pdf"])
def test_query_count_does_not_grow_with_the_class(client, personas, grade, django_assert_max_num_queries, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    grade("7.0")
    client.force_login(personas.user("mentor"))
    url = reverse(f"reports:{url_name}", args=[personas.klas.pk, personas.periods[0].pk])
    counts = []
    for extra in (2, 12):
        _class_of(personas, extra)
        client.post(publish_url(personas), {"reason": f"{extra} leerlingen erbij"})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_rapporten_query_count_does_not_grow_with_reports(client, personas, grade) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    grade("7.0")
    grade("6.0", period=personas.periods[1])
    client.force_login(personas.user("mentor"))
    counts = []
    client.force_login(personas.user("parent"))
    for period in (0, 1):
        client.force_login(personas.user("mentor"))
        client.post(publish_url(personas, period), {remark(personas): "Versie"})
        client.force_login(personas.user("parent"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:mine")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_classes_page_lists_the_status_per_period(client, personas, published) -> None:
    client.force_login(personas.user("admin"))
    page = client.get(reverse("reports:classes")).content.decode()
    assert "H3A" in page and "H3B" in page and "gepubliceerd, versie 1" in page
    assert client.get(reverse("reports:classes"), {"jaar": "abc"}).status_code == 200
    client.force_login(personas.user("mentor"))
    page = client.get(reverse("reports:classes")).content.decode()
    assert "H3A" in page and "H3B" not in page
