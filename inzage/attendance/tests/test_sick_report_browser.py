"""On a phone: a parent reports their child sick from the first lesson of the day, which the teacher had registered
"absent"; the child's lessons of the day then show "ziek gemeld" to the parent; the mentor sees the new report on
the class page; the parent reports the child better. axe-core finds no WCAG A/AA violation on the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import login
from inzage.attendance.models import SickReport, Status
from inzage.attendance.tests.conftest import NOW
from inzage.attendance.tests.test_pages import register
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_parent_reports_sick_and_better_on_a_phone(page, browser, live_server, personas, now, lesson) -> None:
    p = personas
    register(lesson, p.user("teacher"), **{f"s_{p.student.pk}": Status.ABSENT})
    assert page.viewport_size == {"width": 390, "height": 844}
    student_page = reverse("attendance:student", args=[p.student.pk])
    today = page.get_by_test_id("today")

    login(page, p.user("parent").username, PASSWORD)
    page.goto(student_page)
    expect(today.get_by_text("afwezig, nog niet verklaard")).to_be_visible()
    page.get_by_label("Ziek vanaf").select_option(str(lesson.pk))
    assert_accessible(page)
    page.get_by_role("button", name="Ziek melden").click()

    expect(page.get_by_role("status").filter(has_text="Ziek gemeld sinds")).to_be_visible()
    sick = today.locator("[data-code=sick_reported]")
    expect(sick).to_have_text("ziek gemeld")  # the teacher's "absent" is shown as the parent's report
    expect(today.get_by_text("nog niet verklaard")).to_have_count(0)
    expect(page.get_by_text("ongeoorloofd")).to_have_count(0)
    assert_accessible(page)
    report = SickReport.objects.get(student=p.student)
    assert report.starts_at == lesson.starts_at and report.ends_at is None

    mentor = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 390, "height": 844})
    mentor_page = mentor.new_page()
    mentor_page.set_default_timeout(10_000)
    login(mentor_page, p.user("mentor").username, PASSWORD)
    mentor_page.goto(reverse("attendance:mentor"))
    expect(mentor_page.get_by_test_id("new-sick").get_by_role("link", name=p.student.full_name)).to_be_visible()
    assert_accessible(mentor_page)
    mentor.close()

    page.get_by_role("button", name="Beter melden").click()
    expect(page.get_by_role("button", name="Ziek melden")).to_be_visible()
    report.refresh_from_db()
    assert report.ends_at == NOW and report.ended_by == p.user("parent")
    assert_accessible(page)
