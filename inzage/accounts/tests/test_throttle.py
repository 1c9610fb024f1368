"""Sign-in throttling: per account and per address, separately, on every sign-in form (the admin's included)."""

from __future__ import annotations

import pytest
from django.test import Client

from inzage.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"login": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_an_account_is_locked_after_a_handful_of_wrong_passwords_even_with_the_right_one(settings):
    settings.INZAGE_SIGNIN_ACCOUNT_LIMIT = 5
    UserFactory(username="ouder-a")
    for _ in range(5):
        response = _sign_in(Client(), "ouder-a", "fout")
        assert response.status_code == 200
    client = Client()
    response = _sign_in(client, "ouder-a", PASSWORD)
    assert not _signed_in(client)
    assert "Te vaak een verkeerd wachtwoord voor dit account" in response.content.decode()
    # From another address too: the lock is the account's (case does not matter).
    other = Client()
    _sign_in(other, "OUDER-A", PASSWORD, address="10.9.9.9")
    assert not _signed_in(other)


def test_an_account_lock_does_not_lock_others_behind_the_same_address(settings):
    settings.INZAGE_SIGNIN_ACCOUNT_LIMIT = 5
    UserFactory(username="ouder-a")
    UserFactory(username="ouder-b")
    for _ in range(6):
        _sign_in(Client(), "ouder-a", "fout")
    client = Client()
    _sign_in(client, "ouder-b", PASSWORD)
    assert _signed_in(client)


def test_many_failures_from_one_address_lock_that_address_only(settings):
    settings.INZAGE_SIGNIN_ADDRESS_LIMIT = 8
    settings.INZAGE_SIGNIN_ACCOUNT_LIMIT = 100
    UserFactory(username="ouder-c")
    for i in range(8):
        _sign_in(Client(), f"gok-{i}", "fout", address="10.6.6.6")
    locked = Client()
    response = _sign_in(locked, "ouder-c", PASSWORD, address="10.6.6.6")
    assert not _signed_in(locked)
    assert "vanaf dit adres" in response.content.decode()
    elsewhere = Client()
    _sign_in(elsewhere, "ouder-c", PASSWORD, address="10.7.7.7")
    assert _signed_in(elsewhere)


def test_a_few_typos_then_the_right_password_signs_in(settings):
    settings.INZAGE_SIGNIN_ACCOUNT_LIMIT = 5
    UserFactory(username="ouder-d")
    for _ in range(3):
        _sign_in(Client(), "ouder-d", "fout")
    client = Client()
    _sign_in(client, "ouder-d", PASSWORD)
    assert _signed_in(client)


def test_the_admin_sign_in_sends_to_the_throttled_form():
    response = Client().get("/beheer/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = Client().post("/beheer/login/", {"username": "admin", "password": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_direct_authenticate_call_is_refused_while_locked(settings, rf):
    """The backend guard holds for any form that calls authenticate(), not only allauth's."""
    from django.contrib.auth import authenticate

    settings.INZAGE_SIGNIN_ACCOUNT_LIMIT = 3
    UserFactory(username="beheerder")
    request = rf.post("/beheer/login/", REMOTE_ADDR="10.1.1.1")
    for _ in range(3):
        assert authenticate(request, username="beheerder", password="fout") is None
    assert authenticate(request, username="beheerder", password=PASSWORD) is None


def test_argon2_is_the_password_hasher_outside_tests():
    import inzage.settings as configured

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    import argon2  # noqa: F401  (installed, so the hasher works)
