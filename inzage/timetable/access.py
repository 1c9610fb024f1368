"""Who may open which timetable management page. The page and the staff start page (`inzage.staff.links`) ask these
same questions, so a start-page link never leads to a 404."""

from __future__ import annotations

from inzage.schools.models import SchoolYear
from inzage.visibility.policy import Viewer


def may_import_pattern(*, viewer: Viewer) -> bool:
    """The school's administrators, once the school has a school year to load the pattern into (one query)."""
    if not viewer.has_role("administrator") or viewer.school_id is None:
        return False
    return SchoolYear.objects.filter(school_id=viewer.school_id).exists()
