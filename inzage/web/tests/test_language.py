import pytest
from django.conf import settings


@pytest.mark.django_db
def test_pages_are_dutch_even_when_the_browser_asks_for_english(client) -> None:
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.text


@pytest.mark.django_db
def test_english_when_chosen_with_the_language_switch(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in response.text
