"""The CSV import page with inputs that used to break it: every refusal is a Dutch message per line (422), nothing is
stored, the teacher can correct the file and retry; Excel's UTF-16 "Unicode text" and cp1252 CSV are read."""

import codecs
import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inzage.grades.actions import column_create
from inzage.grades.models import AssessmentKind, Column, Result, ResultVersion
from inzage.testing import factories as f

AT = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))


@pytest.fixture
def columns(personas) -> dict[str, Column]:
    kind = AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")
    common = {"group": personas.group, "kind": kind, "period": personas.periods[0], "by": None, "at": AT}
    return {
        "H1": column_create(name="Hoofdstuk 1", code="H1", date=dt.date(2025, 9, 30), **common),
        "R1": column_create(
            name="Reflectie", code="R1", date=dt.date(2025, 9, 30), result_type=Column.ResultType.TEXT, **common
        ),
    }


@pytest.fixture
def numbers(personas) -> list[str]:
    more = [f.StudentFactory(school=personas.school) for _ in range(2)]
    personas.group.students.add(*more)
    return [personas.student.student_number, *(s.student_number for s in more)]


@pytest.fixture
def url(personas) -> str:
    return reverse("teacher:import", args=[personas.group.pk])


@pytest.fixture
def teacher(client, personas):
    client.force_login(personas.user("teacher"))
    return client


def upload(client, url: str, data: bytes, name: str = "toets.csv"):
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def error_rows(html: str) -> list[tuple[str, str]]:
    """(line, field) of every row of the error table."""
    import re

    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", body)


def nothing_stored() -> bool:
    return not Result.objects.exists() and not ResultVersion.objects.exists()


def test_excel_unicode_text_utf16_is_previewed_and_imported(teacher, url, columns, numbers) -> None:
    a, b, c = numbers
    text = f"leerlingnummer\tkolom\tcijfer\r\n{a}\tH1\t7,5\r\n{b}\tH1\t6\r\n{c}\tR1\tGoed gedaan, Zoë!\r\n"
    response = upload(teacher, url, codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "toets.txt")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Gelezen als UTF-16 (little-endian), gescheiden door tab." in html
    assert "4 regels (met de kopregel): 3 rijen met een resultaat, 3 leerlingen." in html
    assert nothing_stored()
    confirm = html.split('name="csv" hidden>', 1)[1].split("</textarea>", 1)[0]
    response = teacher.post(url, {"csv": confirm[1:], "file_name": "toets.txt", "confirm": "1"})  # the browser drops
    assert response.status_code == 302  # the first newline
    assert sorted(str(r.value or r.text) for r in Result.objects.all()) == ["6.0", "7.5", "Goed gedaan, Zoë!"]


def test_cp1252_file_is_read_with_its_accents(teacher, url, columns, numbers) -> None:
    text = f"leerlingnummer;kolom;cijfer\r\n{numbers[0]};R1;Prima, ook de één na laatste opgave €\r\n"
    response = upload(teacher, url, text.encode("cp1252"))
    html = response.content.decode()
    assert response.status_code == 200 and "Gelezen als Windows-1252" in html
    assert "Prima, ook de één na laatste opgave €" in html


def test_an_unterminated_quote_is_refused_per_line_and_nothing_is_stored(teacher, url, columns, numbers) -> None:
    a, b, c = numbers
    text = f'leerlingnummer;kolom;cijfer\n{a};R1;"Goed gewerkt\n{b};R1;Netjes\n{c};R1;Prima"\n'
    response = upload(teacher, url, text.encode())
    html = response.content.decode()
    assert response.status_code == 422
    assert error_rows(html) == [("2", "cijfer")]
    assert "niets geïmporteerd" in html and "4 regels (met de kopregel): 1 rij met een resultaat" in html
    assert "Pas het bestand aan en kies het hieronder opnieuw." in html and 'name="file"' in html
    assert nothing_stored()


def test_a_huge_field_is_a_message_not_a_500(teacher, url, columns, numbers) -> None:
    text = f"leerlingnummer;kolom;cijfer\n{numbers[0]};R1;{'x' * 200_000}\n"
    response = upload(teacher, url, text.encode())
    assert response.status_code == 422 and "te lang" in response.content.decode()
    assert error_rows(response.content.decode()) == [("2", "")]
    assert nothing_stored()


def test_an_unreadable_file_names_the_line(teacher, url, columns, numbers) -> None:
    data = f"leerlingnummer;kolom;cijfer\n{numbers[0]};H1;7\n{numbers[1]};H1;\x81\n".encode("latin-1")
    response = upload(teacher, url, data)
    html = response.content.decode()
    assert response.status_code == 422 and error_rows(html) == [("3", "")] and "0x81" in html
    assert nothing_stored()


def test_a_comma_file_with_an_unquoted_decimal_comma_is_refused(teacher, url, columns, numbers) -> None:
    response = upload(teacher, url, f"leerlingnummer,kolom,cijfer\n{numbers[0]},H1,7,5\n".encode())
    html = response.content.decode()
    assert response.status_code == 422 and error_rows(html) == [("2", "")]
    assert "4 velden" in html and "&quot;7,5&quot;" in html
    assert nothing_stored()


def test_full_width_digits_are_refused(teacher, url, columns, numbers) -> None:
    response = upload(teacher, url, f"leerlingnummer;kolom;cijfer\n{numbers[0]};H1;７,５\n".encode())
    assert response.status_code == 422 and "gebruik gewone cijfers (0–9)" in response.content.decode()
    assert nothing_stored()


def test_a_file_over_the_cap_is_refused_with_a_message(teacher, url, columns, numbers) -> None:
    big = ("leerlingnummer;kolom;cijfer\n" + f"{numbers[0]};H1;7\n" * 170_000).encode()
    assert len(big) > 2_000_000
    response = upload(teacher, url, big)
    assert response.status_code == 422 and "te groot (ten hoogste 2 MB)" in response.content.decode()
    # The confirm step checks the text it gets back the same way.
    response = teacher.post(url, {"csv": big.decode(), "file_name": "x.csv", "confirm": "1"})
    assert response.status_code == 422 and nothing_stored()


def test_the_confirm_step_validates_again_and_stores_nothing_on_an_error(teacher, url, columns, numbers) -> None:
    text = f'leerlingnummer;kolom;cijfer\n{numbers[0]};H1;"7,5\n{numbers[1]};H1;6\n'
    response = teacher.post(url, {"csv": text, "file_name": "toets.csv", "confirm": "1"})
    assert response.status_code == 422 and error_rows(response.content.decode()) == [("2", "")]
    assert nothing_stored()


def test_the_confirm_form_is_multipart_and_keeps_a_leading_line_break(teacher, url, columns, numbers) -> None:
    text = f"\nleerlingnummer;kolom;cijfer\n{numbers[0]};H1;7,5\n"
    html = upload(teacher, url, text.encode()).content.decode()
    form = html.split('name="confirm"', 1)[0].rsplit("<form", 1)[1]
    assert 'enctype="multipart/form-data"' in form  # a urlencoded ";" takes 3 bytes: 2 MB of CSV could pass 2.5 MB
    assert f'name="csv" hidden>\n{text}</textarea>' in html


@pytest.mark.parametrize("persona", ["other_teacher", "mentor", "student", "parent"])
def test_only_the_groups_teachers_can_post_an_import(client, personas, url, columns, persona) -> None:
    client.force_login(personas.user(persona))
    text = f"leerlingnummer;kolom;cijfer\n{personas.student.student_number};H1;7,5\n"
    assert client.post(url, {"csv": text, "file_name": "x.csv", "confirm": "1"}).status_code == 404
    assert upload(client, url, text.encode()).status_code == 404
    assert nothing_stored()


def test_the_stored_grade_is_exactly_what_the_file_said(teacher, url, columns, numbers) -> None:
    text = f'leerlingnummer,kolom,cijfer\n{numbers[0]},H1,"7,5"\n'
    assert upload(teacher, url, text.encode()).status_code == 200
    teacher.post(url, {"csv": text, "file_name": "t.csv", "confirm": "1"})
    assert Result.objects.get().value == Decimal("7.5")
