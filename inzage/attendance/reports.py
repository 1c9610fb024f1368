"""The period's absence figures for a period report (the provider `inzage.reports.absence` looks for).

A report freezes these at publication. Each registration is counted by the meaning everyone is shown
(`queries.meaning`): a lesson covered by a sick report or by approved leave is authorised, an absence the school's
deadline has not yet passed counts as absent but in neither column, "te laat" and "uitgestuurd" are counted apart.
Present students have no rows (a registered lesson without a row means present), so they count zero. A period in
which the school registered no lesson at all has no figures: the report then says nothing about absence.
"""

from __future__ import annotations

import datetime as dt

from inzage import clock
from inzage.attendance.models import LessonRegistration, Registration, Status
from inzage.attendance.queries import covers_for, meaning, settings_for
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import Period


def period_absence(
    *, student_ids: list[int], period: Period, at: dt.datetime | None = None
) -> dict[int, dict[str, int]]:
    """Per student: lessons absent (and of those authorised / unauthorised), times late, times removed."""
    at = at or clock.now()
    calendar = SchoolCalendar.load(period.school_id)
    start = calendar.start_of_day(period.start)
    end = calendar.start_of_day(period.end + dt.timedelta(days=1))
    registered = LessonRegistration.objects.filter(
        school_id=period.school_id, lesson__date__gte=period.start, lesson__date__lte=period.end
    )
    if not registered.exists():
        return {}  # the school registered no lesson in this period: no figures (not a row of zeros)
    figures = {
        sid: {"absent_lessons": 0, "authorised_lessons": 0, "unauthorised_lessons": 0, "late": 0, "removed": 0}
        for sid in student_ids
    }
    regs = list(
        Registration.objects.filter(
            school_id=period.school_id, student_id__in=student_ids, starts_at__gte=start, starts_at__lt=end
        )
        .exclude(status=Status.PRESENT)
        .select_related("reason")
    )
    if not regs:
        return figures
    covers = covers_for({r.student_id for r in regs}, at=at)
    deadline = settings_for(period.school_id).explain_deadline_school_days
    for reg in regs:
        counts = figures[reg.student_id]
        if reg.status == Status.REMOVED:
            counts["removed"] += 1
            continue
        if reg.status == Status.LATE:
            counts["late"] += 1
            continue
        counts["absent_lessons"] += 1
        found = meaning(
            reg,
            cover=covers[reg.student_id],
            calendar=calendar,
            deadline_days=deadline,
            at=at,
            reason_authorised=reg.reason.authorised if reg.reason else None,
            reason_name=reg.reason.name if reg.reason else "",
        )
        if found.authorised is True:
            counts["authorised_lessons"] += 1
        elif found.authorised is False:
            counts["unauthorised_lessons"] += 1
    return figures
