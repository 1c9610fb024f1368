"""Pure rules of the attendance work: who may report sick or ask for leave, and the legal leave rules.

No database and no clock: the callers pass the facts (the relation, the student's age, the calendar, earlier leave)
and get back either `None` (allowed) or a Dutch sentence that says why not and what to do instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.translation import gettext as _

HOLIDAY_LEAVE_MAX_SCHOOL_DAYS = 10
IMPORTANT_LEAVE_HEAD_MAX_SCHOOL_DAYS = 10
FIRST_SCHOOL_WEEKS_WITHOUT_HOLIDAY_LEAVE = 2
SICK_REPORT_LATE_AFTER_SCHOOL_DAYS = 2

# The relation kinds (people.GuardianRelation.Custody values) that may report sick and ask for leave.
REPORTING_CUSTODY = frozenset({"with_gezag", "guardian_institution", "carer"})
LEAVE_CUSTODY = frozenset({"with_gezag", "guardian_institution"})


class Calendar(Protocol):
    def is_school_day(self, day: dt.date) -> bool: ...


@dataclass(frozen=True)
class Reporter:
    """Who asks: `student` (the student themself), `guardian` (with the relation's custody) or `staff`."""

    kind: str
    custody: str = ""
    relation_current: bool = True


def sick_report_refusal(*, reporter: Reporter, student_age: int, lives_on_own: bool) -> str | None:
    """None when this person may report the student sick (or better); else the Dutch reason."""
    if reporter.kind == "staff":
        return None
    if reporter.kind == "student":
        if student_age >= 18 or lives_on_own:
            return None
        return _(
            "Je kunt jezelf niet ziek melden: dat doet je ouder met gezag of je verzorger. "
            "Vanaf 18 jaar, of als je zelfstandig woont, meld je jezelf."
        )
    if reporter.kind == "guardian":
        if not reporter.relation_current:
            return _("U bent niet (meer) als ouder of verzorger van deze leerling bekend bij de school.")
        if student_age >= 18:
            return _("Deze leerling is 18 jaar of ouder en meldt zich zelf ziek en beter.")
        if reporter.custody in REPORTING_CUSTODY:
            return None
        return _(
            "U kunt deze leerling niet ziek melden: dat doet een ouder met gezag of de verzorger bij wie de "
            "leerling woont. Neem contact op met de school als dit niet klopt."
        )
    return _("Alleen een ouder met gezag, de verzorger of de leerling zelf (18+) kan een ziekmelding doen.")


def leave_request_refusal(*, reporter: Reporter, student_age: int) -> str | None:
    """None when this person may ask for leave; else the Dutch reason (a parent with gezag or an adult student)."""
    if reporter.kind == "staff":
        return None
    if reporter.kind == "student":
        return None if student_age >= 18 else _("Verlof vraagt je ouder met gezag aan; vanaf 18 jaar doe je dat zelf.")
    if reporter.kind == "guardian" and reporter.relation_current:
        if student_age >= 18:
            return _("Deze leerling is 18 jaar of ouder en vraagt zelf verlof aan.")
        if reporter.custody in LEAVE_CUSTODY:
            return None
    return _("Verlof wordt aangevraagd door een ouder met gezag (of de leerling zelf vanaf 18 jaar).")


def school_days_between(calendar: Calendar, start: dt.date, end: dt.date) -> int:
    """School days from start to end, both included."""
    n = 0
    day = start
    while day <= end:
        if calendar.is_school_day(day):
            n += 1
        day += dt.timedelta(days=1)
    return n


SCHOOL_DAYS_LOOKAHEAD = 120  # longer than the summer holiday


def school_days_after(calendar: Calendar, day: dt.date, n: int) -> dt.date:
    """The n-th school day after `day` (a deadline: explaining an absence, a report due, a come-back measure).

    Past the last school year the school has entered there are no school days to count; then weekdays count, so a
    lesson on the year's last day still gets a deadline (the calendar's own `add_school_days` refuses instead)."""
    current, found = day, 0
    for _step in range(SCHOOL_DAYS_LOOKAHEAD):
        if found >= n:
            return current
        current += dt.timedelta(days=1)
        found += calendar.is_school_day(current)
    if found >= n:
        return current
    current, found = day, 0
    while found < n:
        current += dt.timedelta(days=1)
        found += current.weekday() < 5
    return current


def first_school_weeks_end(calendar: Calendar, year_start: dt.date, weeks: int) -> dt.date:
    """The last day (Sunday) of the first `weeks` weeks with school days in a school year."""
    monday = year_start - dt.timedelta(days=year_start.weekday())
    found = 0
    for _week in range(60):
        if any(calendar.is_school_day(monday + dt.timedelta(days=i)) for i in range(5)):
            found += 1
            if found == weeks:
                return monday + dt.timedelta(days=6)
        monday += dt.timedelta(days=7)
    return year_start


@dataclass
class LeaveCheck:
    """The outcome of the legal rules for one leave request: problems (field → Dutch text), school days, who decides."""

    school_days: int = 0
    decided_by: str = "head"  # head (de directeur) | municipality (de leerplichtambtenaar)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def leave_check(
    *,
    kind: str,
    start: dt.date,
    end: dt.date,
    calendar: Calendar,
    year_start: dt.date,
    year_end: dt.date,
    earlier_holiday_leave: int,
) -> LeaveCheck:
    """The legal leave rules, checked and explained.

    `kind`: `holiday` (vakantieverlof: at most once a school year, at most 10 school days, never in the first two
    school weeks) or `important` (gewichtige omstandigheden: up to 10 school days by the head of the school, more by
    the municipality's attendance officer). `earlier_holiday_leave`: approved or pending holiday leave of this student
    in the same school year.
    """
    check = LeaveCheck()
    if end < start:
        check.errors["end"] = _("De einddatum ligt vóór de begindatum.")
        return check
    if not (year_start <= start <= year_end and year_start <= end <= year_end):
        check.errors["start"] = _("Verlof vraag je aan binnen één schooljaar.")
        return check
    check.school_days = school_days_between(calendar, start, end)
    if check.school_days == 0:
        check.errors["start"] = _("In deze periode zijn geen schooldagen: daarvoor is geen verlof nodig.")
        return check
    if kind == "holiday":
        if check.school_days > HOLIDAY_LEAVE_MAX_SCHOOL_DAYS:
            check.errors["end"] = _(
                "Vakantieverlof is ten hoogste %(max)s schooldagen; deze aanvraag beslaat er %(days)s."
            ) % {"max": HOLIDAY_LEAVE_MAX_SCHOOL_DAYS, "days": check.school_days}
        blocked_until = first_school_weeks_end(calendar, year_start, FIRST_SCHOOL_WEEKS_WITHOUT_HOLIDAY_LEAVE)
        if start <= blocked_until:
            check.errors["start"] = _(
                "Vakantieverlof is nooit mogelijk in de eerste twee lesweken van het schooljaar (tot en met %(day)s)."
            ) % {"day": f"{blocked_until.day}-{blocked_until.month}-{blocked_until.year}"}
        if earlier_holiday_leave > 0:
            check.errors["kind"] = _("Vakantieverlof kan één keer per schooljaar; er is dit schooljaar al verlof.")
        check.notes.append(
            _(
                "Vakantieverlof is alleen voor wie door het werk van een ouder in geen enkele schoolvakantie op "
                "vakantie kan; voeg een werkgeversverklaring toe."
            )
        )
    elif kind == "important":
        if check.school_days > IMPORTANT_LEAVE_HEAD_MAX_SCHOOL_DAYS:
            check.decided_by = "municipality"
            check.notes.append(
                _(
                    "Meer dan %(max)s schooldagen: de leerplichtambtenaar van de gemeente beslist, niet de school. "
                    "De school stuurt de aanvraag door."
                )
                % {"max": IMPORTANT_LEAVE_HEAD_MAX_SCHOOL_DAYS}
            )
        else:
            check.notes.append(_("Tot en met 10 schooldagen beslist de directeur van de school."))
    else:
        check.errors["kind"] = _("Kies vakantieverlof of verlof wegens gewichtige omstandigheden.")
    return check


def sick_report_is_late(*, calendar: Calendar, starts_on: dt.date, reported_on: dt.date) -> bool:
    """A report made more than two school days after the sickness began is late (marked, never refused)."""
    return school_days_between(calendar, starts_on + dt.timedelta(days=1), reported_on) > (
        SICK_REPORT_LATE_AFTER_SCHOOL_DAYS
    )
