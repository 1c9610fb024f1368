"""Who may open which staff page. The pages and `links.start_links` ask these same questions, so a start-page link
never leads to a 404. Reads of student data on those pages still go through the engine, student by student."""

from __future__ import annotations

import datetime as dt

from inzage.staff import queries
from inzage.visibility.policy import Viewer


def today_of(viewer: Viewer, at: dt.datetime) -> dt.date:
    """The school's date at the instant (Europe/Amsterdam unless the school says otherwise)."""
    from zoneinfo import ZoneInfo

    from inzage.schools.models import School

    if viewer.school_id is None:
        return at.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    tz = School.objects.filter(pk=viewer.school_id).values_list("timezone", flat=True).first()
    return at.astimezone(ZoneInfo(tz or "Europe/Amsterdam")).date()


def may_open_my_class(*, viewer: Viewer, at: dt.datetime) -> bool:
    """Mentors of at least one class (the mentoring itself counts, as in the engine)."""
    return viewer.is_staff_member and bool(viewer.mentor_class_ids)


def may_open_year(*, viewer: Viewer) -> bool:
    return queries.has_role(viewer, "coordinator")


def may_open_care(*, viewer: Viewer) -> bool:
    """Care notes are written and listed by care coordinators (mentors read shared notes in the overview)."""
    return queries.has_role(viewer, "care_coordinator")


def may_open_attendance(*, viewer: Viewer) -> bool:
    return queries.has_role(viewer, "attendance_officer")


def may_search(*, viewer: Viewer) -> bool:
    """Roles that reach the whole school: a search among all students is what they need to find one."""
    return queries.has_role(
        viewer, "care_coordinator", "attendance_officer", "administrator", "coordinator", "exam_secretary"
    )
