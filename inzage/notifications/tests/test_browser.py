"""The notifications page and the settings page in a real browser, on a 360 px phone and on a desktop: readable
without sideways scrolling, no axe-core (WCAG 2.1 A/AA) violations, and the buttons do what they say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login
from inzage.notifications.models import Frequency, Notice, Preference
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [(360, 740), (1280, 800)]


def _sent_notices(personas) -> None:
    now = timezone.now()
    for i, (kind, day) in enumerate([("grades", None), ("homework", dt.date(2025, 11, 20)), ("period_report", None)]):
        Notice.objects.create(
            school=personas.school,
            user=personas.user("parent"),
            student=personas.student,
            kind=kind,
            item_id=100 + i,
            subject_name="wiskunde",
            item_date=day,
            visible_at=now - dt.timedelta(hours=i + 1),
            due_at=now - dt.timedelta(hours=i + 1),
            frequency=Frequency.IMMEDIATE,
            status=Notice.Status.SENT,
            sent_at=now - dt.timedelta(hours=i + 1),
        )


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow} px sideways scrolling"


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_a_parent_reads_the_notices_and_changes_a_setting(page, personas, width, height) -> None:
    _sent_notices(personas)
    page.set_viewport_size({"width": width, "height": height})
    login(page, personas.user("parent").username, PASSWORD)
    page.goto("/meldingen/")
    expect(page.get_by_role("heading", name="Meldingen")).to_contain_text("3 nieuw")
    expect(
        page.get_by_role(
            "link", name=f"Er is een nieuw cijfer voor wiskunde zichtbaar ({personas.student.first_name})."
        )
    ).to_be_visible()
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Alles gelezen").click()
    expect(page.get_by_role("button", name="Alles gelezen")).to_have_count(0)
    assert not Notice.objects.filter(read_at__isnull=True).exists()

    page.goto("/meldingen/instellingen/")
    _fits(page)
    assert_accessible(page)
    page.get_by_role("group", name="Huiswerk en toetsen").get_by_label("Hoe vaak").select_option("daily")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_have_text("Je instellingen zijn opgeslagen.")
    assert Preference.objects.get(user=personas.user("parent"), kind="homework").frequency == Frequency.DAILY
    _fits(page)
    assert_accessible(page)


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_the_administrator_sets_a_school_default(page, personas, width, height) -> None:
    page.set_viewport_size({"width": width, "height": height})
    login(page, personas.user("admin").username, PASSWORD)
    page.goto("/meldingen/school/")
    _fits(page)
    assert_accessible(page)
    page.locator("#id_guardian-grades-frequency").select_option("off")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_have_text("De standaard van de school is opgeslagen.")
    _fits(page)
    assert_accessible(page)
