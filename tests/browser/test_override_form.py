"""The mentor sets an override on a phone: a bad date range is refused next to the field, nothing typed is lost."""

import pytest
from playwright.sync_api import expect

from conftest import login
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD
from inzage.visibility.models import Override

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reversed_date_range_is_refused_in_dutch_keeping_the_form(page, personas) -> None:
    page.set_viewport_size({"width": 360, "height": 780})
    login(page, personas.user("mentor").username, PASSWORD)
    page.goto(f"/zichtbaarheid/afspraken/{personas.student.pk}/")
    page.get_by_label("dicht").check()
    page.get_by_label("cijfers", exact=True).check()
    page.fill("#f-start", "2025-12-19")
    page.fill("#f-until", "2025-12-01")
    page.fill("#f-reason", "Afspraak met de leerling over de toetsweek")
    page.get_by_role("button", name="Afspraak vastleggen").click()

    expect(page.locator("#e-until")).to_have_text("De einddatum ligt vóór de begindatum.")
    expect(page.locator("#f-until")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("cijfers", exact=True)).to_be_checked()
    expect(page.get_by_label("dicht")).to_be_checked()
    expect(page.locator("#f-reason")).to_have_value("Afspraak met de leerling over de toetsweek")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert_accessible(page)
    page.screenshot(path="var/override-form-360.png", full_page=True)
    assert not Override.objects.exists()
