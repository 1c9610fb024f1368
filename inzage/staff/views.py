"""Staff pages: the mentor's class, the year coordinator's year, the attendance officer's page, the student search
and the one-page student overview. Thin: resolve the viewer, ask `access`/`queries`, render. Not yours: 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from inzage.care import queries as care_queries
from inzage.staff import access, queries
from inzage.visibility.policy import viewer_for


@login_required
def my_class(request: HttpRequest) -> HttpResponse:
    viewer, at = viewer_for(request.user), timezone.now()
    if not access.may_open_my_class(viewer=viewer, at=at):
        raise Http404
    today = access.today_of(viewer, at)
    classes = queries.mentor_classes(viewer=viewer, at=at, today=today)
    members = queries.class_members(classes, today=today)
    overview = queries.mentees_overview(viewer=viewer, at=at, classes=classes, members=members)
    return render(request, "staff/my_class.html", {"overview": overview, "recent_days": queries.RECENT_DAYS})


@login_required
def year(request: HttpRequest) -> HttpResponse:
    viewer, at = viewer_for(request.user), timezone.now()
    if not access.may_open_year(viewer=viewer):
        raise Http404
    classes = queries.coordinator_classes(viewer=viewer, today=access.today_of(viewer, at))
    members = queries.class_members(classes, today=access.today_of(viewer, at))
    return render(request, "staff/year.html", {"classes": [(c, members[c.pk]) for c in classes]})


@login_required
def attendance(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request.user)
    if not access.may_open_attendance(viewer=viewer):
        raise Http404
    return render(request, "staff/attendance.html", {})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    viewer, at = viewer_for(request.user), timezone.now()
    if not access.may_search(viewer=viewer):
        raise Http404
    text = request.GET.get("q", "")[:100]
    found = queries.student_search(viewer=viewer, at=at, text=text)
    return render(request, "staff/search.html", {"q": text, "found": found, "searched": bool(text.strip())})


@login_required
def student(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer, at = viewer_for(request.user), timezone.now()
    ctx = queries.access_staff_student(viewer=viewer, student_id=student_id, at=at)
    overview = queries.student_overview(viewer=viewer, ctx=ctx, at=at)
    overview.care_notes_visible = care_queries.may_read_care_notes(ctx)
    overview.care_may_write = care_queries.may_write_care_notes(ctx)
    overview.care_notes = list(care_queries.care_notes_of(ctx=ctx)) if overview.care_notes_visible else []
    return render(request, "staff/student.html", {"o": overview})
