"""CSV export of a teaching group's results, in the import's own format, safe to open in a spreadsheet.

One row per stored result (not retracted) of the group's columns: `leerlingnummer;naam;kolom;cijfer`, semicolons
(Dutch Excel), UTF-8 with a BOM (so Excel does not read it as Windows-1252), CRLF line breaks, values as in the grid
(7,5 / o / inh / a report text, quoted when it holds a line break). The import ignores `naam`, so an exported file
can be edited and imported again.

Formula injection: a spreadsheet runs a cell that begins with `=`, `+`, `-`, `@` (or a tab or carriage return before
one) as a formula — a report text `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` typed by anyone who can write one would
run on the teacher's machine. Such a field is written with a leading apostrophe (`'=cmd()`), which spreadsheets show
as text; the import takes that apostrophe off again in text fields (`spreadsheet_unescape`), so the round trip stores
exactly what was stored before. Stored values themselves are never altered: the text `=cmd()` is kept as typed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from inzage.grades.models import Column, Result
from inzage.grades.parsing import display_cell
from inzage.people.models import Student

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_HEADER = ["leerlingnummer", "naam", "kolom", "cijfer"]


def spreadsheet_safe(value: str) -> str:
    """`value` as a spreadsheet shows it as text: a leading apostrophe when it would otherwise be a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def spreadsheet_unescape(value: str) -> str:
    """The inverse of `spreadsheet_safe` for a field read back from a file (an apostrophe before a formula start)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def results_csv(
    *, columns: Iterable[Column], students: Iterable[Student], results: Mapping[tuple[int, int], Result]
) -> str:
    """The export's text (caller checked that the viewer may see these results; see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    columns = [c for c in columns if c.retracted_at is None]
    for student in students:
        for column in columns:
            shown = display_cell(results.get((column.pk, student.pk)))
            if not shown:
                continue
            writer.writerow(
                [spreadsheet_safe(part) for part in (student.student_number, student.full_name, column.code, shown)]
            )
    return out.getvalue()
