"""A teacher imports Excel's "Unicode text" (UTF-16, tab-separated) with a report over two lines, in a real browser:
the preview counts lines, rows and students, the confirm form sends the text back, and what is stored is exactly
what the file said (the browser's CRLF round trip does not change the report)."""

import codecs
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login
from inzage.grades.actions import column_create
from inzage.grades.models import AssessmentKind, Column, Result
from inzage.testing import factories as f
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_imports_excel_unicode_text_and_fixes_a_refused_file(page, personas, tmp_path) -> None:
    group = personas.group
    other = f.StudentFactory(school=personas.school)
    group.students.add(other)
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    common = {"group": group, "kind": kind, "period": personas.periods[0], "by": None, "at": timezone.now()}
    column_create(name="Hoofdstuk 1", code="H1", date=dt.date(2025, 10, 1), **common)
    column_create(name="Reflectie", code="R1", date=dt.date(2025, 10, 1), result_type=Column.ResultType.TEXT, **common)
    a, b = personas.student.student_number, other.student_number
    login(page, personas.user("teacher").username, PASSWORD)
    page.goto(f"/docent/groep/{group.pk}/import/")

    bad = tmp_path / "fout.csv"
    bad.write_bytes(f"leerlingnummer,kolom,cijfer\n{a},H1,7,5\n".encode())
    page.set_input_files("#file", str(bad))
    page.get_by_role("button", name="Voorbeeld tonen").click()
    expect(page.get_by_text("1 fout: er is niets geïmporteerd.")).to_be_visible()
    expect(page.get_by_role("cell", name="Deze regel heeft 4 velden", exact=False)).to_be_visible()
    assert_accessible(page)

    text = (
        f'leerlingnummer\tkolom\tcijfer\r\n{a}\tH1\t7,5\r\n{b}\tH1\t6\r\n{a}\tR1\t"Goed.\r\nVolgende keer netter."\r\n'
    )
    good = tmp_path / "toets.txt"
    good.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    page.set_input_files("#file", str(good))
    page.get_by_role("button", name="Voorbeeld tonen").click()
    expect(page.get_by_text("Gelezen als UTF-16 (little-endian), gescheiden door tab.", exact=False)).to_be_visible()
    expect(
        page.get_by_text("5 regels (met de kopregel): 3 rijen met een resultaat, 2 leerlingen.", exact=False)
    ).to_be_visible()
    assert_accessible(page)
    assert not Result.objects.exists()
    page.get_by_role("button", name="Importeren bevestigen").click()
    expect(page.get_by_text("Geïmporteerd: 3 nieuw, 0 gewijzigd.")).to_be_visible()
    stored = sorted(str(r.value or r.text) for r in Result.objects.all())
    assert stored == [str(Decimal("6.0")), str(Decimal("7.5")), "Goed.\nVolgende keer netter."]
