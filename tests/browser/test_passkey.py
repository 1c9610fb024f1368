"""Passkeys with Chromium's virtual authenticator (CDP WebAuthn domain): a mentor without a second factor is sent to
set one up, registers a passkey, signs out, and signs in with the passkey alone (no username, no password), after
which the staff rule (INZAGE_STAFF_MFA_REQUIRED, on here) lets them reach the student."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import login
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _virtual_authenticator(page) -> str:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    created = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page._inzage_cdp = cdp  # keep the session (and so the authenticator) alive for the test
    return created["authenticatorId"]


def test_register_a_passkey_sign_out_and_sign_in_with_the_passkey_alone(page, personas, settings) -> None:
    settings.INZAGE_STAFF_MFA_REQUIRED = True
    _virtual_authenticator(page)
    mentor = personas.user("mentor")
    student_page = f"/medewerker/leerling/{personas.student.pk}/"

    login(page, mentor.username, PASSWORD)
    page.goto(student_page)
    expect(page).to_have_url(re.compile(r"/accounts/tweede-factor/$"))
    assert_accessible(page)

    page.goto("/accounts/2fa/webauthn/add/")
    # allauth asks for the password again before a new authenticator is added.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.fill("#id_name", "Telefoon")
    page.check("#id_passwordless")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    from allauth.mfa.models import Authenticator

    assert Authenticator.objects.filter(user=mentor, type=Authenticator.Type.WEBAUTHN).count() == 1

    page.goto("/accounts/logout/")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.goto(student_page)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.goto("/accounts/login/")
    page.click("#passkey_login")
    expect(page.get_by_text("Je bent ingelogd als")).to_be_visible()
    page.goto(student_page)
    assert page.url.endswith(student_page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(personas.student.first_name)
