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
