"""Student and parent pages: the grade overview, "laat mijn ouders dit zien", and the school's overrides.

Thin views: resolve who asks (`request_viewer`), call one query or action, render. The engine decides everything.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inzage import clock
from inzage.accounts.models import User
from inzage.grades.models import Result
from inzage.portal.access_log import record_read
from inzage.portal.cached_pages import grades_page, grades_page_versions
from inzage.portal.pick import student_picker
from inzage.visibility import actions
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import context_for, item_from_result, request_viewer
from inzage.visibility.queries import (
    access_portal_student,
    consent_overview,
    overrides_for_student,
)
from inzage.visibility.versions import Scope, reads_versions, request_versions
from inzage.web.page_shell import render_cached


@login_required
def grades_index(request: HttpRequest) -> HttpResponse:
    """One student: straight to their grades. Several children: a picker."""
    return student_picker(request, view="portal:grades", title=_("Cijfers"))


@login_required
@reads_versions(lambda kwargs: [(Scope.STUDENT, int(kwargs["student_id"]))])  # with the account's: one query
def grades(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student's grades as the engine shows them to this account now (cached until a write or a transition)."""
    user = request.user
    assert isinstance(user, User)
    now = clock.now()
    if user.school_id is None:
        raise Http404
    keys = grades_page_versions(user_id=user.pk, school_id=user.school_id, student_id=student_id)
    versions = request_versions(request, keys)  # read with the account's counter, before any data
    page = grades_page(user=user, student_id=student_id, at=now, versions=versions)  # 404: not yours or not found
    # A hit does not reach the engine: the kinds its build let through are recorded (a miss: the engine did).
    record_read(
        user_id=user.pk,
        student_id=page.student_id,
        kinds=page.kinds,
        audience=page.audience,
        at=now,
        cached=page.cached,
    )
    return render_cached(
        request,
        template="portal/grades.html",
        context={"page": page, "content": mark_safe(page.html)},  # our own template's output, escaped when rendered
        key=f"portal:grades-shell:{page.build_id}:{user.is_staff}",  # the build is per account, student, language
        timeout=page.timeout(now),
    )


@login_required
@require_POST
def share(request: HttpRequest, student_id: int, result_id: int) -> HttpResponse:
    """The student shares one of their own visible results with their guardians now."""
    viewer = request_viewer(request)
    now = clock.now()
    student = access_portal_student(viewer=viewer, student_id=student_id, at=now)
    ctx = context_for(viewer=viewer, student_id=student.pk, at=now)
    result = (
        Result.objects.filter(pk=result_id, student_id=student.pk).select_related("column", "column__subject").first()
    )
    if ctx.audience != "student" or result is None or not ctx.decide(item_from_result(result)).visible:
        raise Http404
    actions.share_create(student=student, kind=DataKind.GRADES, item_id=result.pk, shared_by=request.user, at=now)
    return redirect("portal:grades", student_id=student.pk)


@login_required
def overrides(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student sees every decision of the school that opens or closes their data for their parents."""
    viewer = request_viewer(request)
    now = clock.now()
    student = access_portal_student(viewer=viewer, student_id=student_id, at=now)
    if context_for(viewer=viewer, student_id=student.pk, at=now).audience != "student":
        raise Http404
    rows = overrides_for_student(viewer=viewer, student=student, at=now)
    return render(request, "portal/overrides.html", {"student": student, "overrides": rows})


@login_required
def consent(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student chooses, per parent and kind, what that parent may see (where the school's model gives a say)."""
    viewer = request_viewer(request)
    now = clock.now()
    student = access_portal_student(viewer=viewer, student_id=student_id, at=now)
    overview = consent_overview(viewer=viewer, student=student, at=now)  # 404 unless the student themself
    if request.method == "POST":
        row = next((r for r in overview.rows if str(r.guardian.pk) == request.POST.get("guardian")), None)
        if row is None:
            raise Http404
        wanted = set(request.POST.getlist("kinds"))
        user = request.user
        assert isinstance(user, User)
        for granted in (True, False):
            kinds = [k for k, _label, given in row.choices if (k in wanted) is granted and given is not granted]
            if kinds:
                actions.consent_record(
                    student=student, guardian=row.guardian, kinds=kinds, granted=granted, recorded_by=user, at=now
                )
        return redirect("portal:consent", student_id=student.pk)
    return render(request, "portal/consent.html", {"student": student, "o": overview})
