"""The school's defaults for notices, set by the school's administrator on /meldingen/school/."""

from __future__ import annotations

import pytest
from django.test import Client

from inzage.notifications.actions import preference_set
from inzage.notifications.models import Frequency, SchoolDefault
from inzage.notifications.queries import choices_of
from inzage.testing import factories as f
from inzage.testing.personas import Personas

pytestmark = pytest.mark.django_db

URL = "/meldingen/school/"


@pytest.mark.parametrize("name", Personas.PERSONA_NAMES)
def test_only_the_administrator_opens_the_school_defaults(personas, name) -> None:
    client = Client()
    client.force_login(personas.user(name))
    expected = 200 if name == "admin" else 404
    assert client.get(URL).status_code == expected
    data = {"guardian-grades-frequency": "off", "guardian-grades-hour": "17", "guardian-grades-weekday": "4"}
    assert client.post(URL, data).status_code == expected
    assert SchoolDefault.objects.exists() is (name == "admin")


def test_signed_out_is_sent_to_sign_in(client) -> None:
    assert client.get(URL).status_code == 302


def test_a_default_applies_to_whoever_has_not_chosen_and_not_to_who_has(personas) -> None:
    client = Client()
    client.force_login(personas.user("admin"))
    assert choices_of(user=personas.user("parent"))["grades"].frequency == Frequency.WEEKLY  # built in
    preference_set(user=personas.user("other_parent"), kind="grades", frequency=Frequency.IMMEDIATE)
    data = {"guardian-grades-frequency": "daily", "guardian-grades-hour": "18", "guardian-grades-weekday": "4"}
    page = client.post(URL, data)
    assert page.status_code == 200 and "De standaard van de school is opgeslagen." in page.content.decode()
    row = SchoolDefault.objects.get()
    assert (row.school_id, row.audience, row.kind, row.frequency, row.hour) == (
        personas.school.pk,
        "guardian",
        "grades",
        "daily",
        18,
    )
    assert choices_of(user=personas.user("parent"))["grades"].frequency == Frequency.DAILY
    assert choices_of(user=personas.user("other_parent"))["grades"].frequency == Frequency.IMMEDIATE
    assert choices_of(user=personas.user("student"))["grades"].frequency == Frequency.IMMEDIATE  # students untouched


def test_bad_values_are_refused_next_to_the_field_keeping_what_was_typed(personas) -> None:
    client = Client()
    client.force_login(personas.user("admin"))
    data = {
        "guardian-grades-frequency": "hourly",
        "guardian-grades-hour": "24",
        "guardian-grades-weekday": "4",
        "student-homework-frequency": "daily",
        "student-homework-hour": "\x00",
        "student-homework-weekday": "9",
    }
    page = client.post(URL, data)
    assert page.status_code == 422
    text = page.content.decode()
    assert "Kies hoe vaak je een melding wilt." in text and "Kies een uur van 0 tot en met 23." in text
    assert 'id="err_student-homework-weekday"' in text
    assert not SchoolDefault.objects.exists()


def test_an_administrator_sets_only_their_own_schools_defaults(personas) -> None:
    other = f.SchoolFactory(name="Ander College")
    staff = f.StaffFactory(school=other)
    f.StaffRoleFactory(staff=staff, role="administrator")
    client = Client()
    client.force_login(staff.user)
    client.post(URL, {"guardian-grades-frequency": "off", "guardian-grades-hour": "17", "guardian-grades-weekday": "4"})
    assert list(SchoolDefault.objects.values_list("school_id", flat=True)) == [other.pk]
    assert choices_of(user=personas.user("parent"))["grades"].frequency == Frequency.WEEKLY
