"""Timetable pages: a student's week and day (for the student, a parent with the switch between children, and staff
whose role reaches the student), the student's homework tick, a teacher's own week, a lesson with the homework given
for it, and the administrator's change to a lesson.

Thin views: resolve who asks (`viewer_for`), call one query or action, render. The engine decides what is shown.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inzage import clock
from inzage.accounts.models import User
from inzage.people.models import Staff
from inzage.portal.access_log import record_read
from inzage.portal.pick import student_picker
from inzage.timetable import actions
from inzage.timetable.access import may_import_pattern
from inzage.timetable.feed import feed_for
from inzage.timetable.forms import HomeworkForm, LessonChangeForm
from inzage.timetable.imports import (
    MAX_BYTES,
    MAX_ERRORS_SHOWN,
    LineError,
    pattern_check,
)
from inzage.timetable.items import homework_item
from inzage.timetable.models import FeedToken, Homework
from inzage.timetable.queries import (
    access_timetable_student,
    display_day,
    import_school_year,
    recent_imports,
    student_timetable,
    teacher_lesson,
    teacher_lessons,
)
from inzage.timetable.weeks import monday_of
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Viewer, context_for, request_viewer, viewer_for
from inzage.visibility.queries import portal_students
from inzage.web.csvfiles import CsvFileError, csv_decode

WEEKDAYS = 5


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _staff(viewer: Viewer) -> Staff:
    if viewer.staff_id is None:
        raise Http404
    return Staff.objects.get(pk=viewer.staff_id)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Students and parents: the (first) child's week; staff: their own lessons."""
    viewer = request_viewer(request)
    students = portal_students(viewer=viewer, at=clock.now())
    if students:
        return redirect("timetable:week_now", student_id=students[0].pk)
    if viewer.staff_id is not None:
        return redirect("timetable:teacher_now")
    return student_picker(request, view="timetable:week_now", title=_("Rooster"))  # "no students linked"


def _children_switch(viewer: Viewer, at: dt.datetime, view: str, day: dt.date) -> list[tuple[str, str, int]]:
    """(first name, URL, id) of each child a guardian's switch offers; empty for one child or a student."""
    students = portal_students(viewer=viewer, at=at) if viewer.guardian_id is not None else []
    if len(students) < 2:
        return []
    return [(s.first_name, reverse(view, args=[s.pk, day]), s.pk) for s in students]


def _today(viewer: Viewer, student_id: int, at: dt.datetime) -> tuple[dt.date, object]:
    ctx = context_for(viewer=viewer, student_id=student_id, at=at)
    return display_day(calendar_now=at, calendar=ctx.calendar), ctx.calendar


@login_required
def week(request: HttpRequest, student_id: int, day: dt.date | None = None) -> HttpResponse:
    """A student's school week (Monday to Friday) as the engine shows it to this account now."""
    user = _user(request)
    viewer = request_viewer(request)
    now = clock.now()
    student = access_timetable_student(viewer=viewer, student_id=student_id, at=now)  # 404: not yours
    shown_day, _calendar = _today(viewer, student.pk, now)
    monday = monday_of(day or shown_day)
    friday = monday + dt.timedelta(days=WEEKDAYS - 1)
    data = student_timetable(viewer=viewer, student=student, at=now, start=monday, end=friday)
    record_read(user_id=user.pk, student_id=student.pk, kind=DataKind.TIMETABLE, at=now, cached=False)
    return render(
        request,
        "timetable/week.html",
        {
            "t": data,
            "monday": monday,
            "friday": friday,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "today": shown_day,
            "children": _children_switch(viewer, now, "timetable:week", monday),
        },
    )


@login_required
def day(request: HttpRequest, student_id: int, day: dt.date) -> HttpResponse:
    """One school day of a student (the phone's default: today, or the next school day after 16:00)."""
    user = _user(request)
    viewer = request_viewer(request)
    now = clock.now()
    student = access_timetable_student(viewer=viewer, student_id=student_id, at=now)
    data = student_timetable(viewer=viewer, student=student, at=now, start=day, end=day)
    record_read(user_id=user.pk, student_id=student.pk, kind=DataKind.TIMETABLE, at=now, cached=False)
    return render(
        request,
        "timetable/day.html",
        {
            "t": data,
            "day": day,
            "the_day": data.days[0] if data.days else None,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "children": _children_switch(viewer, now, "timetable:day", day),
        },
    )


@login_required
@require_POST
def homework_done(request: HttpRequest, homework_id: int) -> HttpResponse:
    """The student ticks (or unticks) one of their own visible homework items as done."""
    viewer = request_viewer(request)
    now = clock.now()
    if viewer.student_id is None:
        raise Http404
    homework = Homework.objects.filter(pk=homework_id, group__students=viewer.student_id).first()
    ctx = context_for(viewer=viewer, student_id=viewer.student_id, at=now)
    if homework is None or ctx.facts is None or ctx.audience != "student":
        raise Http404
    if not ctx.decide(homework_item(homework, student_id=viewer.student_id)).visible:
        raise Http404
    actions.homework_done_set(
        student=ctx.facts.student, homework=homework, done=request.POST.get("done") == "1", at=now
    )
    back = request.POST.get("next", "")
    if back.startswith("/rooster/") and "//" not in back:
        return redirect(back)
    return redirect("timetable:week", student_id=viewer.student_id, day=homework.due_date)


@login_required
def teacher_week(request: HttpRequest, day: dt.date | None = None) -> HttpResponse:
    """A teacher's own lessons of a week, with the homework they gave; substitutions both ways are marked."""
    viewer = request_viewer(request)
    staff = _staff(viewer)
    now = clock.now()
    monday = monday_of(day or now.astimezone(ZoneInfo(staff.school.timezone)).date())
    friday = monday + dt.timedelta(days=WEEKDAYS - 1)
    lessons = teacher_lessons(staff=staff, start=monday, end=friday)
    days = [
        (monday + dt.timedelta(days=i), [x for x in lessons if x.lesson.date == monday + dt.timedelta(days=i)])
        for i in range(WEEKDAYS)
    ]
    return render(
        request,
        "timetable/teacher_week.html",
        {
            "staff": staff,
            "days": days,
            "monday": monday,
            "friday": friday,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
        },
    )


@login_required
def lesson(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A lesson of one's own group: the homework given for it and a form to add more; for an administrator also the
    change form (cancel with a reason, take place after all, another room) and the list of changes."""
    user = _user(request)
    viewer = request_viewer(request)
    now = clock.now()
    is_admin = viewer.has_role("administrator")
    if is_admin and viewer.school_id is not None:
        from inzage.timetable.models import Lesson

        found = Lesson.objects.filter(pk=lesson_id, school_id=viewer.school_id, withdrawn_at__isnull=True).first()
        if found is None:
            raise Http404
        the_lesson = found
        teaches = the_lesson.group.teachers.filter(pk=viewer.staff_id or 0).exists()
    else:
        the_lesson = teacher_lesson(staff=_staff(viewer), lesson_id=lesson_id)
        teaches = the_lesson.group.teachers.filter(pk=viewer.staff_id or 0).exists()
    homework_form = HomeworkForm(prefix="hw")
    change_form = LessonChangeForm(prefix="ch", school_id=the_lesson.school_id)
    if request.method == "POST" and request.POST.get("form") == "homework" and teaches:
        homework_form = HomeworkForm(request.POST, prefix="hw")
        if homework_form.is_valid():
            actions.homework_add(
                group=the_lesson.group,
                kind=homework_form.cleaned_data["kind"],
                text=homework_form.cleaned_data["text"],
                due_date=the_lesson.date,
                lesson=the_lesson,
                by=_staff(viewer),
                at=now,
            )
            return redirect("timetable:lesson", lesson_id=the_lesson.pk)
    elif request.method == "POST" and request.POST.get("form") == "change" and is_admin:
        change_form = LessonChangeForm(request.POST, prefix="ch", school_id=the_lesson.school_id)
        if change_form.is_valid():
            data = change_form.cleaned_data
            reason = data.get("reason") or ""
            if data["change"] == "cancel":
                actions.lesson_cancel(lesson=the_lesson, reason=reason, by=user, at=now)
            elif data["change"] == "restore":
                actions.lesson_restore(lesson=the_lesson, reason=reason, by=user, at=now)
            elif change_form.room_obj is not None:
                actions.lesson_room_change(lesson=the_lesson, room=change_form.room_obj, reason=reason, by=user, at=now)
            return redirect("timetable:lesson", lesson_id=the_lesson.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "timetable/lesson.html",
        {
            "lesson": the_lesson,
            "homework": the_lesson.homework.filter(retracted_at__isnull=True).order_by("pk"),
            "homework_form": homework_form if teaches else None,
            "change_form": change_form if is_admin else None,
            "changes": the_lesson.changes.select_related("made_by", "room", "teacher") if is_admin or teaches else [],
        },
    )


@login_required
@require_POST
def homework_remove(request: HttpRequest, homework_id: int) -> HttpResponse:
    """A teacher of the group removes a homework item (kept, with who and when)."""
    viewer = request_viewer(request)
    staff = _staff(viewer)
    homework = Homework.objects.filter(pk=homework_id, group__teachers=staff, retracted_at__isnull=True).first()
    if homework is None:
        raise Http404
    actions.homework_retract(homework=homework, by=_user(request), at=clock.now())
    if homework.lesson_id:
        return redirect("timetable:lesson", lesson_id=homework.lesson_id)
    return redirect("timetable:teacher_week", day=homework.due_date)


# ---------------------------------------------------------------------------------------------- the calendar feed


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    """The account's calendar link: make one, renew it (the old one stops working) or revoke it. The secret is shown
    once, right after it is made: only its hash is stored."""
    user = _user(request)
    now = clock.now()
    secret = ""
    if request.method == "POST":
        if request.POST.get("action") == "renew":
            secret = actions.feed_token_renew(user=user, at=now)
        elif request.POST.get("action") == "revoke":
            actions.feed_token_revoke(user=user, at=now)
            return redirect("timetable:feed_settings")
        else:
            raise Http404
    active = FeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
    url = request.build_absolute_uri(reverse("timetable:feed", args=[secret])) if secret else ""
    viewer = request_viewer(request)
    return render(
        request,
        "timetable/feed_settings.html",
        {
            "active": active,
            "url": url,
            "webcal": url.replace("https://", "webcal://").replace("http://", "webcal://") if url else "",
            "children": [s.first_name for s in portal_students(viewer=viewer, at=now) if s.pk != viewer.student_id],
        },
    )


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed behind a secret token (no session: calendar apps fetch it). Unknown or revoked: 404."""
    found = (
        FeedToken.objects.filter(token_hash=actions.feed_token_hash(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if found is None or not found.user.is_active:
        raise Http404
    now = clock.now()
    built = feed_for(viewer=viewer_for(found.user), at=now)
    # Logged also when the answer is 304: the app asked again and the policy was consulted for it.
    for student_id in built.student_ids:
        record_read(user_id=found.user.pk, student_id=student_id, kind=DataKind.TIMETABLE, at=now, cached=False)
        record_read(user_id=found.user.pk, student_id=student_id, kind=DataKind.HOMEWORK, at=now, cached=False)
    etag = f'"{built.etag}"'
    # Calendar apps ask with the tag they have (If-None-Match): unchanged content answers 304 without a body.
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        built.body, content_type="text/calendar; charset=utf-8"
    )
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = 'inline; filename="rooster.ics"'
    return response


# ------------------------------------------------------------------------------------------ the pattern import


def _import_page(request: HttpRequest, context: dict[str, object], errors: list[LineError]) -> HttpResponse:
    """The import page; with errors: each line's, nothing stored (422), and the text kept for correction."""
    if errors:
        context.update({"errors": errors[:MAX_ERRORS_SHOWN], "error_count": len(errors)})
    return render(request, "timetable/import.html", context, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def pattern_import(request: HttpRequest) -> HttpResponse:
    """The administrator loads the weekly pattern from CSV (pasted or a file): check → preview → store, all or
    nothing. Anyone else: 404."""
    user = _user(request)
    viewer = request_viewer(request)
    if not may_import_pattern(viewer=viewer) or viewer.school_id is None:  # the second: for the type checker
        raise Http404
    now = clock.now()
    today = now.astimezone(ZoneInfo(user.school.timezone if user.school else "Europe/Amsterdam")).date()
    year = import_school_year(school_id=viewer.school_id, day=today)
    if year is None:
        raise Http404
    context: dict[str, object] = {"year": year, "imports": recent_imports(school_year=year), "text": ""}
    if request.method != "POST":
        return _import_page(request, context, [])
    too_large = LineError(0, "", _("Het bestand is te groot (ten hoogste 2 MB). Splits het in kleinere bestanden."))
    try:
        post, files = request.POST, request.FILES
    except RequestDataTooBig:
        return _import_page(request, context, [too_large])
    text = post.get("text", "")
    filename = post.get("filename", "")[:200]
    upload = files.get("file")
    if upload is not None:
        filename = (upload.name or "")[:200]
        if upload.size is not None and upload.size > MAX_BYTES:
            return _import_page(request, context | {"text": text}, [too_large])
        try:
            decoded = csv_decode(data=upload.read())
        except CsvFileError as err:
            return _import_page(request, context | {"text": text}, [LineError(err.line, "", err.message)])
        text = decoded.text
        context["encoding"] = decoded.encoding
    context.update({"text": text, "filename": filename})
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        return _import_page(request, context, [too_large])
    check = pattern_check(school_year=year, text=text, today=today)
    context["check"] = check
    if check.errors:
        return _import_page(request, context, check.errors)
    if post.get("confirm") == "1":
        result = actions.pattern_import_apply(school_year=year, check=check, by=user, at=now, filename=filename)
        messages.success(
            request,
            _("Rooster ingelezen: %(n)d lessen per week voor %(g)d groepen; %(c)d lessen gemaakt, %(w)d vervallen.")
            % {"n": result.entries, "g": len(check.groups), "c": result.sync.created, "w": result.sync.withdrawn},
        )
        return redirect("timetable:pattern_import")
    return _import_page(request, context, [])
