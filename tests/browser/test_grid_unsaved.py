"""The grid does not drop typed values without warning (issue 7): following a link with unsaved input asks first;
a save that overlapped another teacher's comes back with both values, and those refused cells still count as unsaved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login
from inzage.grades.actions import column_create, result_enter, results_save
from inzage.grades.models import AssessmentKind, Result
from inzage.grades.parsing import ParsedCell
from inzage.testing import factories as f
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def column(personas):
    personas.group.students.add(f.StudentFactory(school=personas.school, first_name="Noor", last_name="Zwart"))
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    return column_create(
        group=personas.group, kind=kind, period=personas.periods[0], name="Hoofdstuk 3", code="H3",
        date=dt.date(2025, 10, 1), by=None, at=timezone.now(),
    )  # fmt: skip


def _record_dialogs(page) -> list[str]:
    seen: list[str] = []

    def dismiss(dialog) -> None:
        seen.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", dismiss)
    return seen


def test_following_a_link_with_unsaved_input_asks_first(page, personas, column) -> None:
    login(page, personas.user("teacher").username, PASSWORD)
    url = f"/docent/groep/{personas.group.pk}/kolom/{column.pk}/"
    page.goto(url)
    dialogs = _record_dialogs(page)
    cells = page.locator("input[data-grid-cell]")
    cells.first.focus()
    page.keyboard.type("7,5")

    page.get_by_role("link", name=personas.group.name).click()
    expect(cells.first).to_have_value("7,5")  # stayed: nothing typed is lost
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(url)

    page.locator("#save-grid").click()  # saving is not leaving
    expect(page.get_by_text("1 resultaten opgeslagen.")).to_be_visible()
    page.get_by_role("link", name=personas.group.name).click()  # nothing unsaved: no question
    expect(page).to_have_url(f"{page.url.split('/docent')[0]}/docent/groep/{personas.group.pk}/")
    assert dialogs == ["beforeunload"]


def test_a_save_that_overlapped_another_shows_both_values_and_keeps_the_typed_one(page, personas, column) -> None:
    jansen = personas.student
    result_enter(column=column, student=jansen, cell=ParsedCell(value=Decimal("6.0")), by=None, at=timezone.now())
    login(page, personas.user("teacher").username, PASSWORD)
    page.goto(f"/docent/groep/{personas.group.pk}/kolom/{column.pk}/")
    # Another teacher stores 7,0 for Jansen after this page was loaded.
    results_save(
        cells=[(column, jansen.pk, ParsedCell(value=Decimal("7.0")))],
        by=personas.user("admin"),
        at=timezone.now(),
        reason="herzien",
    )
    cells = page.locator("input[data-grid-cell]")
    cells.first.fill("6,5")
    cells.nth(1).fill("8,0")
    page.fill("#reason", "nagekeken")
    page.locator("#save-grid").click()

    conflicts = page.locator("#grid-conflicts")
    expect(conflicts).to_contain_text("Deze cel is intussen gewijzigd door iemand anders")
    expect(conflicts).to_contain_text(f"{jansen.sort_name}: opgeslagen 7,0, jouw invoer 6,5")
    expect(cells.first).to_have_value("6,5")
    expect(cells.first).to_have_attribute("aria-invalid", "true")
    expect(cells.nth(1)).to_have_value("8,0")
    assert_accessible(page)
    assert Result.objects.get(column=column, student=jansen).value == Decimal("7.0")

    dialogs = _record_dialogs(page)
    page.get_by_role("link", name=personas.group.name).click()
    expect(cells.first).to_have_value("6,5")
    assert dialogs == ["beforeunload"]  # the refused 6,5 was never stored
