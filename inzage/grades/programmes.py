"""Testing programmes (PTA for exam years, PTO for lower years): writes only.

A programme is fixed before its school year's deadline (GradeSettings: default 1 October, in the school's time zone).
Until the deadline the school edits it freely (every change is still recorded); after the deadline a change needs a
recorded approval: who approved it and why. Every change appends a ProgrammeChange with a snapshot of all items.
Callers must have checked that the acting user may edit the school's programmes (administrator or coordinator),
and that `approved_by` holds the authority to approve (school leadership).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.grades.actions import GradeActionError
from inzage.grades.models import AssessmentKind, GradeSettings, ProgrammeChange, ProgrammeItem, TestingProgramme
from inzage.schools.models import Level, Period, SchoolYear, Subject, YearGroup


class ProgrammeLocked(GradeActionError):
    """The programme is past its deadline and the change has no recorded approval."""


CHANGEABLE_ITEM_FIELDS = {"name", "period", "kind", "weight", "exam_weight", "resit_allowed"}


def programme_deadline(*, school_year: SchoolYear) -> dt.date:
    """The day by which the programme is fixed: the school's setting (default 1 October) in the year's first year."""
    settings = GradeSettings.objects.filter(school_id=school_year.school_id).first()
    month = settings.programme_deadline_month if settings else 10
    day = settings.programme_deadline_day if settings else 1
    return dt.date(school_year.start.year, month, day)


_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})(?![0-9])", re.ASCII)


def cohort_exam_year(cohort: str) -> int | None:
    """The exam year a cohort (lichting) names: "examen 2027" → 2027, "2025-2027" → 2027 (the last four-digit
    year); None when it names none (then no class or student is matched to it: fail closed)."""
    found = _YEAR.findall(cohort)
    return int(found[-1]) if found else None


def exam_year_of(year_group: YearGroup, school_year: SchoolYear) -> int:
    """The exam year of the students of a year group in a school year: havo 4 in 2025–2026 → 2027."""
    return school_year.start.year + (year_group.level.years - year_group.year) + 1


def programme_is_fixed(*, programme: TestingProgramme, at: dt.datetime) -> bool:
    """Whether the deadline has passed at `at` (judged on the school's local date: the deadline day itself is
    still free), so that a change needs a recorded approval."""
    return at.astimezone(ZoneInfo(programme.school.timezone)).date() > programme.deadline


def _snapshot(programme: TestingProgramme) -> list[dict[str, Any]]:
    return [
        {
            "code": item.code,
            "name": item.name,
            "period_id": item.period_id,
            "kind_id": item.kind_id,
            "weight": f"{Decimal(item.weight):.2f}",
            "exam_weight": f"{Decimal(item.exam_weight):.2f}",
            "resit_allowed": item.resit_allowed,
            "withdrawn": item.withdrawn_at is not None,
        }
        for item in programme.items.order_by("code")
    ]


def _record(
    programme: TestingProgramme,
    *,
    description: str,
    by: User | None,
    at: dt.datetime,
    approved_by: User | None,
    approval_reason: str,
    first: bool = False,
) -> None:
    """Check the deadline and append a change; call inside the transaction that made the change."""
    after_deadline = programme_is_fixed(programme=programme, at=at)
    if after_deadline and (approved_by is None or not approval_reason.strip()):
        raise ProgrammeLocked(
            _("Het %(kind)s is vastgesteld op %(date)s; een wijziging heeft een goedkeuring met reden nodig.")
            % {"kind": programme.get_kind_display(), "date": programme.deadline.strftime("%d-%m-%Y")}
        )
    if not first:
        programme.version += 1
        programme.save(update_fields=["version"])
    ProgrammeChange.objects.create(
        school_id=programme.school_id,
        programme=programme,
        version=programme.version,
        description=description[:300],
        snapshot=_snapshot(programme),
        changed_at=at,
        changed_by=by,
        after_deadline=after_deadline,
        approved_by=approved_by if after_deadline else None,
        approval_reason=approval_reason if after_deadline else "",
    )


def programme_create(
    *,
    kind: str,
    subject: Subject,
    level: Level,
    cohort: str,
    school_year: SchoolYear,
    by: User | None,
    at: dt.datetime,
    approved_by: User | None = None,
    approval_reason: str = "",
) -> TestingProgramme:
    """Create an (empty) testing programme for a subject, level and cohort; its deadline follows the school year."""
    # The programme and its first recorded change are one fact.
    with transaction.atomic():
        programme = TestingProgramme.objects.create(
            school_id=subject.school_id,
            kind=kind,
            subject=subject,
            level=level,
            cohort=cohort,
            school_year=school_year,
            deadline=programme_deadline(school_year=school_year),
            version=1,
            created_at=at,
        )
        _record(
            programme,
            description=_("aangemaakt"),
            by=by,
            at=at,
            approved_by=approved_by,
            approval_reason=approval_reason,
            first=True,
        )
    return programme


def programme_item_add(
    *,
    programme: TestingProgramme,
    code: str,
    name: str,
    period: Period,
    kind: AssessmentKind,
    exam_weight: Decimal,
    by: User | None,
    at: dt.datetime,
    weight: Decimal = Decimal("0"),
    resit_allowed: bool = False,
    approved_by: User | None = None,
    approval_reason: str = "",
) -> ProgrammeItem:
    """Add an assessment to the programme (after the deadline only with an approval)."""
    # The item and the recorded change are one fact: a refused late change must leave no item behind.
    with transaction.atomic():
        programme = TestingProgramme.objects.select_for_update().select_related("school").get(pk=programme.pk)
        item = ProgrammeItem.objects.create(
            school_id=programme.school_id,
            programme=programme,
            code=code,
            name=name,
            period=period,
            kind=kind,
            weight=weight,
            exam_weight=exam_weight,
            resit_allowed=resit_allowed,
        )
        _record(
            programme,
            description=_("toets %(code)s toegevoegd") % {"code": code},
            by=by,
            at=at,
            approved_by=approved_by,
            approval_reason=approval_reason,
        )
    return item


def programme_item_change(
    *,
    item: ProgrammeItem,
    by: User | None,
    at: dt.datetime,
    approved_by: User | None = None,
    approval_reason: str = "",
    **changes: Any,
) -> ProgrammeItem:
    """Change an assessment of the programme (weights, period, ...); after the deadline only with an approval."""
    unknown = set(changes) - CHANGEABLE_ITEM_FIELDS
    if unknown:
        raise GradeActionError(f"Not changeable here: {sorted(unknown)}")
    # The change and its record are one fact: a refused late change must leave the item as it was.
    with transaction.atomic():
        programme = TestingProgramme.objects.select_for_update().select_related("school").get(pk=item.programme_id)
        item = ProgrammeItem.objects.get(pk=item.pk)
        described = ", ".join(f"{name}: {getattr(item, name)} → {value}" for name, value in changes.items())
        for name, value in changes.items():
            setattr(item, name, value)
        item.save()
        _record(
            programme,
            description=f"{item.code}: {described}",
            by=by,
            at=at,
            approved_by=approved_by,
            approval_reason=approval_reason,
        )
    return item


def programme_item_withdraw(
    *,
    item: ProgrammeItem,
    by: User | None,
    at: dt.datetime,
    approved_by: User | None = None,
    approval_reason: str = "",
) -> ProgrammeItem:
    """Withdraw an assessment from the programme (kept, marked withdrawn); after the deadline only with approval."""
    # The withdrawal and its record are one fact.
    with transaction.atomic():
        programme = TestingProgramme.objects.select_for_update().select_related("school").get(pk=item.programme_id)
        item = ProgrammeItem.objects.get(pk=item.pk)
        item.withdrawn_at = at
        item.save(update_fields=["withdrawn_at"])
        _record(
            programme,
            description=_("toets %(code)s vervallen") % {"code": item.code},
            by=by,
            at=at,
            approved_by=approved_by,
            approval_reason=approval_reason,
        )
    return item
