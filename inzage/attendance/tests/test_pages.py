"""Attendance pages with every persona: who may open what (others 404), sick and better reports, leave, lesson
registration with constant queries, corrections with history, the mentor's and the attendance officer's pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inzage.attendance import actions
from inzage.attendance.models import (
    DuoReport,
    LeaveRequest,
    Measure,
    Registration,
    RegistrationVersion,
    SickReport,
    Status,
)
from inzage.attendance.tests.conftest import ALL_PERSONAS, NOW, TZ
from inzage.schools.calendar import SchoolCalendar
from inzage.testing import factories as f
from inzage.timetable.models import Lesson

pytestmark = pytest.mark.django_db

STUDENT_PAGE = {
    "student": 200,
    "parent": 200,
    "parent_without_custody": 200,  # a relation exists: the page explains what this parent cannot do
    "mentor": 200,
    "admin": 200,
    "coordinator": 200,
    "care_coordinator": 200,
    "attendance_officer": 200,
}


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_student_page_personas(client, personas, roles, user_of, now, timetable, name) -> None:
    client.force_login(user_of(name))
    response = client.get(reverse("attendance:student", args=[personas.student.pk]))
    assert response.status_code == STUDENT_PAGE.get(name, 404)


def test_unknown_student_is_404(client, personas, now) -> None:
    client.force_login(personas.user("parent"))
    assert client.get(reverse("attendance:student", args=[999999])).status_code == 404


def register(lesson: Lesson, user, **statuses: str) -> None:
    entries = {int(k.split("_")[1]): actions.Entry(status=v) for k, v in statuses.items()}
    actions.lesson_register(
        lesson=lesson, entries=entries, user_id=user.pk, at=NOW, calendar=SchoolCalendar.load(lesson.school_id)
    )


def test_parent_reports_sick_and_absent_shows_as_ziek_gemeld(client, personas, now, lesson) -> None:
    register(lesson, personas.user("teacher"), **{f"s_{personas.student.pk}": Status.ABSENT})
    client.force_login(personas.user("parent"))
    page = reverse("attendance:student", args=[personas.student.pk])
    assert "nog niet verklaard" in client.get(page).content.decode()
    response = client.post(reverse("attendance:sick_report", args=[personas.student.pk]), {"lesson": str(lesson.pk)})
    assert response.status_code == 302
    report = SickReport.objects.get(student=personas.student)
    assert report.starts_at == lesson.starts_at and not report.late and report.reported_by_kind == "guardian"
    html = client.get(page).content.decode()
    assert "ziek gemeld" in html and "ongeoorloofd" not in html and "nog niet verklaard" not in html
    # The teacher's lesson page shows the same.
    client.force_login(personas.user("teacher"))
    assert "ziek gemeld" in client.get(reverse("attendance:lesson", args=[lesson.pk])).content.decode()
    # Better.
    client.force_login(personas.user("parent"))
    assert client.post(reverse("attendance:better_report", args=[personas.student.pk])).status_code == 302
    report.refresh_from_db()
    assert report.ends_at == NOW and report.ended_by == personas.user("parent")


def test_sick_lesson_is_never_unauthorised_even_after_the_deadline(client, personas, now, lesson) -> None:
    register(lesson, personas.user("teacher"), **{f"s_{personas.student.pk}": Status.ABSENT})
    SickReport.objects.create(
        school=personas.school,
        student=personas.student,
        reported_by=personas.user("parent"),
        reported_by_kind="guardian",
        reported_at=NOW,
        starts_at=lesson.starts_at,
    )
    import inzage.clock

    later = NOW + dt.timedelta(days=14)
    inzage.clock.now = lambda: later  # type: ignore[assignment]  # the fixture's monkeypatch restores it
    client.force_login(personas.user("parent"))
    html = client.get(reverse("attendance:student", args=[personas.student.pk])).content.decode()
    assert "ziek gemeld" in html and "ongeoorloofd" not in html


def test_parent_without_custody_gets_a_clear_refusal(client, personas, now, timetable) -> None:
    client.force_login(personas.user("parent_without_custody"))
    response = client.post(reverse("attendance:sick_report", args=[personas.student.pk]), {"lesson": ""})
    assert response.status_code == 403
    assert "ouder met gezag" in response.content.decode()
    assert not SickReport.objects.exists()


def test_a_minor_student_cannot_report_themself(client, personas, now, timetable) -> None:
    client.force_login(personas.user("student"))
    response = client.post(reverse("attendance:sick_report", args=[personas.student.pk]), {"lesson": ""})
    assert response.status_code == 403 and "Je kunt jezelf niet ziek melden" in response.content.decode()


def test_other_parent_cannot_post(client, personas, now, timetable) -> None:
    client.force_login(personas.user("other_parent"))
    for name in ("attendance:sick_report", "attendance:better_report", "attendance:leave_request"):
        assert client.post(reverse(name, args=[personas.student.pk]), {}).status_code == 404


def test_late_sick_report_is_marked_late(client, personas, now, timetable) -> None:
    p = personas
    actions.sick_report_create(
        student=p.student,
        user_id=p.user("parent").pk,
        by="guardian",
        starts_at=NOW - dt.timedelta(days=7),
        at=NOW,
        calendar=SchoolCalendar.load(p.school),
    )
    assert SickReport.objects.get().late


def test_leave_request_checked_and_explained(client, personas, now, timetable) -> None:
    client.force_login(personas.user("parent"))
    url = reverse("attendance:leave_request", args=[personas.student.pk])
    bad = {"kind": "holiday", "start": "2026-03-02", "end": "2026-03-16", "explanation": "werk van vader"}
    response = client.post(url, bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert "ten hoogste 10 schooldagen" in html and 'value="2026-03-16"' in html and "werk van vader" in html
    assert not LeaveRequest.objects.exists()
    ok = {"kind": "holiday", "start": "2026-03-02", "end": "2026-03-13", "explanation": ""}
    assert client.post(url, ok).status_code == 302
    again = client.post(url, {"kind": "holiday", "start": "2026-06-01", "end": "2026-06-02"})
    assert "één keer per schooljaar" in again.content.decode()
    garbage = client.post(url, {"kind": "x", "start": "31-02-2026", "end": ""})
    assert garbage.status_code == 400 and "31-02-2026" in garbage.content.decode()


def test_leave_decision_by_the_officer(client, personas, roles, user_of, now, timetable) -> None:
    leave = actions.leave_request_create(
        student=personas.student,
        user_id=personas.user("parent").pk,
        kind="important",
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 3),
        explanation="",
        school_days=2,
        at=NOW,
    )
    url = reverse("attendance:leave_decide", args=[leave.pk])
    client.force_login(personas.user("parent"))
    assert client.get(url).status_code == 404
    client.force_login(user_of("attendance_officer"))
    missing = client.post(url, {"state": "refused", "reason": ""})
    assert missing.status_code == 400 and "Geef een motivering" in missing.content.decode()
    assert client.post(url, {"state": "approved", "reason": "bruiloft"}).status_code == 302
    leave.refresh_from_db()
    assert leave.state == "approved" and leave.decision_reason == "bruiloft"


LESSON_PAGE = {"teacher": 200, "attendance_officer": 200}


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_lesson_page_personas(client, personas, roles, user_of, now, lesson, name) -> None:
    client.force_login(user_of(name))
    assert client.get(reverse("attendance:lesson", args=[lesson.pk])).status_code == LESSON_PAGE.get(name, 404)


def test_lesson_saved_in_one_request_with_measures_and_history(client, personas, now, lesson) -> None:
    actions.attendance_defaults_ensure(school=personas.school)
    client.force_login(personas.user("teacher"))
    sid = personas.student.pk
    url = reverse("attendance:lesson", args=[lesson.pk])
    assert client.post(url, {f"status-{sid}": "late", f"late-{sid}": "10"}).status_code == 302
    reg = Registration.objects.get(lesson=lesson, student_id=sid)
    assert (reg.status, reg.late_minutes, reg.version) == ("late", 10, 1)
    assert Measure.objects.get(registration=reg).due_at.astimezone(TZ).date() == dt.date(2025, 10, 7)
    # Back to present: the row stays with its history.
    assert client.post(url, {f"status-{sid}": "present"}).status_code == 302
    reg.refresh_from_db()
    assert reg.status == "present" and RegistrationVersion.objects.filter(registration=reg).count() == 2


def test_lesson_bad_input_keeps_what_was_typed(client, personas, now, lesson) -> None:
    client.force_login(personas.user("teacher"))
    sid = personas.student.pk
    url = reverse("attendance:lesson", args=[lesson.pk])
    response = client.post(url, {f"status-{sid}": "late", f"late-{sid}": "abc"})
    assert response.status_code == 400 and 'value="abc"' in response.content.decode()
    response = client.post(url, {f"status-{sid}": "removed", f"note-{sid}": ""})
    assert "waarom de leerling is uitgestuurd" in response.content.decode()
    response = client.post(url, {f"status-{sid}": "<script>"})
    assert response.status_code == 400
    assert not Registration.objects.exists()


def _lesson_with_students(personas, n: int) -> Lesson:
    group = f.TeachingGroupFactory(school_year=personas.year, subject=personas.subject)
    group.teachers.add(personas.teacher)
    for _ in range(n):
        group.students.add(f.StudentFactory(school=personas.school))
    start = dt.datetime(2025, 10, 6, 8, 30, tzinfo=TZ)
    return Lesson.objects.create(
        school=personas.school,
        school_year=personas.year,
        group=group,
        kind=Lesson.Kind.EXTRA,
        date=start.date(),
        slot_number=1,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=50),
        planned_teacher=personas.teacher,
        teacher=personas.teacher,
        recorded_at=start,
    )


def _save_queries(client, lesson: Lesson) -> int:
    students = list(lesson.group.students.all())
    data = {f"status-{s.pk}": ("absent" if i % 3 == 0 else "present") for i, s in enumerate(students)}
    data |= {f"status-{s.pk}": "late" for s in students[1::5]} | {f"late-{s.pk}": "5" for s in students[1::5]}
    with CaptureQueriesContext(connection) as queries:
        assert client.post(reverse("attendance:lesson", args=[lesson.pk]), data).status_code == 302
    return len(queries)


def test_saving_a_lesson_takes_constant_queries(client, personas, now) -> None:
    actions.attendance_defaults_ensure(school=personas.school)
    warm, small, large = (_lesson_with_students(personas, n) for n in (3, 3, 30))
    client.force_login(personas.user("teacher"))
    _save_queries(client, warm)  # the session and the caches
    first_small, first_large = _save_queries(client, small), _save_queries(client, large)
    assert first_small == first_large
    # Saving again with changes (updates and new versions) is constant too.
    for lesson in (small, large):
        Registration.objects.filter(lesson=lesson).update(status=Status.REMOVED, note="x")
    assert _save_queries(client, small) == _save_queries(client, large)


def test_correction_keeps_history_and_needs_a_reason(client, personas, roles, user_of, now, lesson) -> None:
    actions.attendance_defaults_ensure(school=personas.school)
    register(lesson, personas.user("teacher"), **{f"s_{personas.student.pk}": Status.ABSENT})
    reg = Registration.objects.get()
    url = reverse("attendance:registration", args=[reg.pk])
    client.force_login(personas.user("parent"))
    assert client.get(url).status_code == 404
    client.force_login(user_of("other_teacher"))
    assert client.get(url).status_code == 404
    client.force_login(user_of("attendance_officer"))
    from inzage.attendance.models import ReasonCode

    medical = ReasonCode.objects.get(school=personas.school, code="medisch")
    response = client.post(url, {"status": "absent", "reason": str(medical.pk), "why": ""})
    assert response.status_code == 400 and "Geef aan waarom" in response.content.decode()
    assert (
        client.post(url, {"status": "absent", "reason": str(medical.pk), "why": "briefje tandarts"}).status_code == 302
    )
    reg.refresh_from_db()
    assert reg.reason == medical and reg.version == 2
    assert list(reg.versions.order_by("version").values_list("why", flat=True)) == ["", "briefje tandarts"]


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_officer_and_mentor_pages_personas(client, personas, roles, user_of, now, timetable, name) -> None:
    client.force_login(user_of(name))
    assert client.get(reverse("attendance:officer")).status_code == (200 if name == "attendance_officer" else 404)
    assert client.get(reverse("attendance:mentor")).status_code == (
        200 if name in ("mentor", "other_teacher") else 404  # other_teacher mentors the other class
    )
    assert client.post(reverse("attendance:officer_scan")).status_code == (302 if name == "attendance_officer" else 404)


def _absent_hours(personas, hours: int) -> None:
    """`hours` lessons of 60 minutes of unexplained absence in week 39, past the deadline for explaining."""
    group = personas.group
    for i in range(hours):
        day = dt.date(2025, 9, 22) + dt.timedelta(days=i % 5)
        start = dt.datetime.combine(day, dt.time(8 + i // 5), tzinfo=TZ)
        lesson = Lesson.objects.create(
            school=personas.school,
            school_year=personas.year,
            group=group,
            kind=Lesson.Kind.EXTRA,
            date=day,
            slot_number=1,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=60),
            planned_teacher=personas.teacher,
            teacher=personas.teacher,
            recorded_at=start,
        )
        register(lesson, personas.user("teacher"), **{f"s_{personas.student.pk}": Status.ABSENT})


def test_scan_report_export_and_status_history(client, personas, roles, user_of, now, timetable) -> None:
    _absent_hours(personas, 16)
    client.force_login(user_of("attendance_officer"))
    client.post(reverse("attendance:officer_scan"))
    client.post(reverse("attendance:officer_scan"))  # idempotent: counted only after the report
    report = DuoReport.objects.get()
    assert (report.student, report.minutes, report.state) == (personas.student, 960, "new")
    page = client.get(reverse("attendance:officer")).content.decode()
    assert personas.student.full_name in page
    csv_text = client.get(reverse("attendance:duo_report_csv", args=[report.pk])).content.decode()
    header, row = csv_text.strip().splitlines()
    assert "Leerlingnummer (PGN)" in header and "Actie van de gemeente gewenst" in header
    assert personas.student.student_number in row and "16:00" in row
    url = reverse("attendance:duo_report", args=[report.pk])
    assert client.post(url, {"state": "bogus"}).status_code == 400
    assert client.post(url, {"state": "registered", "note": "gemeld bij DUO"}).status_code == 302
    assert list(report.changes.order_by("changed_at", "pk").values_list("state", flat=True)) == ["new", "registered"]
    client.force_login(personas.user("parent"))
    assert client.get(url).status_code == 404


def test_fifteen_hours_make_no_report_but_the_mentor_sees_the_approach(client, personas, now, timetable) -> None:
    _absent_hours(personas, 15)
    from inzage.attendance.queries import duo_signals

    assert (
        duo_signals(school_id=personas.school.pk, at=NOW, calendar=SchoolCalendar.load(personas.school)).signals == []
    )
    client.force_login(personas.user("mentor"))
    assert "Nadert de DUO-grens" in client.get(reverse("attendance:mentor")).content.decode()


def test_unregistered_lesson_is_flagged_on_the_teachers_start_page(client, personas, now, lesson) -> None:
    client.force_login(personas.user("teacher"))
    home = client.get(reverse("web:home")).content.decode()
    assert "(2 lessen nog niet geregistreerd)" in home  # last Friday and this Monday (Wednesday: A-weeks only)
    link = reverse("attendance:lesson", args=[lesson.pk])
    assert link in client.get(reverse("attendance:lessons")).content.decode()
    assert client.post(link, {}).status_code == 302  # everyone present
    assert "(1 les nog niet geregistreerd)" in client.get(reverse("web:home")).content.decode()
    missing = client.get(reverse("attendance:lessons")).content.decode().split('data-testid="missing"')[1]
    assert link not in missing.split("</ul>")[0]


def test_new_sick_report_on_the_mentors_and_officers_start_page(client, personas, roles, user_of, now, timetable):
    client.force_login(personas.user("parent"))
    client.post(reverse("attendance:sick_report", args=[personas.student.pk]), {"lesson": ""})
    for name in ("mentor", "attendance_officer"):
        client.force_login(user_of(name))
        assert "(1 nieuwe ziekmeldingen)" in client.get(reverse("web:home")).content.decode(), name
    client.force_login(user_of("mentor"))
    assert personas.student.full_name in client.get(reverse("attendance:mentor")).content.decode()
