"""A teacher enters a column of grades with the keyboard only; one invalid value shows its message, the rest is
saved and still there after a reload."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login
from inzage.grades.actions import column_create
from inzage.grades.models import AssessmentKind, Result
from inzage.testing import factories as f
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_enters_a_column_with_the_keyboard_only(page, personas) -> None:
    group = personas.group
    extra = [f.StudentFactory(school=personas.school, first_name="Noor", last_name=f"Zwart{i}") for i in range(3)]
    group.students.add(*extra)
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    column = column_create(
        group=group, kind=kind, period=personas.periods[0], name="Hoofdstuk 2", code="H2",
        date=dt.date(2025, 10, 1), by=None, at=timezone.now(),
    )  # fmt: skip
    # Row order is by last name: Jansen (the persona student), Zwart0, Zwart1, Zwart2.
    login(page, personas.user("teacher").username, PASSWORD)
    page.goto(f"/docent/groep/{group.pk}/kolom/{column.pk}/")
    assert_accessible(page)

    cells = page.locator("input[data-grid-cell]")
    cells.first.focus()
    page.keyboard.type("7,5")
    page.keyboard.press("Enter")  # moves down, does not submit
    page.keyboard.type("10,5")  # invalid
    page.keyboard.press("ArrowDown")
    page.keyboard.type("6.8")
    page.keyboard.press("Enter")
    page.keyboard.type("vr")
    page.keyboard.press("ArrowUp")
    expect(cells.nth(2)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # from the last cell to the save button
    expect(page.locator("#save-grid")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_text("10,5 ligt buiten 1,0–10,0.")).to_be_visible()
    expect(cells.nth(1)).to_have_value("10,5")  # the typed text is kept
    expect(cells.nth(1)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.reload()
    expect(cells.nth(0)).to_have_value("7,5")
    expect(cells.nth(2)).to_have_value("6,8")
    expect(cells.nth(3)).to_have_value("vr")
    saved = {r.student_id: r for r in Result.objects.filter(column=column)}
    assert saved[personas.student.pk].value == Decimal("7.5")
    assert extra[0].pk not in saved
    assert saved[extra[1].pk].value == Decimal("6.8")
    assert saved[extra[2].pk].status == Result.Status.EXEMPT


def test_pasting_a_spreadsheet_column_fills_down(page, personas) -> None:
    group = personas.group
    extra = [f.StudentFactory(school=personas.school, last_name=f"Zwart{i}") for i in range(2)]
    group.students.add(*extra)
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    column = column_create(
        group=group, kind=kind, period=personas.periods[0], name="Plak", code="P1",
        date=dt.date(2025, 10, 1), by=None, at=timezone.now(),
    )  # fmt: skip
    login(page, personas.user("teacher").username, PASSWORD)
    page.goto(f"/docent/groep/{group.pk}/kolom/{column.pk}/")
    cells = page.locator("input[data-grid-cell]")
    cells.first.focus()
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.setData("text/plain", "6,1\\r\\n7,2\\r\\n8,3\\r\\n");
            document.activeElement.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )
    expect(cells.nth(0)).to_have_value("6,1")
    expect(cells.nth(1)).to_have_value("7,2")
    expect(cells.nth(2)).to_have_value("8,3")
    page.locator("#save-grid").click()
    expect(page.get_by_text("3 resultaten opgeslagen.")).to_be_visible()
    assert Result.objects.filter(column=column).count() == 3
