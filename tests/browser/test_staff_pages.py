"""The mentor's class and the student overview at 360 px: no sideways scrolling, no axe violations."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD
from inzage.testing.personas import add_role_personas
from inzage.visibility.tests.conftest import make_result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px sideways scrolling at 360px"


def test_mentor_class_and_overview_on_a_phone(browser, live_server, personas) -> None:
    add_role_personas(personas)
    now = timezone.now()
    for days_ago, value in ((40, "4.0"), (30, "4.5"), (3, "Laatste toets met een lange naam 5.0")):
        when = now - dt.timedelta(days=days_ago)
        make_result(
            student=personas.student,
            group=personas.group,
            period=personas.periods[0],
            value=value.split()[-1],
            release_at=when,
            entered_at=when,
        )
    context, page = _phone(browser, live_server)
    login(page, personas.user("mentor").username, PASSWORD)
    page.goto("/medewerker/klas/")
    expect(page.get_by_role("heading", name="Mijn klas")).to_be_visible()
    expect(page.get_by_role("link", name="Lotte Jansen")).to_be_visible()
    _fits(page)
    assert_accessible(page)

    page.get_by_role("link", name="Lotte Jansen").click()
    expect(page.get_by_role("heading", name="Lotte Jansen", level=1)).to_be_visible()
    expect(page.get_by_role("list", name="Cijfers wiskunde")).to_contain_text("4,5")
    _fits(page)
    assert_accessible(page)
    context.close()


def test_care_note_form_on_a_phone(browser, live_server, personas) -> None:
    roles = add_role_personas(personas)
    context, page = _phone(browser, live_server)
    login(page, roles.care_coordinator.user.username, PASSWORD)
    page.goto(f"/zorg/leerling/{personas.student.pk}/")
    page.get_by_role("textbox", name="Notitie").fill("Gesprek over de planning")
    page.get_by_label("Datum").fill("2999-01-01")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De datum mag niet in de toekomst liggen.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Notitie")).to_have_value("Gesprek over de planning")
    _fits(page)
    assert_accessible(page)
    context.close()
