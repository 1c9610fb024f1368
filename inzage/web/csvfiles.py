"""Uploaded CSV files as Excel saves them: bytes → text (`csv_decode`) and the delimiter (`csv_delimiter`).

Used by every CSV import (grades: `inzage.grades.imports`, the weekly pattern: `inzage.timetable.imports`). Excel
writes, depending on the choice in "Opslaan als" and the Windows language:

- "CSV UTF-8 (door komma's gescheiden)": UTF-8 with a BOM, `;` on Dutch Windows;
- "CSV (door komma's gescheiden)": Windows-1252 (cp1252), no BOM, `;`;
- "Unicode-tekst": UTF-16 little-endian with a BOM, tab-separated;
- and from other programs UTF-8 without a BOM, often with `,`.

Decoding is strict: bytes that fit none of these raise `CsvFileError` with the line, never a guess that would store
"Ã©" for "é".
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 met BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (big-endian)"),
)
# A multi-byte UTF-8 character (é is C3 A9). In cp1252 text such pairs are rare: an accented capital followed by
# punctuation from 0x80–0xBF.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
DELIMITER_NAMES: dict[str, str | Promise] = {
    ";": gettext_lazy("puntkomma"),
    ",": gettext_lazy("komma"),
    "\t": gettext_lazy("tab"),
}


class CsvFileError(ValueError):
    """The file cannot be read as text; `line` (1-based) says where, `message` is Dutch and names what to do."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class DecodedFile:
    """An uploaded file's text and the encoding it was read with (a label shown in the preview)."""

    text: str
    encoding: str


def line_at(text: str, index: int) -> int:
    """The 1-based line of `text[index]`, counting CRLF, CR and LF as one line break each."""
    return len(LINE_BREAK.findall(text, 0, index)) + 1


def nul_character(text: str) -> CsvFileError | None:
    """The first NUL character in pasted or decoded text, as an error on its line (a UTF-16 file without a BOM read
    as UTF-8 is full of them); None when there is none."""
    if "\x00" not in text:
        return None
    return CsvFileError(
        line_at(text, text.index("\x00")),
        _(
            "Deze regel bevat een nul-teken: is het bestand UTF-16 zonder BOM? "
            "Sla het op als „CSV UTF-8” en kies het opnieuw."
        ),
    )


def _decode(data: bytes, codec: str, label: str) -> DecodedFile:
    try:
        return DecodedFile(data.decode(codec), label)
    except UnicodeDecodeError as err:
        before = data[: err.start].decode(codec, errors="replace")
        line = line_at(before, len(before))
        shown = " ".join(f"0x{b:02x}" for b in data[err.start : err.end][:4])
        if codec == "cp1252":
            message = _(
                "Het bestand is geen UTF-8 en geen Windows-1252 (onleesbaar: %(bytes)s). "
                "Sla het op als „CSV UTF-8” en probeer het opnieuw."
            ) % {"bytes": shown}
        else:
            message = _(
                "Het bestand begint als %(enc)s maar is dat verderop niet (onleesbaar: %(bytes)s). "
                "Sla het opnieuw op als „CSV UTF-8” en probeer het opnieuw."
            ) % {"enc": label, "bytes": shown}
        raise CsvFileError(line, message) from None


def csv_decode(*, data: bytes) -> DecodedFile:
    """Uploaded bytes → text: BOM (UTF-8, UTF-16 LE/BE), else strict UTF-8, else Windows-1252; else CsvFileError.

    UTF-8 first because it is strict: cp1252 text with accents is almost never valid UTF-8, while every UTF-8 file
    would "decode" as cp1252 into mojibake. cp1252 leaves only 5 bytes undefined, so it is the last resort.
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return _decode(data, codec, label)
    try:
        return DecodedFile(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as err:
        if _UTF8_SEQUENCE.search(data):
            # Valid UTF-8 accents AND an invalid byte: a damaged or pasted-together UTF-8 file. Reading it as cp1252
            # would store "Ã©" for "é" without a word, so refuse and say where.
            before = data[: err.start].decode("utf-8")
            shown = " ".join(f"0x{b:02x}" for b in data[err.start : err.end][:4])
            raise CsvFileError(
                line_at(before, len(before)),
                _(
                    "Het bestand is UTF-8, maar deze regel niet (onleesbaar: %(bytes)s). "
                    "Sla het opnieuw op als „CSV UTF-8” en probeer het opnieuw."
                )
                % {"bytes": shown},
            ) from None
        return _decode(data, "cp1252", "Windows-1252")


def csv_delimiter(first_line: str) -> str:
    """`;`, tab or `,`: whichever the first line (the header, where there is one) uses most; `;` when none."""
    counts = {d: first_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"
