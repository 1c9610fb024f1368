"""Who may open which reports page. The pages and the start-page links ask these same questions; each student's
data on them still goes through the engine (`queries`)."""

from __future__ import annotations

from django.http import Http404

from inzage.schools.models import SchoolClass
from inzage.visibility.policy import Viewer


def may_publish_any(*, viewer: Viewer) -> bool:
    """Mentors (of some class: the mentoring counts, as in the engine) and the school's administrators."""
    return viewer.is_staff_member and (bool(viewer.mentor_class_ids) or viewer.has_role("administrator"))


def is_administrator(viewer: Viewer) -> bool:
    return viewer.is_staff_member and viewer.has_role("administrator")


def publishable_classes(*, viewer: Viewer, school_year_id: int | None = None) -> list[SchoolClass]:
    """The classes whose reports this viewer publishes: an administrator any class of the school (of one school
    year when given), a mentor the classes they mentor (any year). One query."""
    if not may_publish_any(viewer=viewer) or viewer.school_id is None:
        return []
    classes = SchoolClass.objects.filter(school_id=viewer.school_id).select_related("school_year", "year_group")
    if not is_administrator(viewer):
        classes = classes.filter(pk__in=viewer.mentor_class_ids)
    if school_year_id is not None:
        classes = classes.filter(school_year_id=school_year_id)
    return list(classes.order_by("-school_year__start", "name"))


def access_class(*, viewer: Viewer, class_id: int) -> SchoolClass:
    """A class this viewer publishes reports for; otherwise 404 ("not yours" looks like "not found")."""
    if not may_publish_any(viewer=viewer) or viewer.school_id is None:
        raise Http404
    school_class = (
        SchoolClass.objects.filter(pk=class_id, school_id=viewer.school_id)
        .select_related("school", "school_year", "year_group")
        .first()
    )
    if school_class is None or not (is_administrator(viewer) or school_class.pk in viewer.mentor_class_ids):
        raise Http404
    return school_class
