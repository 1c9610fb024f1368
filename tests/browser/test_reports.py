"""A mentor writes remarks and publishes the class's period report; a parent opens Rapporten and the PDF, whose
text is checked and which is rendered to PNG. At 360 px, no sideways scrolling, no axe violations."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login
from inzage.grades.models import PeriodReportStudent
from inzage.reports.tests.pdftext import pdf_facts, pdf_png
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD
from inzage.visibility.tests.conftest import make_result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px sideways scrolling at 360px"


def test_mentor_publishes_and_a_parent_opens_the_pdf(browser, live_server, personas, tmp_path) -> None:
    when = timezone.now() - dt.timedelta(days=20)
    for value in ("6.0", "8.0"):
        make_result(
            student=personas.student,
            group=personas.group,
            period=personas.periods[0],
            value=value,
            release_at=when,
            entered_at=when,
        )

    context, page = _phone(browser, live_server)
    login(page, personas.user("mentor").username, PASSWORD)
    page.get_by_role("link", name="Rapporten publiceren").click()
    expect(page.get_by_role("heading", name="Rapporten publiceren")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Periode 1").first.click()
    expect(page.get_by_role("heading", name="Rapport Periode 1 van H3A")).to_be_visible()
    remark = page.get_by_role("textbox", name="Opmerking van de mentor voor Lotte Jansen")
    remark.fill("Lotte heeft een sterke periode gehad.")
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Rapport publiceren").click()
    expect(page.get_by_text("Het rapport van H3A is gepubliceerd (versie 1).")).to_be_visible()
    expect(page.get_by_role("button", name="Correctie publiceren")).to_be_visible()
    assert_accessible(page)
    context.close()

    context, page = _phone(browser, live_server)
    login(page, personas.user("parent").username, PASSWORD)
    page.get_by_role("link", name="Rapporten").click()
    expect(page.get_by_role("heading", name="Rapporten", level=1)).to_be_visible()
    link = page.get_by_role("link", name="Rapport Periode 1 als PDF")
    expect(link).to_be_visible()
    _fits(page)
    assert_accessible(page)
    response = context.request.get(link.get_attribute("href"))  # the browser's own session
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    facts = pdf_facts(pdf)
    assert len(facts.pages) == 1 and facts.tagged
    text = facts.pages[0]
    assert "Lotte Jansen" in text and "7,0" in text and "Lotte heeft een sterke periode gehad." in text
    assert "Persona College" in text
    png = tmp_path / "rapport.png"
    png.write_bytes(pdf_png(pdf, scale=1.5))
    assert png.stat().st_size > 10_000
    assert PeriodReportStudent.objects.filter(student=personas.student).count() == 1
    context.close()
