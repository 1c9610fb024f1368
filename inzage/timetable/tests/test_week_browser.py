"""On a 360-pixel-wide phone, a parent with two children switches to the second child, opens the week and sees a
cancelled lesson struck through with its reason and the homework due tomorrow; axe-core finds no serious or critical
violations there, nor on the same page at desktop width."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from conftest import login
from inzage.testing import factories as f
from inzage.testing.factories import PASSWORD
from inzage.testing.personas import build_personas
from inzage.testing.timetable import personas_timetable
from inzage.timetable import actions
from inzage.timetable.models import Lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = "2025-09-09T10:00:00+02:00"  # Tuesday of an A-week: tomorrow, Wednesday, has hour 3
TOMORROW = dt.date(2025, 9, 10)
FRIDAY = dt.date(2025, 9, 12)


def _serious(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of impact serious or critical on the current page."""
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_a_parent_switches_child_and_sees_the_cancellation_and_tomorrows_homework(page, monkeypatch) -> None:
    monkeypatch.setenv("INZAGE_NOW", NOW)  # the live server runs in this process
    at = dt.datetime.fromisoformat(NOW)
    p = build_personas()
    personas_timetable(p)
    noor = f.StudentFactory(school=p.school, first_name="Noor", last_name=p.student.last_name)
    f.ClassMembershipFactory(school_class=p.other_klas, student=noor)
    p.other_group.students.add(noor)
    f.GuardianRelationFactory(student=noor, guardian=p.parent_relation.guardian)
    friday = Lesson.objects.get(group=p.other_group, date=FRIDAY)
    actions.lesson_cancel(lesson=friday, reason="Docent op studiereis", by=p.user("admin"), at=at)
    wednesday = Lesson.objects.get(group=p.other_group, date=TOMORROW)
    actions.homework_add(
        group=p.other_group,
        kind="homework",
        text="Paragraaf 2.3: maak opgave 4 t/m 9.",
        due_date=TOMORROW,
        lesson=wednesday,
        by=p.other_teacher,
        at=at,
    )

    page.set_viewport_size({"width": 360, "height": 740})
    login(page, p.user("parent").username, PASSWORD)
    page.goto("/rooster/")
    switch = page.get_by_role("navigation", name="Kies een kind")
    expect(switch.get_by_role("link", name=p.student.first_name)).to_have_attribute("aria-current", "page")
    switch.get_by_role("link", name="Noor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rooster van Noor")
    expect(switch.get_by_role("link", name="Noor")).to_have_attribute("aria-current", "page")

    cancelled = page.locator("li.tt-lesson.tt-cancelled")
    expect(cancelled).to_have_count(1)
    expect(cancelled.locator("del.tt-subject")).to_have_text("wiskunde")
    assert "line-through" in cancelled.locator("del.tt-subject").evaluate("e => getComputedStyle(e).textDecorationLine")
    expect(cancelled.get_by_text("Vervalt: Docent op studiereis")).to_be_visible()
    tomorrow = page.locator("section.tt-day", has=page.get_by_role("heading", name="woensdag 10 september"))
    expect(tomorrow.get_by_text("Paragraaf 2.3: maak opgave 4 t/m 9.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on the phone
    assert _serious(page) == []

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(cancelled.get_by_text("Vervalt: Docent op studiereis")).to_be_visible()
    assert _serious(page) == []
