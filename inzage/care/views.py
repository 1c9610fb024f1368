"""Care pages: the care coordinator's start (recent notes, student search), a student's notes with a new-note form,
one note's versions with a correction form. Thin: resolve, check through `queries`, call one action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from inzage.care import actions, queries
from inzage.care.forms import CareNoteCorrectionForm, CareNoteForm
from inzage.care.models import CareNote
from inzage.staff import access
from inzage.staff.queries import access_staff_student, student_search
from inzage.visibility.policy import viewer_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    viewer, at = viewer_for(request.user), timezone.now()
    if not access.may_open_care(viewer=viewer):
        raise Http404
    text = request.GET.get("q", "")[:100]
    return render(
        request,
        "care/home.html",
        {
            "notes": queries.recent_notes(viewer=viewer, at=at),
            "q": text,
            "searched": bool(text.strip()),
            "found": student_search(viewer=viewer, at=at, text=text),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def student_notes(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer, at = viewer_for(request.user), timezone.now()
    ctx = access_staff_student(viewer=viewer, student_id=student_id, at=at)
    if not queries.may_write_care_notes(ctx):
        raise Http404
    assert ctx.facts is not None
    student = ctx.facts.student
    form = CareNoteForm(request.POST or None, today=ctx.today, initial={"written_on": ctx.today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.care_note_create(
            student=student,
            written_on=data["written_on"],
            text=data["text"],
            audience=data["audience"],
            by=request.user,  # type: ignore[arg-type]
            at=at,
        )
        messages.success(request, "De notitie is opgeslagen.")
        return HttpResponseRedirect(reverse("care:student", args=[student.pk]))
    return render(
        request,
        "care/student.html",
        {"student": student, "notes": list(queries.care_notes_of(ctx=ctx)), "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def note(request: HttpRequest, note_id: int) -> HttpResponse:
    viewer, at = viewer_for(request.user), timezone.now()
    found = CareNote.objects.filter(pk=note_id, school_id=viewer.school_id or -1).first()
    if found is None:
        raise Http404
    ctx = access_staff_student(viewer=viewer, student_id=found.student_id, at=at)
    if not queries.may_write_care_notes(ctx):
        raise Http404
    form = CareNoteCorrectionForm(
        request.POST or None,
        today=ctx.today,
        initial={"written_on": found.written_on, "text": found.text, "audience": found.audience},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.care_note_correct(
            note=found,
            written_on=data["written_on"],
            text=data["text"],
            audience=data["audience"],
            reason=data["reason"],
            by=request.user,  # type: ignore[arg-type]
            at=at,
        )
        messages.success(request, "De correctie is opgeslagen als nieuwe versie.")
        return HttpResponseRedirect(reverse("care:note", args=[found.pk]))
    return render(
        request,
        "care/note.html",
        {
            "note": found,
            "student": ctx.facts.student if ctx.facts else None,
            "form": form,
            "versions": list(queries.note_versions(found)),
        },
        status=422 if form.errors else 200,
    )
