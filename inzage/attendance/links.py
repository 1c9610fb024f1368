"""The attendance work on the staff start page: lessons not registered by their end (the teacher), new sick reports
(the mentor, the attendance officer). Only links the viewer may open; constant queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inzage.attendance.access import is_mentor, is_officer
from inzage.attendance.models import SickReport
from inzage.timetable.models import Lesson
from inzage.visibility.policy import Viewer

UNREGISTERED_LOOKBACK_DAYS = 7


def unregistered_lessons(*, viewer: Viewer, at: dt.datetime) -> list[Lesson]:
    """The viewer's lessons of the last week that have ended, take place, and were not registered."""
    if viewer.staff_id is None:
        return []
    return list(
        Lesson.objects.filter(
            teacher_id=viewer.staff_id,
            ends_at__lte=at,
            ends_at__gte=at - dt.timedelta(days=UNREGISTERED_LOOKBACK_DAYS),
            status=Lesson.Status.NORMAL,
            withdrawn_at__isnull=True,
            registered__isnull=True,
        )
        .select_related("group")
        .order_by("starts_at")[:50]
    )


def attendance_links(*, viewer: Viewer, at: dt.datetime) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    if viewer.staff_id is None:
        return links
    missing = unregistered_lessons(viewer=viewer, at=at)
    if missing or viewer.group_ids:
        label = _("Absenties registreren")
        if missing:
            label += " " + ngettext(
                "(%(n)s les nog niet geregistreerd)", "(%(n)s lessen nog niet geregistreerd)", len(missing)
            ) % {"n": len(missing)}
        links.append((label, reverse("attendance:lessons")))
    since = at - dt.timedelta(days=1)
    if is_mentor(viewer):
        new = SickReport.objects.filter(
            reported_at__gte=since, student__class_memberships__school_class_id__in=viewer.mentor_class_ids
        ).count()
        links.append(
            (_("Verzuim van mijn klas (%(n)s nieuwe ziekmeldingen)") % {"n": new}, reverse("attendance:mentor"))
        )
    if is_officer(viewer):
        new = SickReport.objects.filter(Q(school_id=viewer.school_id) & Q(reported_at__gte=since)).count()
        links.append((_("Verzuim: werklijst (%(n)s nieuwe ziekmeldingen)") % {"n": new}, reverse("attendance:officer")))
    return links
