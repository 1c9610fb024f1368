"""The start of a student's page for students and parents: straight to the one student, or a picker of the children.

Used by every package whose pages take a student id (grades, attendance, the access log): a start-page link goes to
the package's index, which lands here. A guardian without a current child (or without custody and no granted
request) gets the picker with "no students", never a 404 behind a start-page link.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from inzage import clock
from inzage.visibility.policy import viewer_for
from inzage.visibility.queries import portal_students


def student_picker(
    request: HttpRequest, *, view: str, title: str, allowed: Callable[..., bool] | None = None
) -> HttpResponse:
    """One student: a redirect to `view` for them. Several (or none): a page listing them under `title`.
    `allowed(viewer=, student=, at=)` keeps only the students whose page `view` would open for this viewer."""
    viewer, at = viewer_for(request.user), clock.now()
    students = portal_students(viewer=viewer, at=at)
    if allowed is not None:
        students = [s for s in students if allowed(viewer=viewer, student=s, at=at)]
    if len(students) == 1:
        return redirect(view, student_id=students[0].pk)
    links = [(s.full_name, reverse(view, kwargs={"student_id": s.pk})) for s in students]
    return render(request, "portal/pick_student.html", {"title": title, "links": links})
