"""What a staff member's start page links to: only pages this viewer may open (integration point for `inzage/web`)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from inzage.attendance.links import attendance_links
from inzage.staff import access
from inzage.timetable.access import may_import_pattern
from inzage.visibility.policy import Viewer


def start_links(*, viewer: Viewer, at: dt.datetime) -> list[tuple[str, str]]:
    """(Dutch label, URL) for each role page this viewer may open now; the pages ask the same questions."""
    links: list[tuple[str, str]] = []
    if access.may_open_my_class(viewer=viewer, at=at):
        links.append(("Mijn klas", reverse("staff:my_class")))
    if access.may_open_year(viewer=viewer):
        links.append(("Mijn jaarlaag", reverse("staff:year")))
    if access.may_open_care(viewer=viewer):
        links.append(("Zorgnotities", reverse("care:home")))
    if access.may_open_attendance(viewer=viewer):
        links.append(("Verzuim", reverse("staff:attendance")))
    links += attendance_links(viewer=viewer, at=at)
    if access.may_search(viewer=viewer):
        links.append(("Leerling zoeken", reverse("staff:search")))
    if may_import_pattern(viewer=viewer):
        links.append(("Lesrooster inlezen", reverse("timetable:pattern_import")))
    return links
