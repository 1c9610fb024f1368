"""The CSV import page with inputs that used to break it: every refusal is a Dutch message per line (422), nothing is
stored, the teacher can correct the file and retry; Excel's UTF-16 "Unicode text" and cp1252 CSV are read."""

import codecs
import datetime as dt
import re
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


def confirm_form(html: str) -> dict[str, str]:
    """The preview's confirm form as the browser sends it (the browser drops the textarea's first newline)."""
    import html as html_module
    import re

    text = html.split('name="csv" hidden>', 1)[1].split("</textarea>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="(file_name|confirm|fingerprint)" value="([^"]*)">', html))
    return {**{k: html_module.unescape(v) for k, v in fields.items()}, "csv": html_module.unescape(text[1:])}


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
    response = teacher.post(url, confirm_form(html))
    assert response.status_code == 302
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
    preview = upload(teacher, url, text.encode())
    assert preview.status_code == 200
    assert teacher.post(url, confirm_form(preview.content.decode())).status_code == 302
    assert Result.objects.get().value == Decimal("7.5")


# --- The preview shows old and new values; a stale preview stores nothing; hostile input; the export -------------


def test_the_preview_shows_the_old_and_new_value_of_every_changed_result(teacher, url, columns, numbers) -> None:
    a, b, c = numbers
    first = upload(teacher, url, f"leerlingnummer;kolom;cijfer\n{a};H1;6,0\n{b};H1;5,5\n".encode())
    assert teacher.post(url, confirm_form(first.content.decode())).status_code == 302
    response = upload(teacher, url, f"leerlingnummer;kolom;cijfer\n{a};H1;7,5\n{b};H1;5,5\n{c};H1;8\n".encode())
    html = response.content.decode()
    assert response.status_code == 200 and "1 nieuw, 1 gewijzigd, 1 ongewijzigd." in html
    changed = html.split('id="import-changed"', 1)[1].split("</table>", 1)[0]
    name = Result.objects.get(student__student_number=a).student.full_name
    assert re.search(rf"<td>2</td><td>{name} <span class=\"muted\">{a}</span></td><td>H1</td>"
                     r'<td class="value">6,0</td><td class="value">7,5</td>', changed)  # fmt: skip
    assert b not in changed  # unchanged: not listed as a change
    new = html.split('id="import-new"', 1)[1].split("</table>", 1)[0]
    assert c in new and "8,0" in new
    assert Result.objects.get(student__student_number=a).value == Decimal("6.0")  # nothing stored before confirm


def test_a_confirm_after_a_colleagues_change_stores_nothing_and_shows_the_new_preview(
    client, personas, teacher, url, columns, numbers
) -> None:
    from inzage.grades.actions import result_change
    from inzage.grades.parsing import parse_cell

    a, b, _c = numbers
    first = upload(teacher, url, f"leerlingnummer;kolom;cijfer\n{a};H1;6,0\n".encode())
    teacher.post(url, confirm_form(first.content.decode()))
    preview = upload(teacher, url, f"leerlingnummer;kolom;cijfer\n{a};H1;7,5\n{b};H1;8\n".encode())
    form = confirm_form(preview.content.decode())
    stored = Result.objects.get(student__student_number=a)
    result_change(result=stored, cell=parse_cell("9", result_type="number"), by=None, at=timezone.now(), reason="x")
    versions = ResultVersion.objects.count()
    response = teacher.post(url, form)
    html = response.content.decode()
    assert response.status_code == 409 and "Sinds het voorbeeld zijn er resultaten gewijzigd" in html
    assert '<td class="value">9,0</td><td class="value">7,5</td>' in html  # the colleague's value, shown now
    assert Result.objects.count() == 1 and ResultVersion.objects.count() == versions  # b's 8 not stored either
    assert teacher.post(url, confirm_form(html)).status_code == 302  # confirmed with what is shown now: stored
    assert Result.objects.get(student__student_number=a).value == Decimal("7.5")


def test_a_confirm_without_the_previews_fingerprint_is_a_preview_not_a_write(teacher, url, columns, numbers) -> None:
    text = f"leerlingnummer;kolom;cijfer\n{numbers[0]};H1;7,5\n"
    response = teacher.post(url, {"csv": text, "file_name": "x.csv", "confirm": "1"})
    assert response.status_code == 409 and 'name="fingerprint"' in response.content.decode()
    assert nothing_stored()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"leerlingnummer;kolom;cijfer\n1;H1;7\x00\x00\n", "nul-teken"),  # NUL bytes in a UTF-8 file
        ("leerlingnummer;kolom;cijfer\n1;H1;7\n".encode("utf-16-le"), "UTF-16 zonder BOM"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x81\x8d\x90", "onleesbaar"),  # an image
        (codecs.BOM_UTF16_LE + "a;b\n".encode("utf-16-le") + b"\x00", "UTF-16"),  # odd length
        (codecs.BOM_UTF8 + b"leerlingnummer;kolom;cijfer\n1;H1;\xff\n", "UTF-8"),
    ],
)
def test_unreadable_bytes_give_a_dutch_message_never_a_500(teacher, url, columns, numbers, data, expected) -> None:
    response = upload(teacher, url, data)
    assert response.status_code == 422 and expected in response.content.decode()
    assert "er is niets geïmporteerd" in response.content.decode() and nothing_stored()


def test_a_very_long_line_is_refused_quickly(teacher, url, columns, numbers) -> None:
    import time

    long_line = f"{numbers[0]};H1;7;" + ";x" * 900_000  # 1.8 MB, 900,000 fields on one line
    started = time.perf_counter()
    response = upload(teacher, url, f"leerlingnummer;kolom;cijfer\n{long_line}\n".encode())
    assert response.status_code == 422
    assert "Deze regel heeft 900004 velden, de kopregel 3." in response.content.decode()
    assert error_rows(response.content.decode()) == [("2", "")] and nothing_stored()
    assert time.perf_counter() - started < 30  # generous on a loaded machine; it takes ~1 s


def test_many_empty_lines_and_a_header_only_file_are_handled(teacher, url, columns, numbers) -> None:
    response = upload(teacher, url, b"leerlingnummer;kolom;cijfer\n" + b"\n" * 500_000)
    assert response.status_code == 200 and "0 nieuw, 0 gewijzigd, 0 ongewijzigd." in response.content.decode()
    assert upload(teacher, url, b"").status_code == 422


def test_a_formula_is_stored_as_text_and_exported_harmless(client, personas, teacher, url, columns, numbers) -> None:
    a, b, _c = numbers
    text = f"leerlingnummer;kolom;cijfer\n{a};R1;=cmd|' /C calc'!A0\n{b};R1;\"+SUM(1;2)\"\n{a};H1;=1+1\n"
    refused = upload(teacher, url, text.encode())
    assert refused.status_code == 422 and error_rows(refused.content.decode()) == [("4", "cijfer")]  # not a grade
    preview = upload(teacher, url, text.rsplit(f"{a};H1", 1)[0].encode())
    html = preview.content.decode()
    assert "=cmd|&#x27; /C calc&#x27;!A0" in html  # shown as text, escaped
    assert teacher.post(url, confirm_form(html)).status_code == 302
    assert sorted(Result.objects.values_list("text", flat=True)) == ["+SUM(1;2)", "=cmd|' /C calc'!A0"]
    response = teacher.get(reverse("teacher:export", args=[personas.group.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    exported = response.content.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in exported and '"\'+SUM(1;2)"' in exported
    lines = [line for line in exported.splitlines()[1:] if line]
    assert all(not field.lstrip('"').startswith(("=", "+", "-", "@")) for line in lines for field in line.split(";"))
    again = upload(teacher, url, response.content, "export.csv")  # the export imports as exactly what is stored
    assert again.status_code == 200 and "0 nieuw, 0 gewijzigd, 2 ongewijzigd." in again.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("student", 404),
        ("parent", 404),
        ("other_parent", 404),
        ("parent_without_custody", 404),
        ("mentor", 404),
        ("other_teacher", 404),
        ("teacher", 200),
        ("admin", 200),
    ],
)
def test_the_export_is_for_the_groups_teachers_and_administrators(client, personas, columns, persona, status) -> None:
    client.force_login(personas.user(persona))
    assert client.get(reverse("teacher:export", args=[personas.group.pk])).status_code == status
    assert client.get(reverse("teacher:export", args=[999_999])).status_code == 404


def test_the_export_asks_anonymous_visitors_to_sign_in(client, personas) -> None:
    response = client.get(reverse("teacher:export", args=[personas.group.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["student", "parent", "other_parent", "parent_without_custody", "admin"])
def test_the_import_page_personas(client, personas, url, columns, persona) -> None:
    client.force_login(personas.user(persona))
    assert client.get(url).status_code == (200 if persona == "admin" else 404)
