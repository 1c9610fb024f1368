"""Attendance pages: thin views (parse, resolve who asks, call one query or action, render)."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inzage import clock
from inzage.attendance import actions, queries, rules
from inzage.attendance.access import (
    access_lesson,
    access_student,
    is_mentor,
    is_officer,
    may_decide_leave,
)
from inzage.attendance.forms import DuoStateForm, LeaveDecisionForm, LeaveRequestForm, SickReportForm
from inzage.attendance.models import DuoReport, LeaveRequest, Registration, Status
from inzage.portal.access_log import record_read
from inzage.portal.pick import student_picker
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import SchoolYear
from inzage.timetable.models import Lesson
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Context, Item, Viewer, context_for, request_viewer


def _uid(request: HttpRequest) -> int:
    pk = request.user.pk
    assert isinstance(pk, int)
    return pk


def _student_context(request: HttpRequest, ctx: Context, at: dt.datetime, **extra: object) -> dict[str, object]:
    assert ctx.facts is not None
    today = ctx.today
    may_see = queries.sees(ctx, DataKind.ATTENDANCE)
    rows = queries.student_registrations(ctx=ctx, at=at, since=today - dt.timedelta(days=120)) if may_see else []
    pending = queries.pending_sick_report_visible(ctx) if may_see else None
    lessons = queries.today_lessons(ctx, today) if may_see else []
    cover = queries.covers_for([ctx.student_id], at=at, contexts={ctx.student_id: ctx})[ctx.student_id]
    by_lesson = {r.reg.lesson_id: r for r in rows}
    today_rows: list[tuple[Lesson, queries.Meaning | None]] = []
    for lesson in lessons:
        row = by_lesson.get(lesson.pk)
        if cover.sick_at(lesson.starts_at):
            today_rows.append((lesson, queries.SICK_REPORTED))  # also where the teacher registered "absent"
        else:
            today_rows.append((lesson, row.meaning if row is not None else None))
    sick_refusal = queries.sick_refusal(ctx)
    leave_refusal = queries.leave_refusal(ctx)
    record_read(user_id=_uid(request), student_id=ctx.student_id, kind=DataKind.ATTENDANCE, at=at, cached=False)
    context: dict[str, object] = {
        "student": ctx.facts.student,
        "may_see": may_see,
        "rows": rows[:60],
        "weeks": queries.weeks_of(rows, ctx.calendar)[:12],
        "pending": pending,
        "today_rows": today_rows,
        "sick_refusal": sick_refusal,
        "leave_refusal": leave_refusal,
        "sick_form": SickReportForm(lessons=_lesson_choices(ctx, lessons)),
        "leave_form": LeaveRequestForm(),
        "leaves": queries.leave_requests_visible(ctx) if may_see else [],
        "measures": queries.measures_visible(ctx) if queries.sees(ctx, DataKind.BEHAVIOUR) else [],
        "audience": ctx.audience,
    }
    context.update(extra)
    return context


def _lesson_choices(ctx: Context, lessons: list[Lesson]) -> list[tuple[str, str]]:
    return [
        (
            str(lesson.pk),
            _("%(hour)se uur (%(time)s)")
            % {"hour": lesson.slot_number, "time": f"{lesson.starts_at.astimezone(ctx.calendar.timezone):%H:%M}"},
        )
        for lesson in lessons
    ]


@login_required
def student_page(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer, at = request_viewer(request), clock.now()
    ctx = access_student(viewer=viewer, student_id=student_id, at=at)
    return render(request, "attendance/student.html", _student_context(request, ctx, at))


@login_required
@require_POST
def sick_report(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer, at = request_viewer(request), clock.now()
    ctx = access_student(viewer=viewer, student_id=student_id, at=at)
    assert ctx.facts is not None
    refusal = queries.sick_refusal(ctx)
    lessons = queries.today_lessons(ctx, ctx.today) if refusal is None else []
    form = SickReportForm(request.POST, lessons=_lesson_choices(ctx, lessons))
    if refusal is not None:
        form.is_valid()
        form.add_error(None, refusal)
        return render(
            request, "attendance/student.html", _student_context(request, ctx, at, sick_form=form), status=403
        )
    if not form.is_valid():
        return render(
            request, "attendance/student.html", _student_context(request, ctx, at, sick_form=form), status=400
        )
    starts_at = at
    chosen = form.cleaned_data["lesson"]
    if chosen:
        starts_at = min(next(lesson.starts_at for lesson in lessons if str(lesson.pk) == chosen), at)
    if queries.pending_sick_report(student_id=ctx.student_id, at=at) is None:
        actions.sick_report_create(
            student=ctx.facts.student,
            user_id=_uid(request),
            by=queries.reporter_of(ctx).kind,
            starts_at=starts_at,
            at=at,
            calendar=ctx.calendar,
        )
    return HttpResponseRedirect(reverse("attendance:student", args=[student_id]) + "#ziek")


@login_required
@require_POST
def better_report(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer, at = request_viewer(request), clock.now()
    ctx = access_student(viewer=viewer, student_id=student_id, at=at)
    refusal = queries.sick_refusal(ctx)
    pending = queries.pending_sick_report_visible(ctx)
    if refusal is not None or pending is None:
        form = SickReportForm({})  # bound, so the refusal shows as the form's error
        form.is_valid()
        form.add_error(None, refusal or _("Er is geen lopende ziekmelding om beter te melden."))
        return render(
            request, "attendance/student.html", _student_context(request, ctx, at, sick_form=form), status=400
        )
    actions.sick_report_end(report=pending, user_id=_uid(request), ends_at=at, at=at)
    return HttpResponseRedirect(reverse("attendance:student", args=[student_id]) + "#ziek")


@login_required
@require_POST
def leave_request(request: HttpRequest, student_id: int) -> HttpResponse:
    viewer, at = request_viewer(request), clock.now()
    ctx = access_student(viewer=viewer, student_id=student_id, at=at)
    assert ctx.facts is not None
    form = LeaveRequestForm(request.POST)
    refusal = queries.leave_refusal(ctx)
    if refusal is not None:
        form.is_valid()
        form.add_error(None, refusal)
        return render(
            request, "attendance/student.html", _student_context(request, ctx, at, leave_form=form), status=403
        )
    if form.is_valid():
        data = form.cleaned_data
        year = SchoolYear.objects.filter(
            school_id=ctx.facts.student.school_id, start__lte=data["start"], end__gte=data["start"]
        ).first()
        if year is None:
            form.add_error("start", _("Deze datum ligt niet in een schooljaar."))
        else:
            earlier = LeaveRequest.objects.filter(
                student_id=student_id,
                kind=LeaveRequest.Kind.HOLIDAY,
                state__in=[LeaveRequest.State.PENDING, LeaveRequest.State.APPROVED],
                start__gte=year.start,
                start__lte=year.end,
            ).count()
            check = rules.leave_check(
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
                calendar=ctx.calendar,
                year_start=year.start,
                year_end=year.end,
                earlier_holiday_leave=earlier if data["kind"] == LeaveRequest.Kind.HOLIDAY else 0,
            )
            for name, message in check.errors.items():
                form.add_error(name, message)
            if check.ok:
                actions.leave_request_create(
                    student=ctx.facts.student,
                    user_id=_uid(request),
                    kind=data["kind"],
                    start=data["start"],
                    end=data["end"],
                    explanation=data["explanation"],
                    school_days=check.school_days,
                    at=at,
                )
                return HttpResponseRedirect(reverse("attendance:student", args=[student_id]) + "#verlof")
    return render(request, "attendance/student.html", _student_context(request, ctx, at, leave_form=form), status=400)


# ------------------------------------------------------------------------------------------------------ lessons


@login_required
def lesson(request: HttpRequest, lesson_id: int) -> HttpResponse:
    viewer, at = request_viewer(request), clock.now()
    found = access_lesson(viewer=viewer, lesson_id=lesson_id)
    rows = queries.lesson_rows(viewer=viewer, lesson=found, at=at)
    minutes = round((found.ends_at - found.starts_at).total_seconds() / 60)
    saved = request.GET.get("opgeslagen") == "1"
    if request.method == "POST":
        entries: dict[int, actions.Entry] = {}
        errors = 0
        for row in rows:
            if not row.shown:
                continue  # the engine does not give this viewer the student's attendance here: left as it is
            sid = row.student.pk
            status = request.POST.get(f"status-{sid}", Status.PRESENT)
            late_text = request.POST.get(f"late-{sid}", "").strip()[:10]
            note = request.POST.get(f"note-{sid}", "").replace("\x00", "").strip()[:300]
            row.status, row.late, row.note = status, late_text, note
            if status not in Status.values:
                row.error, status = _("Kies aanwezig, afwezig, te laat of uitgestuurd."), Status.PRESENT
                row.status = status
                errors += 1
            late = 0
            if status == Status.LATE:
                if not (late_text.isascii() and late_text.isdigit()) or not 1 <= int(late_text) <= minutes:
                    row.error = _("Vul het aantal minuten te laat in (1 tot en met %(max)s).") % {"max": minutes}
                    errors += 1
                else:
                    late = int(late_text)
            if status == Status.REMOVED and not note:
                row.error = _("Schrijf kort op waarom de leerling is uitgestuurd.")
                errors += 1
            entries[sid] = actions.Entry(
                status=status, late_minutes=late, note=note if status == Status.REMOVED else ""
            )
        if not errors:
            actions.lesson_register(
                lesson=found,
                entries=entries,
                user_id=_uid(request),
                at=at,
                calendar=SchoolCalendar.load(found.school_id),
                leave_alone=frozenset(row.student.pk for row in rows if not row.shown),
            )
            return HttpResponseRedirect(reverse("attendance:lesson", args=[lesson_id]) + "?opgeslagen=1")
        return render(
            request,
            "attendance/lesson.html",
            {"lesson": found, "rows": rows, "minutes": minutes, "errors": errors},
            status=400,
        )
    registered = hasattr(found, "registered")
    return render(
        request,
        "attendance/lesson.html",
        {"lesson": found, "rows": rows, "minutes": minutes, "saved": saved, "registered": registered},
    )


@login_required
def lessons(request: HttpRequest) -> HttpResponse:
    """The teacher's lessons of today and the lessons of the last week not registered yet."""
    from inzage.attendance.links import unregistered_lessons

    viewer, at = request_viewer(request), clock.now()
    if viewer.staff_id is None:
        raise Http404
    calendar = SchoolCalendar.load(viewer.school_id or 0)
    today = calendar.local_date(at)
    todays = list(
        Lesson.objects.filter(teacher_id=viewer.staff_id, date=today, withdrawn_at__isnull=True)
        .select_related("group", "registered")
        .order_by("starts_at")
    )
    return render(
        request,
        "attendance/lessons.html",
        {"todays": todays, "missing": unregistered_lessons(viewer=viewer, at=at), "today": today},
    )


@login_required
def registration(request: HttpRequest, registration_id: int) -> HttpResponse:
    """A registration's history, and (staff who see it) a correction with a reason."""
    viewer, at = request_viewer(request), clock.now()
    reg = Registration.objects.filter(pk=registration_id).select_related("student", "reason").first()
    if reg is None or viewer.staff_id is None:
        raise Http404
    ctx = access_student(viewer=viewer, student_id=reg.student_id, at=at)
    if not queries.registrations_visible(ctx, Registration.objects.filter(pk=reg.pk)).exists():
        raise Http404
    from inzage.attendance.models import ReasonCode

    reasons = list(ReasonCode.objects.filter(school_id=reg.school_id, active=True, by_staff=True))
    error: dict[str, str] = {}
    typed = {"status": reg.status, "late": str(reg.late_minutes or ""), "reason": str(reg.reason_id or ""), "why": ""}
    if request.method == "POST":
        typed = {k: request.POST.get(k, "").replace("\x00", "").strip()[:300] for k in typed}
        if typed["status"] not in Status.values:
            error["status"] = _("Kies een registratie uit de lijst.")
        reason = next((r for r in reasons if str(r.pk) == typed["reason"]), None)
        if typed["reason"] and reason is None:
            error["reason"] = _("Kies een reden uit de lijst.")
        late = (
            int(typed["late"]) if typed["late"].isascii() and typed["late"].isdigit() and len(typed["late"]) < 6 else 0
        )
        if typed["status"] == Status.LATE and not 1 <= late <= reg.minutes:
            error["late"] = _("Vul het aantal minuten te laat in (1 tot en met %(max)s).") % {"max": reg.minutes}
        if not typed["why"]:
            error["why"] = _("Geef aan waarom je dit wijzigt; dat blijft bewaard.")
        if not error:
            actions.registration_correct(
                registration=reg,
                user_id=_uid(request),
                status=typed["status"],
                late_minutes=late,
                reason=reason,
                why=typed["why"][:300],
                at=at,
            )
            return HttpResponseRedirect(reverse("attendance:registration", args=[reg.pk]))
    versions = list(reg.versions.select_related("changed_by", "reason").order_by("-version"))
    return render(
        request,
        "attendance/registration.html",
        {"reg": reg, "versions": versions, "reasons": reasons, "error": error, "typed": typed, "statuses": Status},
        status=400 if error else 200,
    )


# ------------------------------------------------------------------------------------------ mentor and officer


@login_required
def mentor(request: HttpRequest) -> HttpResponse:
    viewer, at = request_viewer(request), clock.now()
    if not is_mentor(viewer):
        raise Http404
    return render(request, "attendance/mentor.html", queries.mentor_overview(viewer=viewer, at=at))


@login_required
def officer(request: HttpRequest) -> HttpResponse:
    viewer, at = request_viewer(request), clock.now()
    if not is_officer(viewer):
        raise Http404
    # Filters only: NUL (PostgreSQL refuses it in text) and overlong input are dropped, not passed to the query.
    state = request.GET.get("status", "").replace("\x00", "")[:20]
    klas = request.GET.get("klas", "").replace("\x00", "")[:20]
    return render(
        request,
        "attendance/officer.html",
        queries.officer_overview(viewer=viewer, at=at, state=state, klas=klas) | {"state": state, "klas": klas},
    )


@login_required
@require_POST
def officer_scan(request: HttpRequest) -> HttpResponse:
    viewer, at = request_viewer(request), clock.now()
    if not is_officer(viewer) or viewer.school_id is None:
        raise Http404
    from inzage.schools.models import School

    school = School.objects.get(pk=viewer.school_id)
    actions.duo_scan(school=school, at=at, calendar=SchoolCalendar.load(school))
    return HttpResponseRedirect(reverse("attendance:officer"))


@login_required
def leave_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    viewer, at = request_viewer(request), clock.now()
    leave = (
        LeaveRequest.objects.filter(pk=request_id, school_id=viewer.school_id or 0).select_related("student").first()
    )
    if leave is None or not may_decide_leave(viewer) or not _shows(viewer, queries.leave_item(leave), at):
        raise Http404
    form = LeaveDecisionForm(request.POST or None)
    if request.method == "POST":
        if leave.state != LeaveRequest.State.PENDING:
            form.add_error(None, _("Over deze aanvraag is al besloten."))
        elif form.is_valid():
            if (
                form.cleaned_data["state"] == LeaveRequest.State.APPROVED
                and leave.school_days > 10
                and (leave.kind == LeaveRequest.Kind.IMPORTANT)
            ):
                form.add_error("state", _("Meer dan 10 schooldagen: de leerplichtambtenaar beslist; stuur door."))
            else:
                actions.leave_request_decide(
                    request=leave,
                    user_id=_uid(request),
                    state=form.cleaned_data["state"],
                    reason=form.cleaned_data["reason"],
                    at=at,
                )
                return HttpResponseRedirect(reverse("attendance:officer") + "#verlof")
    return render(
        request, "attendance/leave_decide.html", {"leave": leave, "form": form}, status=400 if form.errors else 200
    )


def _shows(viewer: Viewer, item: Item, at: dt.datetime) -> bool:
    return context_for(viewer=viewer, student_id=item.student_id, at=at).decide(item).visible


def _officer_report(request: HttpRequest, report_id: int, at: dt.datetime) -> DuoReport:
    viewer = request_viewer(request)
    report = (
        DuoReport.objects.filter(pk=report_id, school_id=viewer.school_id or 0).select_related("student").first()
        if is_officer(viewer)
        else None
    )
    if report is None or not _shows(viewer, queries.duo_report_item(report), at):
        raise Http404
    return report


@login_required
def duo_report(request: HttpRequest, report_id: int) -> HttpResponse:
    at = clock.now()
    report = _officer_report(request, report_id, at)
    form = DuoStateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.duo_report_set_state(
            report=report,
            user_id=_uid(request),
            state=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
            at=at,
        )
        return HttpResponseRedirect(reverse("attendance:duo_report", args=[report.pk]))
    fields = queries.duo_report_fields(report=report, reporter=request.user)
    return render(
        request,
        "attendance/duo_report.html",
        {"report": report, "fields": fields, "form": form, "changes": report.changes.order_by("-changed_at")},
        status=400 if form.errors else 200,
    )


@login_required
def duo_report_csv(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _officer_report(request, report_id, clock.now())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="verzuimmelding-{report.pk}.csv"'
    writer = csv.writer(response, delimiter=";")
    fields = queries.duo_report_fields(report=report, reporter=request.user)
    writer.writerow([label for label, _value in fields])
    writer.writerow([value for _, value in fields])
    return response


@login_required
def student_index(request: HttpRequest) -> HttpResponse:
    """Attendance for students and parents: the student's own page, or a guardian's pick of their children."""
    return student_picker(request, view="attendance:student", title=_("Verzuim"))
