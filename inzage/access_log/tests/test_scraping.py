"""A simulated scraper is throttled (429, in Dutch) and reported to the administrators; a normal session is not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inzage.access_log import scraping
from inzage.access_log.models import ScrapingSignal

pytestmark = pytest.mark.django_db

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile Safari/604.1"


@pytest.fixture(autouse=True)
def detection_on(settings):
    settings.SCRAPING = {"enabled": True}  # the defaults of scraping.DEFAULTS


def pages(personas) -> list[str]:
    sid = personas.student.pk
    return [
        reverse("portal:grades", kwargs={"student_id": sid}),
        reverse("access_log:mine", kwargs={"student_id": sid}),
    ]


def test_a_scraper_at_machine_speed_is_throttled_and_reported(client, personas, grade) -> None:
    grade("7.5")
    client.force_login(personas.user("parent"))
    statuses = [client.get(pages(personas)[i % 2], HTTP_USER_AGENT=PHONE).status_code for i in range(70)]
    assert 429 in statuses
    first = statuses.index(429)
    assert set(statuses[:first]) == {200} and set(statuses[first:]) == {429}  # throttled from then on
    throttled = client.get(pages(personas)[0], HTTP_USER_AGENT=PHONE)
    assert throttled.status_code == 429 and "Even rustig aan" in throttled.content.decode()
    assert throttled["Retry-After"]
    signal = ScrapingSignal.objects.get()
    assert signal.user == personas.user("parent") and signal.school == personas.school
    assert signal.reason == "per_minute" and not signal.non_browser

    client.force_login(personas.user("admin"))
    page = client.get(reverse("access_log:signals")).content.decode()
    assert personas.user("parent").username in page
    assert personas.student.full_name in page  # what was read


def test_a_non_browser_client_is_throttled_sooner(client, personas, grade) -> None:
    grade("7.5")
    client.force_login(personas.user("parent"))
    statuses = [client.get(pages(personas)[0], HTTP_USER_AGENT="python-requests/2.32").status_code for _ in range(10)]
    assert statuses[-1] == 429
    assert ScrapingSignal.objects.get().non_browser


def test_a_normal_session_on_a_phone_is_not_throttled(client, personas, grade) -> None:
    grade("7.5")
    client.force_login(personas.user("parent"))
    for i in range(20):  # a parent checking twenty times in a few minutes
        assert client.get(pages(personas)[i % 2], HTTP_USER_AGENT=PHONE).status_code == 200
    assert not ScrapingSignal.objects.exists()


def test_a_throttled_account_can_still_sign_out(client, personas) -> None:
    scraping.block(user_id=personas.user("parent").pk)
    client.force_login(personas.user("parent"))
    assert client.get(pages(personas)[0]).status_code == 429
    assert client.get(reverse("account_logout")).status_code == 200


def test_the_thresholds_are_settings(settings, client, personas, grade) -> None:
    settings.SCRAPING = {"enabled": True, "factor": 100}  # what `make loadtest` does (SCRAPING_LIMIT_FACTOR)
    grade("7.5")
    client.force_login(personas.user("parent"))
    assert all(client.get(pages(personas)[0]).status_code == 200 for _ in range(40))
    assert not ScrapingSignal.objects.exists()


@pytest.mark.parametrize(
    ("agent", "machine"),
    [("", True), ("curl/8.5.0", True), ("python-requests/2.32", True), ("Go-http-client/1.1", True), (PHONE, False)],
)
def test_non_browser_clients(agent, machine) -> None:
    assert scraping.is_non_browser(agent) is machine


def test_the_429_page_says_how_long_the_schools_block_lasts(client, personas, settings) -> None:
    settings.SCRAPING = {**settings.SCRAPING, "block_minutes": 5}
    user = personas.user("parent")
    scraping.block(user_id=user.pk)
    client.force_login(user)
    response = client.get(pages(personas)[0], HTTP_USER_AGENT=PHONE)
    assert response.status_code == 429
    assert "de komende 5 minuten" in response.content.decode()
    assert 240 < int(response["Retry-After"]) <= 300
