"""Staff need a second factor (INZAGE_STAFF_MFA_REQUIRED, on outside the test suite) and get short sessions."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from inzage.accounts.staff_sessions import SESSION_SIGNED_IN_AT
from inzage.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STAFF_PERSONAS = ("mentor", "teacher", "other_teacher", "admin")


@pytest.fixture(autouse=True)
def _mfa_on(settings):
    settings.INZAGE_STAFF_MFA_REQUIRED = True


def _student_data_urls(personas) -> list[str]:
    sid = personas.student.pk
    return [
        reverse("portal:grades", kwargs={"student_id": sid}),
        reverse("staff:student", kwargs={"student_id": sid}),
        reverse("staff:my_class"),
        reverse("staff:search"),
        reverse("teacher:home"),
        reverse("teacher:group", kwargs={"group_id": personas.group.pk}),
        reverse("care:student", kwargs={"student_id": sid}),
        reverse("visibility:overrides", kwargs={"student_id": sid}),
        "/beheer/people/student/",
    ]


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_staff_without_a_second_factor_cannot_reach_student_data(personas, persona):
    client = Client()
    client.force_login(personas.user(persona))
    for url in _student_data_urls(personas):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("accounts:second_factor_required"), url
        assert client.post(url, {}).status_code == 403, url
    page = client.get(reverse("accounts:second_factor_required"))
    assert page.status_code == 200
    assert reverse("mfa_index") in page.content.decode()


def test_students_and_parents_are_not_asked_for_a_second_factor(personas):
    for persona in ("student", "parent"):
        client = Client()
        client.force_login(personas.user(persona))
        response = client.get(reverse("portal:grades", kwargs={"student_id": personas.student.pk}))
        assert response.status_code == 200, persona


def _sign_in_with_totp(client: Client, username: str, secret: str) -> None:
    response = client.post("/accounts/login/", {"login": username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone does not sign a staff member with TOTP in
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302, response.content.decode()[:500]


def test_the_mentor_with_totp_signs_in_in_two_steps_and_reaches_the_student(personas):
    mentor = personas.user("mentor")
    TOTP.activate(mentor, SECRET)
    client = Client()
    _sign_in_with_totp(client, mentor.username, SECRET)
    response = client.get(reverse("staff:student", kwargs={"student_id": personas.student.pk}))
    assert response.status_code == 200


def test_a_staff_member_with_totp_signed_in_another_way_must_confirm_it(personas):
    mentor = personas.user("mentor")
    TOTP.activate(mentor, SECRET)
    client = Client()
    client.force_login(mentor)  # a session that never used the second factor (e.g. an old session)
    page = client.get(reverse("accounts:second_factor_required")).content.decode()
    assert reverse("mfa_reauthenticate") in page


def test_a_staff_session_ends_after_a_school_day(personas, settings):
    settings.INZAGE_STAFF_SESSION_SECONDS = 3600
    settings.INZAGE_STAFF_MFA_REQUIRED = False
    client = Client()
    client.force_login(personas.user("mentor"))
    assert client.get(reverse("staff:my_class")).status_code == 200
    session = client.session
    session[SESSION_SIGNED_IN_AT] = int(time.time()) - 3601
    session.save()
    response = client.get(reverse("staff:my_class"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_parent_session_is_not_cut_short(personas, settings):
    settings.INZAGE_STAFF_SESSION_SECONDS = 3600
    client = Client()
    client.force_login(personas.user("parent"))
    session = client.session
    session[SESSION_SIGNED_IN_AT] = int(time.time()) - 7200
    session.save()
    assert client.get(reverse("portal:grades", kwargs={"student_id": personas.student.pk})).status_code == 200


def test_security_headers(client):
    response = client.get("/accounts/login/")
    assert "publickey-credentials-get=(self)" in response["Permissions-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


def test_the_session_list_shows_own_sessions_and_signs_out_everywhere(personas):
    user = personas.user("parent")
    phone, laptop = Client(), Client()
    for client in (phone, laptop):
        client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
        assert "_auth_user_id" in client.session
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    laptop.post(reverse("usersessions_list"), {"action": "end"})
    grades = reverse("portal:grades", kwargs={"student_id": personas.student.pk})
    assert phone.get(grades).status_code == 302  # the other session is gone, from the cache and the database
    assert laptop.get(grades).status_code == 200  # "sign out other sessions" keeps this one
