"""Every attendance URL with every persona (outsiders get 404; who may write does, others get a clear refusal), and
hostile input on every form: reversed and impossible dates, huge and hostile text, ids out of range. No 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inzage.attendance import actions
from inzage.attendance.models import DuoReport, LeaveRequest, Registration, SickReport, Status
from inzage.attendance.tests.conftest import ALL_PERSONAS, NOW
from inzage.attendance.tests.test_pages import register

pytestmark = pytest.mark.django_db

CUSTODIAL = ("parent",)
STUDENT_READERS = {"student", "parent", "parent_without_custody", "mentor", "admin", "coordinator"}
STUDENT_READERS |= {"care_coordinator", "attendance_officer"}
SICK_REPORTERS = {"parent", "mentor", "admin", "coordinator", "care_coordinator", "attendance_officer"}


@pytest.fixture
def world(personas, roles, now, lesson):
    actions.attendance_defaults_ensure(school=personas.school)
    register(lesson, personas.user("teacher"), **{f"s_{personas.student.pk}": Status.ABSENT})
    leave = actions.leave_request_create(
        student=personas.student, user_id=personas.user("parent").pk, kind="important", start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 3), explanation="", school_days=2, at=NOW,
    )  # fmt: skip
    report = DuoReport.objects.create(
        school=personas.school, student=personas.student, kind="threshold", start=dt.date(2025, 9, 22),
        end=dt.date(2025, 9, 26), counted_until=NOW, minutes=960, signalled_at=NOW, due_on=dt.date(2025, 10, 13),
    )  # fmt: skip
    return {"lesson": lesson, "reg": Registration.objects.get(), "leave": leave, "report": report}


def _get_status(name: str) -> dict[str, int]:
    return {
        "student": 200 if name in STUDENT_READERS else 404,
        "lessons": 200 if name not in ("student", "parent", "other_parent", "parent_without_custody") else 404,
        "lesson": 200 if name in ("teacher", "attendance_officer") else 404,
        "registration": 200 if name in STUDENT_READERS - {"student", "parent", "parent_without_custody"} else 404,
        "mentor": 200 if name in ("mentor", "other_teacher") else 404,
        "officer": 200 if name == "attendance_officer" else 404,
        "leave_decide": 200 if name in ("attendance_officer", "admin") else 404,
        "duo_report": 200 if name == "attendance_officer" else 404,
        "duo_report_csv": 200 if name == "attendance_officer" else 404,
    }


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_every_page_with_every_persona(client, personas, user_of, world, name) -> None:
    client.force_login(user_of(name))
    sid = personas.student.pk
    urls = {
        "student": reverse("attendance:student", args=[sid]),
        "lessons": reverse("attendance:lessons"),
        "lesson": reverse("attendance:lesson", args=[world["lesson"].pk]),
        "registration": reverse("attendance:registration", args=[world["reg"].pk]),
        "mentor": reverse("attendance:mentor"),
        "officer": reverse("attendance:officer"),
        "leave_decide": reverse("attendance:leave_decide", args=[world["leave"].pk]),
        "duo_report": reverse("attendance:duo_report", args=[world["report"].pk]),
        "duo_report_csv": reverse("attendance:duo_report_csv", args=[world["report"].pk]),
    }
    expected = _get_status(name)
    got = {key: client.get(url).status_code for key, url in urls.items()}
    assert got == expected


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_reporting_sick_with_every_persona(client, personas, user_of, world, name) -> None:
    client.force_login(user_of(name))
    response = client.post(reverse("attendance:sick_report", args=[personas.student.pk]), {"lesson": ""})
    if name in SICK_REPORTERS:
        assert response.status_code == 302 and SickReport.objects.count() == 1
        assert client.post(reverse("attendance:better_report", args=[personas.student.pk])).status_code == 302
        assert SickReport.objects.get().ends_at == NOW
    elif name in STUDENT_READERS:  # the student (under 18) and the parent without custody: a clear refusal
        assert response.status_code == 403 and not SickReport.objects.exists()
        html = response.content.decode()
        assert ("ouder met gezag" in html) and 'role="alert"' in html
    else:
        assert response.status_code == 404 and not SickReport.objects.exists()


def test_the_parent_without_custody_is_told_why_on_every_write(client, personas, world) -> None:
    client.force_login(personas.user("parent_without_custody"))
    sid = personas.student.pk
    page = client.get(reverse("attendance:student", args=[sid])).content.decode()
    assert (
        "U kunt deze leerling niet ziek melden" in page and "Verlof wordt aangevraagd door een ouder met gezag" in page
    )
    better = client.post(reverse("attendance:better_report", args=[sid]))
    assert better.status_code == 400 and "U kunt deze leerling niet ziek melden" in better.content.decode()
    typed = {"kind": "important", "start": "2026-03-09", "end": "2026-03-10", "explanation": "bruiloft oom"}
    leave = client.post(reverse("attendance:leave_request", args=[sid]), typed)
    assert leave.status_code == 403 and "bruiloft oom" in leave.content.decode()  # kept what was typed
    assert LeaveRequest.objects.count() == 1  # only the fixture's


HUGE = "x" * 100_000
HOSTILE = ["<script>alert(1)</script>", "'; DROP TABLE x; --", "\x00nul", "9" * 40, "-1", "1e9", "٣", HUGE]


def test_no_input_gives_a_500(client, personas, user_of, world) -> None:
    sid = personas.student.pk
    client.force_login(personas.user("parent"))
    leave_url = reverse("attendance:leave_request", args=[sid])
    reversed_dates = client.post(leave_url, {"kind": "holiday", "start": "2026-03-13", "end": "2026-03-02"})
    assert reversed_dates.status_code == 400 and "vóór de begindatum" in reversed_dates.content.decode()
    for value in [*HOSTILE, "31-02-2026", "2026-13-01", "0001-01-01", "9999-12-31", "²"]:
        for data in (
            {"kind": value, "start": value, "end": value, "explanation": value},
            {"kind": "holiday", "start": "2026-03-02", "end": value, "explanation": HUGE},
            {"kind": "important", "start": "0001-01-01", "end": "9999-12-31"},
        ):
            assert client.post(leave_url, data).status_code in (302, 400), (value, data)
        assert client.post(reverse("attendance:sick_report", args=[sid]), {"lesson": value}).status_code < 500
    assert client.get(reverse("attendance:student", args=[10**30])).status_code == 404

    client.force_login(personas.user("teacher"))
    lesson_url = reverse("attendance:lesson", args=[world["lesson"].pk])
    for value in HOSTILE:
        data = {f"status-{sid}": value, f"late-{sid}": value, f"note-{sid}": value}
        assert client.post(lesson_url, data).status_code == 400, value
        data = {f"status-{sid}": "late", f"late-{sid}": value}
        assert client.post(lesson_url, data).status_code == 400, value
        assert client.post(lesson_url, {f"status-{sid}": "removed", f"note-{sid}": value}).status_code in (302, 400)
    assert client.get(reverse("attendance:lesson", args=[10**30])).status_code == 404
    assert not any("\x00" in r.note for r in Registration.objects.all())  # (SQLite's LIKE stops at a NUL)

    client.force_login(user_of("admin"))  # the teacher's last save made it a removal: behaviour, not for the officer
    reg_url = reverse("attendance:registration", args=[world["reg"].pk])
    for value in HOSTILE:
        data = {"status": value, "late": value, "reason": value, "why": value}
        assert client.post(reg_url, data).status_code in (302, 400), value
    client.force_login(user_of("attendance_officer"))
    for value in HOSTILE:
        assert client.get(reverse("attendance:officer"), {"status": value, "klas": value}).status_code == 200
        decide = reverse("attendance:leave_decide", args=[world["leave"].pk])
        assert client.post(decide, {"state": value, "reason": value}).status_code in (302, 400), value
        duo = reverse("attendance:duo_report", args=[world["report"].pk])
        assert client.post(duo, {"state": value, "note": value}).status_code in (302, 400), value
    for name in ("registration", "leave_decide", "duo_report", "duo_report_csv"):
        assert client.get(reverse(f"attendance:{name}", args=[10**30])).status_code == 404, name
