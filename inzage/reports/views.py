"""Reports pages: "Rapporten" for the student and parents, publishing and printing for the mentor and
administrators. Thin: resolve the viewer, ask `access`/`queries`, call one action, render. Not yours: 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from inzage import clock
from inzage.accounts.models import User
from inzage.grades.actions import GradeActionError
from inzage.grades.period_reports import period_report_publish
from inzage.portal.access_log import record_read
from inzage.reports import access, queries
from inzage.reports.forms import MAX_REASON, MAX_REMARK, publish_input, remark_field
from inzage.reports.pdf import reports_pdf
from inzage.schools.models import SchoolYear
from inzage.staff.access import today_of
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import viewer_for


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 else None


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The student's or the children's published reports the engine shows this account now."""
    user = request.user
    assert isinstance(user, User)
    viewer, now = viewer_for(user), clock.now()
    found = queries.my_reports(viewer=viewer, at=now)  # 404 without a portal student
    for entry in found:
        if entry.reports:
            record_read(user_id=user.pk, student_id=entry.student.pk, kind=DataKind.PERIOD_REPORT, at=now, cached=False)
    return render(request, "reports/mine.html", {"found": found})


@login_required
def report_pdf(request: HttpRequest, row_id: int) -> HttpResponse:
    """One student's published report (exactly the frozen version) as a PDF."""
    user = request.user
    assert isinstance(user, User)
    viewer, now = viewer_for(user), clock.now()
    row = queries.access_report(viewer=viewer, row_id=row_id, at=now)
    record_read(user_id=user.pk, student_id=row.student_id, kind=DataKind.PERIOD_REPORT, at=now, cached=False)
    view = queries.report_view(row)
    pdf = reports_pdf([view], title=f"Rapport {view.period} van {view.student}")
    return _pdf_response(pdf, f"rapport-{row.period.number}-{row.student.student_number}-v{row.version}.pdf")


@login_required
def classes(request: HttpRequest) -> HttpResponse:
    """The classes whose reports this mentor or administrator publishes, with each period's status."""
    viewer = viewer_for(request.user)
    if not access.may_publish_any(viewer=viewer):
        raise Http404
    years: list[SchoolYear] = []
    year_id = None
    if access.is_administrator(viewer) and viewer.school_id is not None:
        years = list(SchoolYear.objects.filter(school_id=viewer.school_id).order_by("-start"))
        today = today_of(viewer, clock.now())
        chosen = _int_or_none(request.GET.get("jaar"))
        current = next((y for y in years if y.start <= today <= y.end), years[0] if years else None)
        year_id = chosen if chosen in {y.pk for y in years} else (current.pk if current else None)
    rows = queries.classes_overview(classes=access.publishable_classes(viewer=viewer, school_year_id=year_id))
    return render(request, "reports/classes.html", {"rows": rows, "years": years, "year_id": year_id})


@login_required
def publish(request: HttpRequest, class_id: int, period_id: int) -> HttpResponse:
    """Preview the period report of a class, write the mentor's remarks, publish (or correct) it."""
    user = request.user
    assert isinstance(user, User)
    viewer, now = viewer_for(user), clock.now()
    school_class = access.access_class(viewer=viewer, class_id=class_id)
    period = queries.period_of(school_class=school_class, period_id=period_id)
    preview, absence = queries.publication_preview(viewer=viewer, school_class=school_class, period=period, at=now)
    correction = bool(preview.versions)
    typed = {remark_field(r.student.pk): r.remark for r in preview.rows}
    reason, errors, status = "", {}, 200
    if request.method == "POST":
        data = publish_input(
            request.POST.dict(), student_ids=[r.student.pk for r in preview.rows], correction=correction
        )
        typed = {remark_field(sid): text for sid, text in data.remarks.items()}
        reason, errors = data.reason, data.errors
        if not errors:
            try:
                report = period_report_publish(
                    school_class=school_class,
                    period=period,
                    by=user,
                    at=now,
                    remarks=data.remarks,
                    reason=data.reason,
                    absence=absence,
                )
            except GradeActionError as refused:
                errors["page"] = str(refused)
            else:
                messages.success(
                    request, f"Het rapport van {school_class.name} is gepubliceerd (versie {report.version})."
                )
                return redirect("reports:publish", class_id=school_class.pk, period_id=period.pk)
        status = 422
    rows = [
        (r, typed.get(remark_field(r.student.pk), ""), errors.get(remark_field(r.student.pk))) for r in preview.rows
    ]
    context = {
        "p": preview,
        "rows": rows,
        "reason": reason,
        "errors": errors,
        "correction": correction,
        "max_remark": MAX_REMARK,
        "max_reason": MAX_REASON,
    }
    return render(request, "reports/publish.html", context, status=status)


@login_required
def class_pdf(request: HttpRequest, class_id: int, period_id: int) -> HttpResponse:
    """The print run of a class: every student's report of one published version in one PDF."""
    user = request.user
    assert isinstance(user, User)
    viewer, now = viewer_for(user), clock.now()
    school_class = access.access_class(viewer=viewer, class_id=class_id)
    period = queries.period_of(school_class=school_class, period_id=period_id)
    version = None
    if "versie" in request.GET:
        version = _int_or_none(request.GET["versie"])
        if version is None:
            raise Http404
    report, views = queries.class_print_rows(
        viewer=viewer, school_class=school_class, period=period, version=version, at=now
    )
    for view in views:
        record_read(user_id=user.pk, student_id=view.student_id, kind=DataKind.PERIOD_REPORT, at=now, cached=False)
    pdf = reports_pdf(views, title=f"Rapporten {period.name} {school_class.name} (versie {report.version})")
    return _pdf_response(pdf, f"rapporten-{slugify(school_class.name)}-{period.number}-v{report.version}.pdf")
