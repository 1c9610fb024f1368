"""The sign-in page: Dutch, no sign-up, clear error; sign-up itself is closed."""

import pytest

from inzage.accounts.models import User
from inzage.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_page_is_dutch_and_offers_no_sign_up(client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    text = response.text
    assert '<html lang="nl">' in text
    assert 'for="id_login">Gebruikersnaam' in text and 'for="id_password">Wachtwoord' in text
    assert "/accounts/signup/" not in text


def test_sign_up_is_closed(client) -> None:
    response = client.post("/accounts/signup/", {"username": "nieuw", "password1": "x-very-long-pass-1"})
    assert not User.objects.filter(username="nieuw").exists()
    assert response.status_code in (200, 403)


def test_a_wrong_password_shows_an_error(client, personas) -> None:
    response = client.post("/accounts/login/", {"login": personas.user("student").username, "password": "fout"})
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert "_auth_user_id" not in client.session


def test_the_right_password_signs_in_and_the_start_page_greets(client, personas) -> None:
    response = client.post("/accounts/login/", {"login": personas.user("student").username, "password": PASSWORD})
    assert response.status_code == 302
    assert "Je bent ingelogd als" in client.get("/").text
