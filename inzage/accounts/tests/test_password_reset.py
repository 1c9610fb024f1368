"""'Wachtwoord vergeten?' works on a fresh machine: without a mail server the message is written to var/mail/."""

from __future__ import annotations

import os

import pytest
from django.test import Client, override_settings

from inzage.testing.factories import UserFactory


def test_without_email_host_mail_goes_to_files() -> None:
    import inzage.settings as configured  # the module's own values, not the test runner's locmem override

    if os.environ.get("EMAIL_HOST"):
        pytest.skip("EMAIL_HOST is set in this environment")
    mailer = configured.MAILERS["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert mailer["OPTIONS"]["file_path"].endswith("mail")


@pytest.mark.django_db
def test_password_reset_writes_the_mail_and_answers(tmp_path, client: Client) -> None:
    UserFactory(username="ouder-x", email="ouder-x@example.nl")
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    with override_settings(MAILERS=mailers):
        response = client.post("/accounts/password/reset/", {"email": "ouder-x@example.nl"})
    assert response.status_code == 302
    sent = list(tmp_path.iterdir())
    assert len(sent) == 1
    assert "ouder-x@example.nl" in sent[0].read_text()


def _reset_link(client: Client, tmp_path, address: str) -> str:
    """Ask for a reset of the account with this address; the path of the link in the mail written to tmp_path."""
    import email
    import re

    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    with override_settings(MAILERS=mailers):
        client.post("/accounts/password/reset/", {"email": address})
    (sent,) = tmp_path.iterdir()
    body = email.message_from_string(sent.read_text()).get_payload(decode=True).decode()
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", body)
    assert link is not None
    return "/" + link.group(0).split("/", 3)[3]


@pytest.mark.django_db
def test_an_account_made_without_a_password_gets_its_first_one_through_the_reset_link(tmp_path, client: Client) -> None:
    """Today's only first sign-in path for a parent or student (docs/identity.md, "Onboarding"): the school makes the
    account with the e-mail address it has on record and no usable password; "Wachtwoord vergeten?" mails a link to
    that address, which sets the password once."""
    user = UserFactory(username="ouder-nieuw", email="ouder-nieuw@example.nl")
    user.set_unusable_password()
    user.save()
    path = _reset_link(client, tmp_path, "ouder-nieuw@example.nl")
    form = client.get(path, follow=True)
    assert form.status_code == 200
    new = "Zonnebloem-Vijver-42"
    done = client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    # The link is single-use: the password it set changed the token's hash.
    again = client.get(path, follow=True)
    assert "password1" not in again.content.decode()


@pytest.mark.django_db
def test_a_completed_reset_lifts_the_accounts_sign_in_lock(tmp_path, client: Client, settings) -> None:
    """Locked after wrong passwords, the owner resets the password through the mailed link and can sign in with the
    new one at once (allauth's `password_reset` signal clears the account's counter; the address's stays)."""
    settings.INZAGE_SIGNIN_ACCOUNT_LIMIT = 3
    UserFactory(username="ouder-slot", email="ouder-slot@example.nl")
    for _ in range(3):
        Client().post("/accounts/login/", {"login": "ouder-slot", "password": "fout"}, REMOTE_ADDR="10.0.0.7")
    form = client.get(_reset_link(client, tmp_path, "ouder-slot@example.nl"), follow=True)
    new = "Zonnebloem-Vijver-43"
    client.post(form.redirect_chain[-1][0], {"password1": new, "password2": new})
    fresh = Client()
    fresh.post("/accounts/login/", {"login": "ouder-slot", "password": new}, REMOTE_ADDR="10.0.0.8")
    assert "_auth_user_id" in fresh.session
