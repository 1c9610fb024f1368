"""Writes to columns and results. Every change appends a version row (who, when, why); nothing is deleted.

Callers must have checked that the acting user may write to the column's teaching group
(`inzage.teacher.access.access_teaching_group`). Every action takes the instant `at` explicitly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.grades.bulk_insert import insert_rows
from inzage.grades.models import (
    AssessmentKind,
    CentralExamResult,
    Column,
    ColumnVersion,
    ProgrammeItem,
    Result,
    ResultVersion,
)
from inzage.grades.parsing import ParsedCell
from inzage.people.models import Student
from inzage.schools.models import Period, SchoolYear, Subject, TeachingGroup


class GradeActionError(ValueError):
    """A write that the rules refuse; the message is Dutch and meant for the user."""


BATCH = 2000
RESULT_FIELDS = [
    "school", "column", "student", "value", "judgement", "text", "status", "entered_at", "updated_at", "version",
]  # fmt: skip
VERSION_FIELDS = [
    "school", "result", "version", "action", "value", "judgement", "text", "status", "changed_at", "changed_by",
    "reason",
]  # fmt: skip
CHANGEABLE_COLUMN_FIELDS = {
    "name",
    "code",
    "date",
    "kind",
    "period",
    "weight",
    "exam_weight",
    "resit_rule",
    "programme_item",
}


def column_snapshot(column: Column) -> dict[str, Any]:
    """The column's settings as JSON, stored in each ColumnVersion."""
    return {
        "name": column.name,
        "code": column.code,
        "date": column.date.isoformat(),
        "kind_id": column.kind_id,
        "period_id": column.period_id,
        "subject_id": column.subject_id,
        "teaching_group_id": column.teaching_group_id,
        "result_type": column.result_type,
        "weight": f"{Decimal(column.weight):.2f}",
        "exam_weight": f"{Decimal(column.exam_weight):.2f}",
        "resit_of_id": column.resit_of_id,
        "resit_rule": column.resit_rule,
        "release_mode": column.release_mode,
        "release_at": column.release_at.isoformat() if column.release_at else None,
        "retracted_at": column.retracted_at.isoformat() if column.retracted_at else None,
        "programme_item_id": column.programme_item_id,
    }


def _column_version(column: Column, *, action: str, by: User | None, at: dt.datetime, reason: str) -> ColumnVersion:
    return ColumnVersion.objects.create(
        school_id=column.school_id,
        column=column,
        version=column.version,
        action=action,
        snapshot=column_snapshot(column),
        changed_at=at,
        changed_by=by,
        reason=reason,
    )


def release_moment(*, mode: str, release_at: dt.datetime | None, at: dt.datetime) -> dt.datetime | None:
    """The stored release instant for a release choice: now → `at`; at → the chosen instant; held → None."""
    if mode == Column.ReleaseMode.NOW:
        return at
    if mode == Column.ReleaseMode.AT:
        if release_at is None:
            raise GradeActionError(_("Kies een moment van vrijgeven."))
        return release_at
    if mode == Column.ReleaseMode.HELD:
        return None
    raise GradeActionError(_("Onbekende keuze voor vrijgeven."))


def column_create(
    *,
    group: TeachingGroup,
    kind: AssessmentKind,
    period: Period,
    name: str,
    code: str,
    date: dt.date,
    by: User | None,
    at: dt.datetime,
    weight: Decimal = Decimal("1"),
    exam_weight: Decimal = Decimal("0"),
    result_type: str = Column.ResultType.NUMBER,
    release_mode: str = Column.ReleaseMode.NOW,
    release_at: dt.datetime | None = None,
    resit_of: Column | None = None,
    resit_rule: str = Column.ResitRule.HIGHEST,
    programme_item: ProgrammeItem | None = None,
) -> Column:
    """Create a column in `group` (caller checked write access to the group) and record version 1.
    `programme_item`: the PTA/PTO assessment the column carries out (of the group's subject and school)."""
    if programme_item is not None and (
        programme_item.school_id != group.school_id
        or programme_item.programme.subject_id != group.subject_id
        or programme_item.withdrawn_at is not None
    ):
        raise GradeActionError(_("Deze PTA-toets hoort niet bij het vak van deze groep."))
    if Column.objects.filter(teaching_group=group, code=code).exists():
        raise GradeActionError(_("De code %(code)s bestaat al in deze groep.") % {"code": code})
    if resit_of is not None and resit_of.teaching_group_id != group.pk:
        raise GradeActionError(_("Een herkansing hoort bij een kolom van dezelfde groep."))
    if weight < 0 or exam_weight < 0:
        raise GradeActionError(_("Een weging is nooit negatief."))
    # The column and its first version belong together: one without the other would break the history.
    with transaction.atomic():
        column = Column.objects.create(
            school_id=group.school_id,
            teaching_group=group,
            subject_id=group.subject_id,
            period=period,
            kind=kind,
            name=name,
            code=code,
            date=date,
            result_type=result_type,
            weight=weight,
            exam_weight=exam_weight,
            resit_of=resit_of,
            resit_rule=resit_rule,
            release_mode=release_mode,
            release_at=release_moment(mode=release_mode, release_at=release_at, at=at),
            created_by=by,
            version=1,
            programme_item=programme_item,
        )
        _column_version(column, action=ColumnVersion.Action.CREATE, by=by, at=at, reason="")
    return column


def column_change(*, column: Column, by: User | None, at: dt.datetime, reason: str, **changes: Any) -> Column:
    """Change a column's settings (caller checked write access); records a version with the reason."""
    unknown = set(changes) - CHANGEABLE_COLUMN_FIELDS
    if unknown:
        raise GradeActionError(f"Not changeable here: {sorted(unknown)}")
    if not reason.strip():
        raise GradeActionError(_("Geef een reden voor de wijziging."))
    # The change and its version row are one fact: both or neither.
    with transaction.atomic():
        column = Column.objects.select_for_update().get(pk=column.pk)
        for name, value in changes.items():
            setattr(column, name, value)
        column.version += 1
        column.save()
        _column_version(column, action=ColumnVersion.Action.CHANGE, by=by, at=at, reason=reason)
    return column


def column_release(
    *,
    column: Column,
    mode: str,
    by: User | None,
    at: dt.datetime,
    release_at: dt.datetime | None = None,
    reason: str = "",
) -> Column:
    """Set when the column's results are released: now, at an instant, or held back (caller checked access)."""
    moment = release_moment(mode=mode, release_at=release_at, at=at)
    # The release choice and its version row are one fact: both or neither.
    with transaction.atomic():
        column = Column.objects.select_for_update().get(pk=column.pk)
        column.release_mode = mode
        column.release_at = moment
        column.version += 1
        column.save(update_fields=["release_mode", "release_at", "version"])
        _column_version(column, action=ColumnVersion.Action.RELEASE, by=by, at=at, reason=reason)
    return column


def column_retract(*, column: Column, by: User | None, at: dt.datetime, reason: str) -> Column:
    """Retract a column (it and its results stay, marked retracted); caller checked access."""
    if not reason.strip():
        raise GradeActionError(_("Geef een reden voor het intrekken."))
    # The retraction and its version row are one fact: both or neither.
    with transaction.atomic():
        column = Column.objects.select_for_update().get(pk=column.pk)
        if column.retracted_at is not None:
            raise GradeActionError(_("Deze kolom is al ingetrokken."))
        column.retracted_at = at
        column.version += 1
        column.save(update_fields=["retracted_at", "version"])
        _column_version(column, action=ColumnVersion.Action.RETRACT, by=by, at=at, reason=reason)
    return column


def _has_content(status: str, value: Decimal | None, judgement: str, text: str) -> bool:
    return value is not None or bool(judgement) or bool(text)


def _version_row(result: Result, *, action: str, by: User | None, at: dt.datetime, reason: str) -> ResultVersion:
    return ResultVersion(
        school_id=result.school_id,
        result_id=result.pk,
        version=result.version,
        action=action,
        value=result.value,
        judgement=result.judgement,
        text=result.text,
        status=result.status,
        changed_at=at,
        changed_by=by,
        reason=reason,
    )


@dataclass
class Conflict:
    """A cell someone else changed after the teacher loaded it: what is stored now, and what the teacher typed."""

    stored: Result
    typed: ParsedCell


@dataclass
class SaveOutcome:
    """What a bulk save did: rows created and changed, unchanged cells, cells refused (key → message), and cells
    not saved because they were changed meanwhile (key → Conflict)."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    conflicts: dict[tuple[int, int], Conflict] = field(default_factory=dict)


def _same(current: Result, cell: ParsedCell) -> bool:
    return (
        current.retracted_at is None
        and current.status == cell.status
        and current.value == cell.value
        and current.judgement == cell.judgement
        and current.text == cell.text
    )


def results_save(
    *,
    cells: Sequence[tuple[Column, int, ParsedCell]],
    by: User | None,
    at: dt.datetime,
    reason: str,
    loaded_versions: Mapping[tuple[int, int], int] | None = None,
    existing: Mapping[tuple[int, int], Result] | None = None,
) -> SaveOutcome:
    """Save many cells at once (column, student id, parsed cell) with a constant number of queries.

    Caller checked write access to every column and that each student belongs to the column's group. The columns'
    rows are locked and the stored results re-read inside the transaction, so saves of the same column run one
    after the other (whatever `existing` the caller read before is not trusted: it is accepted for older callers
    and ignored). A cell equal to the stored result changes nothing (so saving or importing twice adds no
    versions). `loaded_versions` (key (column id, student id) → the result version the teacher started from, 0 for
    none): a cell whose result has another version now and whose value differs is a conflict, not saved (in
    `conflicts`). Replacing an entered value needs a reason; without one that cell is refused (in `errors`) and the
    others are saved. Retracted columns refuse every cell.
    """
    del existing  # read again under the lock below
    outcome = SaveOutcome()
    column_ids = sorted({column.pk for column, _s, _c in cells if not _c.empty})
    if not column_ids:
        return outcome
    by_id = by.pk if by is not None else None
    # Results and their version rows must be written together; a half-written batch would show values without
    # history (or history without values). The column rows are locked first (in id order, so two saves of several
    # columns cannot deadlock) and the results read after the lock: a save that overlapped another sees what that
    # one stored, so it neither inserts a second result for a cell nor reuses a version number. Every writer of a
    # column's results takes this lock (results_save, result_retract). On SQLite FOR UPDATE is left out; there the
    # IMMEDIATE transaction (settings) already holds the database's write lock from BEGIN on.
    with transaction.atomic():
        locked = {c.pk: c for c in Column.objects.select_for_update().filter(pk__in=column_ids).order_by("pk")}
        student_ids = {student_id for _c, student_id, _p in cells}
        stored = {
            (r.column_id, r.student_id): r
            for r in Result.objects.filter(column_id__in=column_ids, student_id__in=student_ids)
        }
        new_results, changed = _plan_save(
            cells, locked=locked, stored=stored, loaded_versions=loaded_versions or {}, at=at, reason=reason,
            outcome=outcome,
        )  # fmt: skip
        new_ids = insert_rows(Result, RESULT_FIELDS, new_results, returning=True)
        if changed:
            Result.objects.bulk_update(
                [r for r, _ in changed],
                ["value", "judgement", "text", "status", "retracted_at", "entered_at", "updated_at", "version"],
                batch_size=BATCH,
            )
        versions = [
            (school_id, result_id, 1, ResultVersion.Action.CREATE, value, judgement, text, status, at, by_id, "")
            for result_id, (school_id, _c, _s, value, judgement, text, status, _e, _u, _v) in zip(
                new_ids, new_results, strict=True
            )
        ]
        versions += [
            (r.school_id, r.pk, r.version, ResultVersion.Action.CHANGE, r.value, r.judgement, r.text, r.status, at,
             by_id, why)
            for r, why in changed
        ]  # fmt: skip
        insert_rows(ResultVersion, VERSION_FIELDS, versions)
        _bump_versions(new_results, changed)
    outcome.created = len(new_results)
    outcome.changed = len(changed)
    return outcome


def _bump_versions(new_results: list[tuple[Any, ...]], changed: list[tuple[Result, str]]) -> None:
    """Raw inserts and bulk_update send no signals: move the students' version counters here (docs/caching.md)."""
    from inzage.visibility.versions import versions_bump

    by_school: dict[int, set[int]] = {}
    for school_id, _c, student_id, *_rest in new_results:
        by_school.setdefault(school_id, set()).add(student_id)
    for r, _why in changed:
        by_school.setdefault(r.school_id, set()).add(r.student_id)
    for school_id, student_ids in by_school.items():
        versions_bump(school_id=school_id, student_ids=student_ids)


def _plan_save(
    cells: Sequence[tuple[Column, int, ParsedCell]],
    *,
    locked: dict[int, Column],
    stored: dict[tuple[int, int], Result],
    loaded_versions: Mapping[tuple[int, int], int],
    at: dt.datetime,
    reason: str,
    outcome: SaveOutcome,
) -> tuple[list[tuple[Any, ...]], list[tuple[Result, str]]]:
    """Decide per cell (under the column lock): new result rows, changed results with their reason, and the
    unchanged, refused and conflicting cells (into `outcome`)."""
    new_results: list[tuple[Any, ...]] = []
    changed: list[tuple[Result, str]] = []
    for column_given, student_id, cell in cells:
        key = (column_given.pk, student_id)
        if cell.empty:
            continue
        column = locked[column_given.pk]  # as stored now: a retraction that just happened counts
        if column.retracted_at is not None:
            outcome.errors[key] = _("Deze kolom is ingetrokken.")
            continue
        current = stored.get(key)
        loaded = loaded_versions.get(key)
        if current is not None and _same(current, cell):
            outcome.unchanged += 1
            continue
        if current is not None and loaded is not None and loaded != current.version:
            # Stored or changed after the teacher loaded the cell, and not to what they typed: keep theirs, show both.
            outcome.conflicts[key] = Conflict(stored=current, typed=cell)
            continue
        if current is None:
            content = _has_content(cell.status, cell.value, cell.judgement, cell.text)
            new_results.append(
                (column.school_id, column.pk, student_id, cell.value, cell.judgement, cell.text, cell.status,
                 at if content else None, at, 1)
            )  # fmt: skip
            continue
        had_content = current.retracted_at is None and _has_content(
            current.status, current.value, current.judgement, current.text
        )
        if had_content and not reason.strip():
            outcome.errors[key] = _("Geef een reden: dit resultaat was al ingevoerd.")
            continue
        current.value = cell.value
        current.judgement = cell.judgement
        current.text = cell.text
        current.status = cell.status
        re_entry = current.retracted_at is not None
        current.retracted_at = None
        # The release clock starts at the first entry; entering a retracted result again starts it again, so the
        # new value is released like a new result (the engine never shows a value from before the retraction).
        if (current.entered_at is None or re_entry) and _has_content(
            cell.status, cell.value, cell.judgement, cell.text
        ):
            current.entered_at = at
        current.updated_at = at
        current.version += 1
        changed.append((current, reason if had_content else ""))
    return new_results, changed


def result_enter(*, column: Column, student: Student, cell: ParsedCell, by: User | None, at: dt.datetime) -> Result:
    """Enter a first result for a student in a column (caller checked access and group membership)."""
    if Result.objects.filter(column=column, student=student).exists():
        raise GradeActionError(_("Er is al een resultaat; wijzig het met een reden."))
    outcome = results_save(
        cells=[(column, student.pk, cell)], loaded_versions={(column.pk, student.pk): 0}, by=by, at=at, reason=""
    )
    if outcome.errors or outcome.conflicts:
        raise GradeActionError(
            next(iter(outcome.errors.values()), _("Er is al een resultaat; wijzig het met een reden."))
        )
    return Result.objects.get(column=column, student=student)


def result_change(*, result: Result, cell: ParsedCell, by: User | None, at: dt.datetime, reason: str) -> Result:
    """Change a result, keeping the old version (caller checked access); a reason is required."""
    if not reason.strip():
        raise GradeActionError(_("Geef een reden voor de wijziging."))
    column = result.column
    key = (column.pk, result.student_id)
    outcome = results_save(
        cells=[(column, result.student_id, cell)], loaded_versions={key: result.version}, by=by, at=at, reason=reason
    )
    if outcome.errors:
        raise GradeActionError(next(iter(outcome.errors.values())))
    if outcome.conflicts:
        raise GradeActionError(_("Dit resultaat is intussen gewijzigd; bekijk het opnieuw."))
    result.refresh_from_db()
    return result


def result_retract(*, result: Result, by: User | None, at: dt.datetime, reason: str) -> Result:
    """Retract a result: it stays with its value, marked retracted, and a version records who/when/why."""
    if not reason.strip():
        raise GradeActionError(_("Geef een reden voor het intrekken."))
    # The retraction and its version row are one fact: both or neither. The column's row is locked first, as
    # results_save does, so a retraction and a grid save of the same column never pick the same version number.
    with transaction.atomic():
        list(Column.objects.select_for_update().filter(pk=result.column_id).values_list("pk", flat=True))
        result = Result.objects.select_for_update().get(pk=result.pk)
        if result.retracted_at is not None:
            raise GradeActionError(_("Dit resultaat is al ingetrokken."))
        result.retracted_at = at
        result.updated_at = at
        result.version += 1
        result.save(update_fields=["retracted_at", "updated_at", "version"])
        _version_row(result, action=ResultVersion.Action.RETRACT, by=by, at=at, reason=reason).save()
    return result


DEFAULT_KINDS = [
    ("so", "schriftelijke overhoring"),
    ("toets", "toets"),
    ("tw", "toetsweektoets"),
    ("pract", "praktische opdracht"),
    ("mond", "mondeling"),
    ("refl", "reflectieverslag"),
]


def assessment_kinds_ensure(*, school_id: int) -> None:
    """Give a school without assessment kinds the default set (quiz, test, test-week test, practical, oral,
    reflection); schools edit them in the admin. Idempotent."""
    if AssessmentKind.objects.filter(school_id=school_id).exists():
        return
    AssessmentKind.objects.bulk_create(
        [AssessmentKind(school_id=school_id, code=code, name=name) for code, name in DEFAULT_KINDS],
        ignore_conflicts=True,
    )


def central_exam_result_enter(
    *,
    student: Student,
    subject: Subject,
    school_year: SchoolYear,
    attempt: int,
    value: Decimal,
    by: User | None,
    at: dt.datetime,
    reason: str = "",
) -> CentralExamResult:
    """Record a candidate's central exam grade for one attempt (first sitting or resit); a changed grade is a new
    version and needs a reason. Caller checked that `by` may keep this candidate's exam dossier."""
    if attempt not in CentralExamResult.Attempt.values:
        raise GradeActionError(_("Kies het eerste tijdvak of de herkansing."))
    reason = reason.strip()
    # The lock on the student row makes two secretaries entering the same grade wait for each other instead of
    # both reading the same latest version (the unique constraint would then refuse the second with a 500).
    with transaction.atomic():
        Student.objects.select_for_update().filter(pk=student.pk).first()
        latest = (
            CentralExamResult.objects.filter(student=student, subject=subject, school_year=school_year, attempt=attempt)
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.value == value:
            raise GradeActionError(_("Dit cijfer staat er al."))
        if latest is not None and not reason:
            raise GradeActionError(_("Een gewijzigd cijfer heeft een reden nodig."))
        return CentralExamResult.objects.create(
            school_id=student.school_id,
            student=student,
            subject=subject,
            school_year=school_year,
            attempt=attempt,
            version=1 if latest is None else latest.version + 1,
            value=value,
            entered_at=at,
            entered_by=by,
            reason=reason if latest is not None else "",
        )
