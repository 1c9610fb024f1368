"""Uploaded CSV files (inzage.web.csvfiles): the encodings Excel saves, refused bytes named by line, the delimiter.

The imports that use it test it end to end: grades (`inzage/grades/tests/test_imports.py`) and the weekly pattern
(`inzage/timetable/tests/test_import.py`)."""

from __future__ import annotations

import codecs

import pytest

from inzage.web.csvfiles import CsvFileError, csv_decode, csv_delimiter

TEXT = "klas;naam\nH3A;Zoë Café\n"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (TEXT.encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "UTF-8 met BOM"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "UTF-16 (little-endian)"),  # Excel's "Unicode-tekst"
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "UTF-16 (big-endian)"),
        (TEXT.encode("cp1252"), "Windows-1252"),  # Excel's "CSV" on Dutch Windows
    ],
)
def test_every_encoding_excel_saves_is_read(data, label) -> None:
    decoded = csv_decode(data=data)
    assert (decoded.text, decoded.encoding) == (TEXT, label)


def test_an_unreadable_file_names_the_line() -> None:
    with pytest.raises(CsvFileError) as err:
        csv_decode(data=b"leerlingnummer;kolom;cijfer\n1;H1;7\n2;H1;\x81\n")  # 0x81: neither UTF-8 nor cp1252
    assert err.value.line == 3 and "0x81" in err.value.message
    with pytest.raises(CsvFileError) as err:
        csv_decode(data=codecs.BOM_UTF16_LE + "a;b\nc".encode("utf-16-le") + b"\x00")  # odd length
    assert err.value.line == 2 and "UTF-16" in err.value.message


def test_a_damaged_utf8_file_is_refused_not_read_as_cp1252() -> None:
    # "café" in UTF-8 on line 2, a lone cp1252 "é" on line 3: as cp1252 the whole file would read "cafÃ©".
    with pytest.raises(CsvFileError) as err:
        csv_decode(data="leerlingnummer;kolom;cijfer\n1;R1;café\n".encode() + b"2;R1;\xe9\n")
    assert err.value.line == 3 and "UTF-8" in err.value.message and "0xe9" in err.value.message


def test_the_delimiter_is_the_one_the_first_line_uses_most() -> None:
    assert csv_delimiter("leerlingnummer;kolom;cijfer") == ";"
    assert csv_delimiter("leerlingnummer,kolom,cijfer") == ","
    assert csv_delimiter("leerlingnummer\tkolom\tcijfer") == "\t"
    assert csv_delimiter("h3a-wi;ma;1;wi;Jansen, P.") == ";"
    assert csv_delimiter("leerlingnummer") == ";"
