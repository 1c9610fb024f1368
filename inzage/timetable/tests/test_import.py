"""The administrator's CSV import of the weekly pattern: who may open it, a good file (preview, then stored, lessons
made again), bad lines named in Dutch with nothing stored, huge input, every encoding Excel saves, lines with more
fields than the header."""

from __future__ import annotations

import codecs
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inzage.people.models import StaffRole
from inzage.testing import factories as f
from inzage.timetable.imports import pattern_check
from inzage.timetable.models import Lesson, PatternEntry, Room, TimetableImport
from inzage.timetable.tests.conftest import ALL_PERSONAS

pytestmark = pytest.mark.django_db
URL = reverse("timetable:pattern_import")
TODAY = dt.date(2025, 9, 9)  # conftest's NOW
HEADER = "klas/groep;dag;lesuur;vak;docentcode;lokaal;week;geldig vanaf;geldig tot"
GOOD = f"{HEADER}\nh3a-wi;ma;2;wi;DOC;B101;;;\nH3A;do;4;wi;DOC;B105;B;;\n"


def _stored() -> tuple[int, int, int]:
    return PatternEntry.objects.count(), TimetableImport.objects.count(), Room.objects.count()


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_only_the_administrator_opens_the_import(client, tt, user_of, now, name) -> None:
    client.force_login(user_of(name))
    assert client.get(URL).status_code == (200 if name == "admin" else 404), name
    assert client.post(URL, {"text": GOOD}).status_code in ((200,) if name == "admin" else (404,))
    assert TimetableImport.objects.count() == 0


def test_an_administrator_of_a_school_without_a_school_year_has_no_page_and_no_link(client, tt, now) -> None:
    admin = f.StaffFactory(school=f.SchoolFactory(name="Nieuw College"), code="NWB")
    f.StaffRoleFactory(staff=admin, role=StaffRole.Role.ADMINISTRATOR)
    client.force_login(admin.user)
    assert client.get(URL).status_code == 404
    assert URL not in client.get("/").content.decode()
    client.force_login(tt.user("admin"))
    assert URL in client.get("/").content.decode()


def test_a_good_file_is_previewed_then_stored_and_the_lessons_follow(client, tt, user_of, now) -> None:
    client.force_login(user_of("admin"))
    before = _stored()
    page = client.post(URL, {"file": SimpleUploadedFile("rooster.csv", GOOD.encode())})
    assert page.status_code == 200 and _stored() == before  # a preview stores nothing
    html = page.content.decode()
    assert "2 lessen per week voor 1 groepen" in html and "Nieuwe lokalen: B105" in html
    assert 'name="confirm" value="1"' in html and "h3a-wi;ma;2;wi;DOC;B101" in html

    response = client.post(URL, {"text": GOOD, "filename": "rooster.csv", "confirm": "1"})
    assert response.status_code == 302
    batch = TimetableImport.objects.get()
    assert (batch.lines, batch.filename, batch.imported_by) == (2, "rooster.csv", tt.user("admin"))
    new = PatternEntry.objects.filter(batch=batch).order_by("weekday")
    assert [(e.weekday, e.slot_number, e.week, e.room.code) for e in new] == [(1, 2, "", "B101"), (4, 4, "B", "B105")]
    old = PatternEntry.objects.filter(group=tt.group, batch=None)
    assert {e.valid_until for e in old} == {TODAY - dt.timedelta(days=1)}  # ended, not edited away
    live = Lesson.objects.filter(group=tt.group, withdrawn_at__isnull=True)
    assert live.filter(date=dt.date(2025, 9, 8), slot_number=1).exists()  # Monday's lesson was given: it stays
    assert not live.filter(date=dt.date(2025, 9, 15), slot_number=1).exists()
    assert live.filter(date=dt.date(2025, 9, 15), slot_number=2).exists()
    assert PatternEntry.objects.filter(group=tt.other_group, valid_until=tt.year.end).count() == 3  # not named
    follow = client.get(URL).content.decode()
    assert "rooster.csv" in follow


def test_importing_the_same_file_again_replaces_it_without_double_lessons(client, tt, user_of, now) -> None:
    client.force_login(user_of("admin"))
    for _ in range(2):
        assert client.post(URL, {"text": GOOD, "confirm": "1"}).status_code == 302
    first, second = TimetableImport.objects.order_by("pk")
    assert PatternEntry.objects.filter(batch=first, superseded_by=second).count() == 2
    monday = Lesson.objects.filter(group=tt.group, date=dt.date(2025, 9, 15), withdrawn_at__isnull=True)
    assert monday.count() == 1 and monday.get().pattern_entry.batch == second


def test_every_bad_line_is_named_with_its_field_and_nothing_is_stored(client, tt, user_of, now) -> None:
    text = "\n".join(
        [
            HEADER,
            "h9z-wi;ma;2;wi;DOC;B101;;;",  # 2: unknown group
            "h3a-wi;za;2;wi;DOC;B101;;;",  # 3: not a school day
            "h3a-wi;ma;9;wi;DOC;B101;;;",  # 4: no 9th hour
            "h3a-wi;ma;3;wi;XYZ;B101;;;",  # 5: unknown teacher
            "h3a-wi;ma;4;wi;DOC;B101;C;;",  # 6: week C
            "h3a-wi;ma;5;wi;DOC;B101;;31-02-2026;",  # 7: no such date
            "h3a-wi;ma;6;wi;DOC;B101;;;;extra",  # 8: ten fields, the header has nine
            "h3a-wi;ma;7;ne;DOC;B101;;;",  # 9: unknown subject
            "h3a-wi;ma;8;wi;DOC;B101;;01-09-2025;",  # 10: in the past
        ]
    )
    client.force_login(user_of("admin"))
    before = _stored()
    response = client.post(URL, {"text": text})
    assert response.status_code == 422 and _stored() == before
    html = response.content.decode()
    expected = [
        (2, "klas/groep", "Onbekende klas of lesgroep „h9z-wi”."),
        (3, "dag", "„za” is geen schooldag: ma, di, wo, do of vr."),
        (4, "lesuur", "Er is geen 9e uur op maandag in dit schooljaar."),
        (5, "docentcode", "Onbekende docentcode „XYZ”."),
        (6, "week", "„C”: laat leeg (elke week) of vul A of B in."),
        (7, "geldig vanaf", "„31-02-2026” is geen datum: schrijf dd-mm-jjjj."),
        (8, "–", "Deze regel heeft 10 velden, de kopregel 9. Staat er een puntkomma te veel, of een in een waarde?"),
        (9, "vak", "Onbekende vakcode „ne”."),
        (10, "geldig vanaf", "01-09-2025 ligt in het verleden"),
    ]
    for line, field, message in expected:
        assert f"<tr><td>{line}</td><td>{field}</td><td>{message}" in html, (line, message)
    assert "h9z-wi;ma;2;wi;DOC;B101" in html  # the text is kept for correction
    # Clashes are checked once every line reads well.
    clashes = "\n".join([HEADER, "h3a-wi;di;1;wi;DOC;B101;;;", "h3a-wi;di;1;wi;DOC;B104;A;;", "h3a-wi;ma;1;wi;AND;;;;"])
    html = client.post(URL, {"text": clashes}).content.decode()
    assert "<tr><td>3</td><td>docentcode</td><td>Docent DOC heeft op dinsdag het 1e uur al les (regel 2)." in html
    assert "<tr><td>4</td><td>docentcode</td><td>Docent AND heeft op maandag het 1e uur al les" in html
    assert "het rooster van h3b-wi dat blijft" in html
    assert _stored() == before


def test_a_and_b_weeks_do_not_clash_but_every_week_clashes_with_both(tt) -> None:
    text = "h3a-wi;di;1;wi;DOC;B101;A;;\nh3a-wi;di;1;wi;DOC;B101;B;;\n"
    assert pattern_check(school_year=tt.year, text=text, today=TODAY).ok
    check = pattern_check(school_year=tt.year, text=text + "h3a-wi;di;1;wi;DOC;B101;;;\n", today=TODAY)
    assert [(e.line, e.field) for e in check.errors] == [(3, "docentcode"), (3, "lokaal"), (3, "klas/groep")]


def test_dates_in_dutch_or_iso_within_the_year(tt) -> None:
    check = pattern_check(school_year=tt.year, text="h3a-wi;vr;3;wi;DOC;;;2025-10-01;31-1-2026", today=TODAY)
    assert check.ok and (check.lines[0].valid_from, check.lines[0].valid_until) == (
        dt.date(2025, 10, 1),
        dt.date(2026, 1, 31),
    )
    outside = pattern_check(school_year=tt.year, text="h3a-wi;vr;3;wi;DOC;;;;01-09-2027", today=TODAY)
    assert "ligt buiten schooljaar" in outside.errors[0].message and outside.errors[0].field == "geldig tot"
    backwards = pattern_check(school_year=tt.year, text="h3a-wi;vr;3;wi;DOC;;;01-12-2025;01-10-2025", today=TODAY)
    assert backwards.errors[0].message == "De laatste dag ligt vóór de eerste."


def test_huge_input_is_refused_with_a_message(client, tt, user_of, now) -> None:
    client.force_login(user_of("admin"))
    before = _stored()
    many = HEADER + "\n" + "h3a-wi;ma;2;wi;DOC;B101;;;\n" * 20_001
    html = client.post(URL, {"file": SimpleUploadedFile("groot.csv", many.encode())}).content.decode()
    assert "Te veel regels (ten hoogste 20000)" in html
    big = SimpleUploadedFile("groot.csv", b"h3a-wi;ma;2;wi;DOC;B101;;;\n" * 80_000)  # over 2 MB
    response = client.post(URL, {"file": big})
    assert response.status_code == 422 and "Het bestand is te groot" in response.content.decode()
    # Typed text beyond Django's request limit: the same message, not an error page.
    response = client.post(URL, {"text": "x" * 3_000_000}, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422 and "Het bestand is te groot" in response.content.decode()
    assert _stored() == before


# Excel's exports: "CSV UTF-8" (a BOM, `;`), "CSV" (cp1252, `;`), "Unicode-tekst" (UTF-16 with a BOM, tabs).
ACCENTED = GOOD + "h3a-wi;vr;3;wi;DÉB;Café;;;\n"  # a teacher and a new room with an é


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        (ACCENTED.encode("utf-8"), "UTF-8", "puntkomma"),
        (codecs.BOM_UTF8 + ACCENTED.encode("utf-8"), "UTF-8 met BOM", "puntkomma"),
        (ACCENTED.encode("cp1252"), "Windows-1252", "puntkomma"),
        (codecs.BOM_UTF16_LE + ACCENTED.replace(";", "\t").replace("\n", "\r\n").encode("utf-16-le"), "UTF-16", "tab"),
        (codecs.BOM_UTF16_LE + ACCENTED.encode("utf-16-le"), "UTF-16", "puntkomma"),
        (codecs.BOM_UTF16_BE + ACCENTED.replace(";", "\t").encode("utf-16-be"), "UTF-16", "tab"),
        (codecs.BOM_UTF8 + ACCENTED.replace(";", ",").encode("utf-8"), "UTF-8 met BOM", "komma"),
    ],
)
def test_every_encoding_excel_saves_is_read(client, tt, user_of, now, data, encoding, delimiter) -> None:
    f.StaffFactory(school=tt.school, code="DÉB", first_name="Débora", last_name="Dekker")
    client.force_login(user_of("admin"))
    page = client.post(URL, {"file": SimpleUploadedFile("rooster.csv", data)})
    html = page.content.decode()
    assert page.status_code == 200, html
    assert "3 lessen per week voor 1 groepen" in html and "Nieuwe lokalen: B105, Café" in html
    assert f"Gelezen als {encoding}" in html and f"gescheiden door {delimiter}" in html
    # The decoded text goes back with the confirm (as text): stored with the accents intact.
    assert client.post(URL, {"text": page.context["text"], "confirm": "1"}).status_code == 302
    friday = PatternEntry.objects.get(batch__isnull=False, weekday=5)
    assert (friday.teacher.code, friday.room.code) == ("DÉB", "Café")


def test_bytes_of_no_known_encoding_are_refused_with_their_line(client, tt, user_of, now) -> None:
    client.force_login(user_of("admin"))
    before = _stored()
    data = GOOD.encode() + b"h3a-wi;vr;3;wi;DOC;\x81;;;\n"  # 0x81: neither UTF-8 nor cp1252
    response = client.post(URL, {"file": SimpleUploadedFile("rooster.csv", data)})
    html = response.content.decode()
    assert (
        response.status_code == 422
        and "<tr><td>4</td><td>–</td><td>Het bestand is geen UTF-8 en geen Windows-1252" in html
    )
    assert "0x81" in html and "CSV UTF-8" in html and _stored() == before


def test_utf16_without_a_bom_is_refused_with_the_line(client, tt, user_of, now) -> None:
    client.force_login(user_of("admin"))
    response = client.post(URL, {"file": SimpleUploadedFile("rooster.csv", GOOD.encode("utf-16-le"))})
    html = response.content.decode()
    assert response.status_code == 422 and "<tr><td>1</td><td>–</td><td>Deze regel bevat een nul-teken" in html


def test_a_line_with_more_fields_than_the_header_is_an_error_never_cut_off(tt) -> None:
    short_header = "klas/groep;dag;lesuur;vak;docentcode;lokaal"
    text = f"{short_header}\nh3a-wi;ma;2;wi;DOC;B101\nh3a-wi;ma;3;wi;DOC;B101;A\n"
    check = pattern_check(school_year=tt.year, text=text, today=TODAY)
    assert [(e.line, e.field) for e in check.errors] == [(3, "")]
    assert check.errors[0].message.startswith("Deze regel heeft 7 velden, de kopregel 6.")
    assert [line.line for line in check.lines] == [2]  # line 3 is not read as its first six fields
    # Without a header, more than nine fields is the error; in a comma file the message names the comma.
    comma = pattern_check(school_year=tt.year, text="h3a-wi,ma,2,wi,DOC,B101,,,,x\n", today=TODAY)
    assert [(e.line, e.message) for e in comma.errors] == [(1, "10 velden; een regel heeft er ten hoogste 9.")]
    wide = pattern_check(
        school_year=tt.year, text=short_header.replace(";", ",") + ",x\nh3a-wi,ma,2,wi,DOC,B101,A,,,x\n", today=TODAY
    )
    assert "de kopregel 7. Staat er een komma te veel" in wide.errors[0].message


def test_empty_fields_at_the_end_of_a_line_lose_nothing_and_are_read(tt) -> None:
    text = f"{HEADER};;\nh3a-wi;ma;2;wi;DOC;B101;;;;;\nH3A;do;4;wi;DOC;B105;B;;;\n"  # Excel pads every row
    check = pattern_check(school_year=tt.year, text=text, today=TODAY)
    assert check.ok, check.errors
    assert [(line.slot_number, line.room_code, line.week) for line in check.lines] == [
        (2, "B101", ""),
        (4, "B105", "B"),
    ]


@pytest.mark.parametrize("text", ["", ";;;;", "\x00\x00", '"unclosed;ma;1', "h3a-wi;ma;99999999999999;wi;DOC", "a;b;c"])
def test_odd_input_gives_a_message_never_a_500(client, tt, user_of, now, text) -> None:
    client.force_login(user_of("admin"))
    response = client.post(URL, {"text": text})
    assert response.status_code == 422 and 'role="alert"' in response.content.decode()
