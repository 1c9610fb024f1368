"""School SSO over OpenID Connect against a real provider process (`oidc-provider-mock`, a Flask/authlib OpenID
provider on loopback): the browser's part of the flow is played by following the redirects, the server's part (code
for tokens, the ID token's signature against the provider's keys) is allauth talking to the provider over HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import requests
from allauth.socialaccount.models import SocialApp
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

STAFF_EMAIL = "m.mentor@persona-college.nl"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider():
    port = _free_port()
    claims = [
        {"sub": "mentor-1", "email": STAFF_EMAIL, "email_verified": True, "name": "Mirjam Mentor"},
        {"sub": "vreemde-1", "email": "iemand@elders.nl", "email_verified": True},
    ]
    args = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for claim in claims:
        args += ["--user-claims", json.dumps(claim)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/.well-known/openid-configuration", timeout=1).read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the OpenID provider did not start")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def _app(provider: str, *, mfa: bool) -> SocialApp:
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="school-idp",
        name="Schoolaccount",
        client_id="inzage",
        secret="geheim",
        settings={"server_url": provider, "inzage_mfa": mfa, "inzage_link_by_email": True},
    )


def _sso(client: Client, subject: str):
    """Start at Inzage, sign in as `subject` at the provider, come back; the response of Inzage's callback."""
    start = client.post("/accounts/oidc/school-idp/login/")
    assert start.status_code == 302, start.content[:300]
    authorize = start["Location"]
    assert authorize.startswith("http://127.0.0.1:")
    at_provider = requests.post(authorize, data={"sub": subject}, allow_redirects=False, timeout=10)
    assert at_provider.status_code in (302, 303), at_provider.text[:300]
    back = urllib.parse.urlsplit(at_provider.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def mentor(personas):
    user = personas.user("mentor")
    user.email = STAFF_EMAIL
    user.save()
    return user


def test_the_login_page_offers_the_school_provider(provider):
    _app(provider, mfa=True)
    assert "Inloggen met Schoolaccount" in Client().get("/accounts/login/").content.decode()


def test_staff_through_a_provider_marked_as_doing_mfa_reach_student_data(provider, personas, mentor, settings):
    settings.INZAGE_STAFF_MFA_REQUIRED = True
    _app(provider, mfa=True)
    client = Client()
    response = _sso(client, "mentor-1")
    assert response.status_code == 302, response.content[:500]
    assert client.session["_auth_user_id"] == str(mentor.pk)
    page = client.get(reverse("staff:student", kwargs={"student_id": personas.student.pk}))
    assert page.status_code == 200


def test_sso_through_an_unmarked_provider_does_not_skip_the_second_factor(provider, personas, mentor, settings):
    settings.INZAGE_STAFF_MFA_REQUIRED = True
    _app(provider, mfa=False)
    client = Client()
    _sso(client, "mentor-1")
    assert client.session["_auth_user_id"] == str(mentor.pk)
    page = client.get(reverse("staff:student", kwargs={"student_id": personas.student.pk}))
    assert page.status_code == 302
    assert page["Location"] == reverse("accounts:second_factor_required")


def test_sso_with_totp_set_up_still_asks_for_the_code(provider, personas, mentor, settings):
    from allauth.mfa.totp.internal.auth import TOTP

    settings.INZAGE_STAFF_MFA_REQUIRED = True
    TOTP.activate(mentor, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    _app(provider, mfa=False)
    client = Client()
    response = _sso(client, "mentor-1")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_an_identity_the_school_does_not_know_gets_no_account(provider, personas):
    from inzage.accounts.models import User

    _app(provider, mfa=True)
    before = User.objects.count()
    client = Client()
    response = _sso(client, "vreemde-1")
    assert response.status_code == 403
    assert "Dit schoolaccount is niet gekoppeld aan een account in Inzage" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == before
