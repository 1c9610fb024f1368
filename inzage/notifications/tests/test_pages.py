"""The notifications page, the settings page and the unsubscribe link, per persona."""

from __future__ import annotations

import pytest
from django.test import Client

from inzage.notifications.actions import preference_set, unsubscribe_token
from inzage.notifications.models import Frequency, Preference

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["student", "parent", "parent_without_custody", "mentor", "teacher", "admin"])
def test_every_account_opens_its_own_pages(personas, name) -> None:
    client = Client()
    client.force_login(personas.user(name))
    assert client.get("/meldingen/").status_code == 200
    assert client.get("/meldingen/instellingen/").status_code == 200


def test_signed_out_is_sent_to_sign_in(client) -> None:
    assert client.get("/meldingen/").status_code == 302


def test_bad_settings_are_refused_next_to_the_field_keeping_the_rest(personas) -> None:
    client = Client()
    client.force_login(personas.user("parent"))
    data = {
        "grades-frequency": "hourly",
        "grades-hour": "25",
        "grades-weekday": "4",
        "period_report-frequency": "daily",
        "period_report-hour": "18",
        "period_report-weekday": "\x00",
    }
    page = client.post("/meldingen/instellingen/", data)
    assert page.status_code == 422
    text = page.content.decode()
    assert "Kies hoe vaak je een melding wilt." in text and "Kies een uur van 0 tot en met 23." in text
    assert not Preference.objects.filter(user=personas.user("parent")).exists()
    good = {**data, "grades-frequency": "weekly", "grades-hour": "17", "period_report-weekday": "2"}
    assert client.post("/meldingen/instellingen/", good).status_code == 200
    assert Preference.objects.get(user=personas.user("parent"), kind="grades").frequency == "weekly"


def test_the_unsubscribe_link_changes_exactly_one_setting_without_signing_in(personas, client) -> None:
    parent = personas.user("parent")
    preference_set(user=parent, kind="grades", frequency=Frequency.IMMEDIATE)
    preference_set(user=parent, kind="period_report", frequency=Frequency.IMMEDIATE)
    url = f"/meldingen/uit/{unsubscribe_token(user_id=parent.pk, kind='grades')}/"
    assert client.get(url).status_code == 200
    assert Preference.objects.get(user=parent, kind="grades").frequency == Frequency.IMMEDIATE  # GET only asks
    assert client.post(url).status_code == 200
    assert Preference.objects.get(user=parent, kind="grades").frequency == Frequency.OFF
    assert Preference.objects.get(user=parent, kind="period_report").frequency == Frequency.IMMEDIATE


def test_a_forged_unsubscribe_link_is_not_found(personas, client) -> None:
    token = unsubscribe_token(user_id=personas.user("parent").pk, kind="grades")
    assert client.post(f"/meldingen/uit/{token[:-2]}xx/").status_code == 404
    assert client.post("/meldingen/uit/nonsense/").status_code == 404
