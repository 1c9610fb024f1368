"""Reads for the PTA pages (the caller checked access with `access.py`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inzage.accounts.models import User
from inzage.grades.models import ProgrammeChange, ProgrammeItem, TestingProgramme
from inzage.grades.programmes import programme_is_fixed
from inzage.pta.access import approvers_q


def person_name(user: User | None) -> str:
    """How a staff account is named on the page: the staff member's name (accounts often hold none), else the
    account's name or username; "—" for nobody."""
    if user is None:
        return "—"
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    return (staff.full_name if staff is not None else "") or user.get_full_name() or user.username


@dataclass(frozen=True)
class ChangeRow:
    change: ProgrammeChange
    by: str
    approver: str


@dataclass(frozen=True)
class ProgrammePage:
    programme: TestingProgramme
    items: list[ProgrammeItem]
    changes: list[ChangeRow]
    fixed: bool  # past the deadline: a change needs a recorded approval
    exam_weight_total: object


def programme_page(*, programme: TestingProgramme, at: dt.datetime, with_changes: bool) -> ProgrammePage:
    """The programme's items (withdrawn ones included, marked) by period and code, and its change history (for
    staff). Two queries."""
    items = list(
        ProgrammeItem.objects.filter(programme=programme)
        .select_related("period", "period__school_year", "kind")
        .order_by("period__start", "code")
    )
    changes: list[ChangeRow] = []
    if with_changes:
        changes = [
            ChangeRow(c, person_name(c.changed_by), person_name(c.approved_by) if c.approved_by_id else "")
            for c in ProgrammeChange.objects.filter(programme=programme)
            .select_related("changed_by__staff", "approved_by__staff")
            .order_by("-version")
        ]
    total = sum((item.exam_weight for item in items if item.withdrawn_at is None), start=0)
    return ProgrammePage(
        programme=programme,
        items=items,
        changes=changes,
        fixed=programme_is_fixed(programme=programme, at=at),
        exam_weight_total=total,
    )


def programme_item(*, programme: TestingProgramme, item_id: int) -> ProgrammeItem | None:
    return ProgrammeItem.objects.filter(programme=programme, pk=item_id).select_related("period", "kind").first()


def approvers(*, school_id: int) -> list[User]:
    """The accounts that may be recorded as approving a late change (the school's administrators)."""
    return list(User.objects.filter(approvers_q(school_id)).distinct().select_related("staff").order_by("pk"))
