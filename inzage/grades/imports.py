"""CSV import of results (e.g. from a test platform): decode → plan (validate, preview) → apply (all-or-nothing).

Format: a header row, then one result per record. Columns, by header name (case-insensitive):
  leerlingnummer (student_number)   the student's number at the school
  kolom (column)                    the column code in the teaching group, e.g. H1
  cijfer (grade)                    as typed in the grid: 7,5 / 7.5 / o/v/g / inh / vr / tnm / text
  groep (group)                     the teaching group's name; optional when importing into one group
The delimiter is detected from the header row: `;`, tab or `,` (with `,` a decimal comma must be quoted: "7,5").
An empty grade is skipped. A value equal to the stored one changes nothing, so importing a file twice adds no versions
the second time. Replacing an entered value is allowed and recorded with the reason "CSV-import <file name>".
Any error in any record refuses the whole file (nothing is written); the plan lists every error with its line number.

Reading is strict, because a lenient CSV reader loses data without a word:
- bytes → text (`inzage.web.csvfiles.csv_decode`, shared with the timetable's import): a BOM decides (UTF-8,
  UTF-16 LE/BE); without one strict UTF-8, else Windows-1252 (Excel's "CSV" on Dutch Windows), unless the file also
  holds valid UTF-8 accents (a damaged UTF-8 file, which cp1252 would turn into "Ã©"). Bytes that fit none of these
  raise `CsvFileError` with the line.
- a quoted field may run over several lines only as the grade of a text column (a report), and not when a following
  line begins like a record of its own (an unclosed quote swallowing other students' rows);
- a record with more non-empty fields than the header is refused (an unquoted `7,5` in a comma file is two fields);
- fields over MAX_FIELD_CHARS are refused; so is a NUL character (UTF-16 without a BOM);
- any `csv.Error` becomes a message on the record's line and stops the reading (what follows cannot be trusted).

The preview lists every result the file would write, the stored value beside the new one (`ImportPlan.changes`), and
carries the plan's fingerprint (the stored version of every result the file touches). Applying checks it again under
the column locks: if anything changed since the preview, nothing is written (`ImportStale`), so a colleague's value
is never overwritten by a preview that did not show it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.grades.actions import SaveOutcome, results_save
from inzage.grades.exports import spreadsheet_unescape
from inzage.grades.models import Column, Result
from inzage.grades.parsing import CellError, ParsedCell, display_cell, parse_cell
from inzage.people.models import Student
from inzage.schools.models import TeachingGroup
from inzage.web.csvfiles import DELIMITER_NAMES, LINE_BREAK, csv_delimiter, nul_character

HEADERS = {
    "leerlingnummer": "student",
    "student_number": "student",
    "kolom": "column",
    "column": "column",
    "column_code": "column",
    "cijfer": "grade",
    "grade": "grade",
    "resultaat": "grade",
    "groep": "group",
    "group": "group",
    "lesgroep": "group",
}
LABELS = {"student": "leerlingnummer", "column": "kolom", "grade": "cijfer", "group": "groep"}
MAX_ERRORS_SHOWN = 200
# The upload cap. The preview sends the decoded text back with the confirm form, so the text (UTF-8, line breaks as
# CRLF) must also stay under Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): see `import_text_too_large`.
MAX_FILE_BYTES = 2_000_000
# A report text may be 5000 characters (parsing.py); any field this long is a mistake, usually an unclosed quote.
# Checked here rather than by lowering csv.field_size_limit, which is process-wide; fields over the csv module's own
# limit (128 KiB) raise csv.Error, which is turned into the same message.
MAX_FIELD_CHARS = 10_000
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_WHOLE = re.compile(r"\s*[0-9]{1,2}\s*", re.ASCII)
_DIGIT = re.compile(r"\s*[0-9]\s*", re.ASCII)


@dataclass(frozen=True)
class RowError:
    """One refused record: its line number in the file (header = 1), which field, and a Dutch message."""

    line: int
    field: str
    message: str


class ImportStale(Exception):
    """The stored results changed since the preview (or a column was retracted): nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PlannedCell:
    """One result the file would write, for the preview: `old` is what is stored now ("" when nothing is)."""

    line: int
    student_number: str
    student_name: str
    column_code: str
    old: str
    new: str

    @property
    def is_new(self) -> bool:
        return self.old == ""


@dataclass
class ImportPlan:
    """What applying the file would do. `errors` non-empty → nothing may be applied.

    `lines` counts the file's lines (header included), `rows` its records with content, `students` the distinct
    student numbers in them: a quote that joins lines shows as fewer rows than lines.
    """

    cells: list[tuple[Column, int, ParsedCell]] = field(default_factory=list)
    existing: dict[tuple[int, int], Result] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    changes: list[PlannedCell] = field(default_factory=list)  # what `cells` writes, in file order, for the preview
    loaded: dict[tuple[int, int], int] = field(default_factory=dict)  # every cell's stored version now (0: none)
    lines: int = 0
    rows: int = 0
    students: int = 0
    delimiter: str = ""
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def delimiter_name(self) -> str:
        """The delimiter in words (Dutch, or English on English pages), for the preview."""
        return str(DELIMITER_NAMES.get(self.delimiter, self.delimiter))

    @property
    def changed_cells(self) -> list[PlannedCell]:
        """The results that would replace a stored value (the preview lists every one of them)."""
        return [c for c in self.changes if not c.is_new]

    @property
    def new_cells(self) -> list[PlannedCell]:
        return [c for c in self.changes if c.is_new]

    @property
    def fingerprint(self) -> str:
        """What the preview was made from: every touched result's stored version (unchanged ones included, so a
        colleague's later change to one of them is noticed too) and what the file writes."""
        digest = hashlib.sha256()
        for (column_id, student_id), version in sorted(self.loaded.items()):
            digest.update(f"{column_id}:{student_id}:{version};".encode())
        for change in self.changes:
            digest.update(f"{change.line}|{change.new}\x1f".encode())
        return digest.hexdigest()[:32]


def import_text_too_large(text: str) -> bool:
    """Whether `text` would exceed MAX_FILE_BYTES once the browser sends it back (UTF-8, every line break as CRLF)."""
    return len(text.encode("utf-8", errors="replace")) + text.count("\n") + text.count("\r") > MAX_FILE_BYTES


def _csv_message(err: csv.Error, *, start: int, end: int, more: bool) -> str:
    """A Dutch message for what the csv module refused (its own messages are English and technical)."""
    text = str(err)
    if "field larger than field limit" in text:
        message = _('Een veld is te lang (meer dan %(n)s tekens). Is er een aanhalingsteken (") niet afgesloten?') % {
            "n": f"{MAX_FIELD_CHARS:,}".replace(",", ".")
        }
    elif "unexpected end of data" in text:
        message = _('Het aanhalingsteken (") op deze regel wordt nergens afgesloten.')
    elif "expected after" in text:
        message = _('Na een afsluitend aanhalingsteken (") hoort een scheidingsteken of het einde van de regel.')
        if end != start:
            message += " " + _("(Het veld loopt door tot regel %(e)d.)") % {"e": end}
    else:
        message = _("Deze regel is geen geldige CSV.")
    if more:
        message += " " + _("De regels daarna zijn niet gecontroleerd.")
    return message


def _same(result: Result, cell: ParsedCell) -> bool:
    return (
        result.retracted_at is None
        and result.status == cell.status
        and result.value == cell.value
        and result.judgement == cell.judgement
        and result.text == cell.text
    )


def import_plan(*, text: str, groups: Sequence[TeachingGroup]) -> ImportPlan:
    """Parse and validate a CSV text for writing into `groups` (the caller checked write access to each of them).

    Never raises for bad input: every problem is a RowError in the plan. A constant number of queries: students,
    memberships, columns and existing results are read in bulk up front.
    """
    plan = ImportPlan()
    text = text.removeprefix("\ufeff")
    lines = [m.group() for m in _LINE.finditer(text)]
    plan.lines = len(lines)
    nul = nul_character(text)
    if nul is not None:
        plan.errors.append(RowError(nul.line, "", nul.message))
        return plan
    first = next((line for line in lines if line.strip()), "")
    delimiter = plan.delimiter = csv_delimiter(first)
    # strict: a quote followed by anything but a delimiter, or a quote left open at the end, is a csv.Error.
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=True)
    header: list[str] = []
    try:
        for header in reader:
            if any(part.strip() for part in header):
                break
    except csv.Error as err:
        plan.errors.append(RowError(1, "", _csv_message(err, start=1, end=reader.line_num, more=False)))
        return plan
    header_line = reader.line_num
    if not any(part.strip() for part in header):
        plan.errors.append(RowError(1, "", _("Het bestand is leeg.")))
        return plan
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        role = HEADERS.get(name.strip().lower())
        if role and role in positions:
            plan.errors.append(
                RowError(header_line, "", _("Kolom %(c)s staat twee keer in de kopregel.") % {"c": LABELS[role]})
            )
            return plan
        if role:
            positions[role] = index
    missing = [
        label
        for key, label in (("student", "leerlingnummer"), ("column", "kolom"), ("grade", "cijfer"))
        if key not in positions
    ]
    if missing:
        plan.errors.append(
            RowError(header_line, "", _("Kolom ontbreekt in de kopregel: %(m)s.") % {"m": ", ".join(missing)})
        )
        return plan
    if "group" not in positions and len(groups) != 1:
        plan.errors.append(RowError(header_line, "", _("Kolom ontbreekt in de kopregel: groep.")))
        return plan
    if not groups:
        plan.errors.append(RowError(header_line, "", _("Geen lesgroep om in te importeren.")))
        return plan
    field_names = [LABELS.get(HEADERS.get(name.strip().lower(), ""), name.strip()) for name in header]

    school_id = groups[0].school_id
    group_by_name = {g.name.lower(): g for g in groups}
    group_ids = [g.pk for g in groups]
    students: dict[str, int] = {}
    names: dict[int, str] = {}
    for number, pk, first, infix, last in Student.objects.filter(school_id=school_id).values_list(
        "student_number", "pk", "first_name", "infix", "last_name"
    ):
        students[number] = pk
        names[pk] = " ".join(part for part in (first, infix, last) if part)
    members = set(
        TeachingGroup.students.through.objects.filter(teachinggroup_id__in=group_ids).values_list(
            "teachinggroup_id", "student_id"
        )
    )
    columns = {(c.teaching_group_id, c.code.lower()): c for c in Column.objects.filter(teaching_group_id__in=group_ids)}
    plan.existing = {
        (r.column_id, r.student_id): r for r in Result.objects.filter(column__teaching_group_id__in=group_ids)
    }
    codes = {code for _group_id, code in columns}
    seen: set[tuple[int, int]] = set()
    numbers: set[str] = set()
    only_group = groups[0] if len(groups) == 1 else None
    width = len(header)
    grade_at = positions["grade"]
    end = header_line

    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            plan.errors.append(
                RowError(
                    start, "", _csv_message(err, start=start, end=reader.line_num, more=reader.line_num < len(lines))
                )
            )
            break
        end = reader.line_num
        if not any(part.strip() for part in row):
            continue
        plan.rows += 1
        if len(row) > positions["student"] and row[positions["student"]].strip():
            numbers.add(row[positions["student"]].strip())
        error = _structure_error(row, start=start, end=end, width=width, grade_at=grade_at, delimiter=delimiter)
        if error is not None:
            index, message = error
            plan.errors.append(RowError(start, field_names[index] if index >= 0 else "", message))
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        number = row[positions["student"]].strip()
        code = row[positions["column"]].strip()
        raw = row[grade_at]
        if "group" in positions:
            group = group_by_name.get(row[positions["group"]].strip().lower())
            if group is None:
                plan.errors.append(
                    RowError(start, "groep", _("Onbekende groep „%(g)s”.") % {"g": row[positions["group"]]})
                )
                continue
        else:
            assert only_group is not None
            group = only_group
        student_id = students.get(number)
        if student_id is None:
            plan.errors.append(RowError(start, "leerlingnummer", _("Onbekend leerlingnummer „%(n)s”.") % {"n": number}))
            continue
        if (group.pk, student_id) not in members:
            plan.errors.append(
                RowError(
                    start, "leerlingnummer", _("Leerling %(n)s zit niet in %(g)s.") % {"n": number, "g": group.name}
                )
            )
            continue
        column = columns.get((group.pk, code.lower()))
        if column is None:
            plan.errors.append(
                RowError(start, "kolom", _("Onbekende kolom „%(c)s” in %(g)s.") % {"c": code, "g": group.name})
            )
            continue
        if column.retracted_at is not None:
            plan.errors.append(RowError(start, "kolom", _("Kolom %(c)s is ingetrokken.") % {"c": code}))
            continue
        message = _grade_field_error(
            row,
            grade_at=grade_at,
            column=column,
            start=start,
            end=end,
            delimiter=delimiter,
            positions=positions,
            students=students,
            codes=codes,
        )
        if message:
            plan.errors.append(RowError(start, "cijfer", message))
            continue
        if end != start:
            # One line break, whatever the file used: the confirm form comes back from the browser with CRLF, and
            # the stored report must not depend on that round trip.
            raw = LINE_BREAK.sub("\n", raw)
        if column.result_type == Column.ResultType.TEXT:
            raw = spreadsheet_unescape(raw.strip())  # our export's "'=..." (exports.py): back to what was stored
        try:
            cell = parse_cell(raw, result_type=column.result_type)
        except CellError as err:
            plan.errors.append(RowError(start, "cijfer", str(err)))
            continue
        key = (column.pk, student_id)
        if key in seen:
            plan.errors.append(
                RowError(start, "leerlingnummer", _("Deze leerling en kolom staan al eerder in het bestand."))
            )
            continue
        seen.add(key)
        if cell.empty:
            continue
        current = plan.existing.get(key)
        plan.loaded[key] = current.version if current is not None else 0
        if current is None:
            plan.new += 1
        elif _same(current, cell):
            plan.unchanged += 1
            continue
        else:
            plan.changed += 1
        plan.cells.append((column, student_id, cell))
        old = "" if current is None else (display_cell(current) or _("(ingetrokken)"))
        new = display_cell(Result(status=cell.status, value=cell.value, judgement=cell.judgement, text=cell.text))
        plan.changes.append(PlannedCell(start, number, names.get(student_id, ""), column.code, old, new))
    plan.students = len(numbers)
    return plan


def _structure_error(
    row: list[str], *, start: int, end: int, width: int, grade_at: int, delimiter: str
) -> tuple[int, str] | None:
    """What is wrong with a record's shape, as (field index or -1, message); None when the shape is fine."""
    if len(row) > width and any(part.strip() for part in row[width:]):
        message = _("Deze regel heeft %(n)d velden, de kopregel %(h)d.") % {"n": len(row), "h": width}
        split = _split_decimal(row, grade_at=grade_at) if delimiter == "," else None
        if split is not None:
            message += " " + _split_decimal_message(*split)
        elif delimiter == ",":
            message += " " + _(
                'Staat er een decimaalkomma in een cijfer? Zet het tussen aanhalingstekens ("7,5") '
                "of gebruik ; als scheidingsteken."
            )
        else:
            message += " " + _("Staat er een %(d)s in een waarde? Zet die waarde tussen aanhalingstekens.") % {
                "d": DELIMITER_NAMES[delimiter]
            }
        return -1, message
    for index, part in enumerate(row):
        if len(part) > MAX_FIELD_CHARS:
            return min(index, width - 1), _("Dit veld is te lang (%(n)s tekens; ten hoogste %(m)s).") % {
                "n": f"{len(part):,}".replace(",", "."),
                "m": f"{MAX_FIELD_CHARS:,}".replace(",", "."),
            }
    if end != start:
        for index, part in enumerate(row):
            if index != grade_at and LINE_BREAK.search(part):
                return index, _quote_spans_message(end)
    return None


def _quote_spans_message(end: int) -> str:
    return _(
        'Een aanhalingsteken (") laat dit veld over meerdere regels lopen (tot regel %(e)d); dat mag alleen in een '
        "verslag. Sluit het aanhalingsteken op dezelfde regel af."
    ) % {"e": end}


def _grade_field_error(
    row: list[str],
    *,
    grade_at: int,
    column: Column,
    start: int,
    end: int,
    delimiter: str,
    positions: dict[str, int],
    students: dict[str, int],
    codes: set[str],
) -> str:
    """Why the grade field cannot be trusted as typed (empty when it can); the value itself is parse_cell's job."""
    raw = row[grade_at]
    if end != start:
        if column.result_type != Column.ResultType.TEXT:
            return _quote_spans_message(end)
        # A report may run over several lines, but a line inside it shaped like a record (a student number of this
        # school, or a column code of the group, in its place) is almost surely a row swallowed by an unclosed quote.
        for offset, part in enumerate(LINE_BREAK.split(raw)[1:], start=1):
            fields = [piece.strip(' "') for piece in part.split(delimiter)]
            if len(fields) > max(positions.values()) and (
                fields[positions["student"]] in students or fields[positions["column"]].lower() in codes
            ):
                return _(
                    'Het aanhalingsteken (") op deze regel loopt door tot regel %(e)d en neemt regel %(l)d mee, '
                    "die eruitziet als een eigen rij. Sluit het aanhalingsteken af."
                ) % {"e": end, "l": start + offset}
    if (
        delimiter == ","
        and column.result_type == Column.ResultType.NUMBER
        and grade_at + 1 < len(row)
        and _WHOLE.fullmatch(raw)
        and _DIGIT.fullmatch(row[grade_at + 1])
    ):
        # "7,5" unquoted in a comma file is the grade 7 and a stray 5 in the next column: refuse rather than guess.
        return _split_decimal_message(raw.strip(), row[grade_at + 1].strip())
    return ""


def _split_decimal(row: list[str], *, grade_at: int) -> tuple[str, str] | None:
    """(whole, decimal) when the grade field and the next look like one decimal-comma grade cut in two."""
    if grade_at + 1 < len(row) and _WHOLE.fullmatch(row[grade_at]) and _DIGIT.fullmatch(row[grade_at + 1]):
        return row[grade_at].strip(), row[grade_at + 1].strip()
    return None


def _split_decimal_message(whole: str, decimal: str) -> str:
    typed = f"{whole},{decimal}"
    return _(
        '„%(a)s” en „%(b)s” staan in twee velden: bedoelt u %(t)s? Zet het cijfer tussen aanhalingstekens ("%(t)s") '
        "of gebruik ; als scheidingsteken."
    ) % {"a": whole, "b": decimal, "t": typed}


def import_apply(
    *, plan: ImportPlan, by: User | None, at: dt.datetime, file_name: str, fingerprint: str | None = None
) -> SaveOutcome:
    """Write a plan without errors, all or nothing (caller checked write access to the groups).

    `fingerprint`: the plan's fingerprint as the teacher's preview showed it; when the plan (read again now) differs,
    ImportStale is raised and nothing is written. Under the column locks every result must still be at the version
    the plan read; otherwise (a colleague saved in between, a column was retracted) ImportStale, nothing written.
    """
    if plan.errors:
        raise ValueError("A plan with errors cannot be applied.")
    if fingerprint is not None and fingerprint != plan.fingerprint:
        raise ImportStale(
            _(
                "Sinds het voorbeeld zijn er resultaten gewijzigd (of het bestand is anders). Er is niets "
                "geïmporteerd: bekijk het nieuwe voorbeeld hieronder en bevestig opnieuw."
            )
        )
    # All rows of a file land together or not at all: a half import would be hard to find and fix. results_save
    # skips a cell whose result moved on since `loaded_versions` (a conflict) or whose column was retracted (an
    # error) and saves the others; for an import that would be a partial file, so either undoes the whole file.
    with transaction.atomic():
        outcome = results_save(
            cells=plan.cells,
            loaded_versions=plan.loaded,
            by=by,
            at=at,
            reason=_("CSV-import %(f)s") % {"f": file_name[:200]},
        )
        if outcome.conflicts or outcome.errors:
            raise ImportStale(
                _(
                    "Terwijl u importeerde zijn %(n)d resultaten door iemand anders gewijzigd of is een kolom "
                    "ingetrokken. Er is niets geïmporteerd: bekijk het nieuwe voorbeeld hieronder en bevestig opnieuw."
                )
                % {"n": len(outcome.conflicts) + len(outcome.errors)}
            )
        return outcome
