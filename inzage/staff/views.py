"""Staff pages: the mentor's class, the year coordinator's year, the attendance officer's page, the student search,
the one-page student overview and the exam candidate's overview (with the central exam grades). Thin: resolve the
viewer, ask `access`/`queries`, render. Not yours: 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inzage.care import queries as care_queries
from inzage.grades.actions import GradeActionError, central_exam_result_enter
from inzage.staff import access, queries
from inzage.staff.forms import CentralExamForm
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


@login_required
@require_http_methods(["GET", "POST"])
def candidate(request: HttpRequest, student_id: int) -> HttpResponse:
    """The exam candidate's overview for the examination secretary and administrators; POST records a central exam
    grade (docs/grades.md, "The exam year")."""
    viewer, at = viewer_for(request.user), timezone.now()
    ctx = queries.access_candidate(viewer=viewer, student_id=student_id, at=at)
    overview = queries.candidate_overview(ctx=ctx, at=at)
    enterable = {s.subject.pk: s.subject for s in overview.subjects if s.outcome.has_central_exam}
    form = CentralExamForm(request.POST or None, subjects=list(enterable.values()))
    status = 200
    if request.method == "POST":
        status = 422
        if overview.school_year is None or not overview.grades_visible:
            form.add_error(None, _("Voor deze leerling kun je geen examencijfers invoeren."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                central_exam_result_enter(
                    student=overview.student,
                    subject=enterable[data["subject"]],
                    school_year=overview.school_year,
                    attempt=data["attempt"],
                    value=data["grade"],
                    reason=data["reason"],
                    by=request.user,  # type: ignore[arg-type]
                    at=at,
                )
            except GradeActionError as err:
                form.add_error("grade", str(err))
            else:
                messages.success(request, _("Het CE-cijfer is opgeslagen."))
                return HttpResponseRedirect(reverse("staff:candidate", args=[student_id]))
    return render(request, "staff/candidate.html", {"o": overview, "form": form}, status=status)
