"""A student sees a grade and shares it ("laat mijn ouders dit zien"); the parent sees it then (student-first)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login
from inzage.testing import factories as f
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD
from inzage.visibility.tests.conftest import make_result, set_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_shares_a_grade_and_the_parent_sees_it(page, browser, live_server, personas) -> None:
    now = timezone.now()
    year = f.SchoolYearFactory(
        school=personas.school,
        name="nu",
        start=now.date() - dt.timedelta(days=30),
        end=now.date() + dt.timedelta(days=60),
    )
    period = f.PeriodFactory(school_year=year, start=year.start, end=year.end)
    set_policy(personas.school, 'format = 1\n[student_first]\nschool_days = 5\nkinds = ["grades"]\n')
    make_result(
        student=personas.student,
        group=personas.group,
        period=period,
        value="7.5",
        release_at=now - dt.timedelta(minutes=5),
        entered_at=now - dt.timedelta(minutes=10),
    )

    login(page, personas.user("student").username, PASSWORD)
    page.goto("/mijn/cijfers/")
    expect(page.get_by_role("table", name="Cijfers", exact=True).get_by_role("cell", name="7,5")).to_be_visible()
    assert_accessible(page)

    parent = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 390, "height": 844})
    parent_page = parent.new_page()
    login(parent_page, personas.user("parent").username, PASSWORD)
    parent_page.goto("/mijn/cijfers/")
    expect(parent_page.get_by_text("Nog geen cijfers")).to_be_visible()
    expect(
        parent_page.get_by_role("table", name="Cijfers", exact=True).get_by_role("cell", name="7,5")
    ).not_to_be_visible()

    page.get_by_role("button", name="Laat mijn ouders dit zien").click()
    expect(page.get_by_text("Gedeeld")).to_be_visible()

    parent_page.reload()
    expect(parent_page.get_by_role("table", name="Cijfers", exact=True).get_by_role("cell", name="7,5")).to_be_visible()
    assert_accessible(parent_page)
    parent.close()
