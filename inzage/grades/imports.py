"""CSV import of results (e.g. from a test platform): read → plan (validate, preview) → apply (all-or-nothing).

Format (UTF-8, a BOM is fine): a header row, then one result per row. Columns, by header name (case-insensitive):
  leerlingnummer (student_number)   the student's number at the school
  kolom (column)                    the column code in the teaching group, e.g. H1
  cijfer (grade)                    as typed in the grid: 7,5 / 7.5 / o/v/g / inh / vr / tnm / text
  groep (group)                     the teaching group's name; optional when importing into one group
The delimiter is detected from the header row: `;`, tab or `,` (with `,` a decimal comma must be quoted: "7,5").
An empty grade is skipped. A value equal to the stored one changes nothing, so importing a file twice adds no versions
the second time. Replacing an entered value is allowed and recorded with the reason "CSV-import <file name>".
Any error in any row refuses the whole file (nothing is written); the preview lists every error with its row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.grades.actions import SaveOutcome, results_save
from inzage.grades.models import Column, Result
from inzage.grades.parsing import CellError, ParsedCell, parse_cell
from inzage.people.models import Student
from inzage.schools.models import TeachingGroup

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
MAX_ERRORS_SHOWN = 200


@dataclass(frozen=True)
class RowError:
    """One refused row: its line number in the file (header = 1), which field, and a Dutch message."""

    line: int
    field: str
    message: str


@dataclass
class ImportPlan:
    """What applying the file would do. `errors` non-empty → nothing may be applied."""

    cells: list[tuple[Column, int, ParsedCell]] = field(default_factory=list)
    existing: dict[tuple[int, int], Result] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0


def detect_delimiter(header_line: str) -> str:
    """`;`, tab or `,`: whichever the header row uses most (a header has no decimal commas)."""
    counts = {d: header_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


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

    A constant number of queries: students, memberships, columns and existing results are read in bulk up front.
    """
    plan = ImportPlan()
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=detect_delimiter(first_line))
    header = next(reader, None)
    if not header:
        plan.errors.append(RowError(1, "", _("Het bestand is leeg.")))
        return plan
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        role = HEADERS.get(name.strip().lower())
        if role:
            positions[role] = index
    missing = [
        label
        for key, label in (("student", "leerlingnummer"), ("column", "kolom"), ("grade", "cijfer"))
        if key not in positions
    ]
    if missing:
        plan.errors.append(RowError(1, "", _("Kolom ontbreekt in de kopregel: %(m)s.") % {"m": ", ".join(missing)}))
        return plan
    if "group" not in positions and len(groups) != 1:
        plan.errors.append(RowError(1, "", _("Kolom ontbreekt in de kopregel: groep.")))
        return plan
    if not groups:
        plan.errors.append(RowError(1, "", _("Geen lesgroep om in te importeren.")))
        return plan

    school_id = groups[0].school_id
    group_by_name = {g.name.lower(): g for g in groups}
    group_ids = [g.pk for g in groups]
    students = dict(Student.objects.filter(school_id=school_id).values_list("student_number", "pk"))
    members = set(
        TeachingGroup.students.through.objects.filter(teachinggroup_id__in=group_ids).values_list(
            "teachinggroup_id", "student_id"
        )
    )
    columns = {(c.teaching_group_id, c.code.lower()): c for c in Column.objects.filter(teaching_group_id__in=group_ids)}
    plan.existing = {
        (r.column_id, r.student_id): r for r in Result.objects.filter(column__teaching_group_id__in=group_ids)
    }
    seen: set[tuple[int, int]] = set()
    only_group = groups[0] if len(groups) == 1 else None
    width = max(positions.values()) + 1

    for line, row in enumerate(reader, start=2):
        if not any(part.strip() for part in row):
            continue
        plan.rows += 1
        if len(row) < width:
            row = row + [""] * (width - len(row))
        number = row[positions["student"]].strip()
        code = row[positions["column"]].strip()
        raw = row[positions["grade"]]
        if "group" in positions:
            group = group_by_name.get(row[positions["group"]].strip().lower())
            if group is None:
                plan.errors.append(
                    RowError(line, "groep", _("Onbekende groep „%(g)s”.") % {"g": row[positions["group"]]})
                )
                continue
        else:
            assert only_group is not None
            group = only_group
        student_id = students.get(number)
        if student_id is None:
            plan.errors.append(RowError(line, "leerlingnummer", _("Onbekend leerlingnummer „%(n)s”.") % {"n": number}))
            continue
        if (group.pk, student_id) not in members:
            plan.errors.append(
                RowError(
                    line, "leerlingnummer", _("Leerling %(n)s zit niet in %(g)s.") % {"n": number, "g": group.name}
                )
            )
            continue
        column = columns.get((group.pk, code.lower()))
        if column is None:
            plan.errors.append(
                RowError(line, "kolom", _("Onbekende kolom „%(c)s” in %(g)s.") % {"c": code, "g": group.name})
            )
            continue
        if column.retracted_at is not None:
            plan.errors.append(RowError(line, "kolom", _("Kolom %(c)s is ingetrokken.") % {"c": code}))
            continue
        try:
            cell = parse_cell(raw, result_type=column.result_type)
        except CellError as err:
            plan.errors.append(RowError(line, "cijfer", str(err)))
            continue
        key = (column.pk, student_id)
        if key in seen:
            plan.errors.append(
                RowError(line, "leerlingnummer", _("Deze leerling en kolom staan al eerder in het bestand."))
            )
            continue
        seen.add(key)
        if cell.empty:
            continue
        current = plan.existing.get(key)
        if current is None:
            plan.new += 1
        elif _same(current, cell):
            plan.unchanged += 1
            continue
        else:
            plan.changed += 1
        plan.cells.append((column, student_id, cell))
    return plan


def import_apply(*, plan: ImportPlan, by: User | None, at: dt.datetime, file_name: str) -> SaveOutcome:
    """Write a plan without errors, all or nothing (caller checked write access to the groups)."""
    if plan.errors:
        raise ValueError("A plan with errors cannot be applied.")
    # All rows of a file land together or not at all: a half import would be hard to find and fix.
    with transaction.atomic():
        return results_save(
            cells=plan.cells,
            existing=plan.existing,
            by=by,
            at=at,
            reason=_("CSV-import %(f)s") % {"f": file_name[:200]},
        )
