"""Teacher pages: my groups, a group's columns, the grade-entry grid, column creation, release, history, import.

Thin views: resolve the group through `access.access_teaching_group` (404 when not yours), call one action or query,
render.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inzage.accounts.models import User
from inzage.grades.actions import (
    GradeActionError,
    assessment_kinds_ensure,
    column_create,
    column_release,
    result_retract,
    results_save,
)
from inzage.grades.imports import MAX_ERRORS_SHOWN as MAX_IMPORT_ERRORS_SHOWN
from inzage.grades.imports import MAX_FILE_BYTES as MAX_IMPORT_BYTES
from inzage.grades.imports import (
    ImportFileError,
    RowError,
    import_apply,
    import_decode,
    import_plan,
    import_text_too_large,
)
from inzage.grades.models import Result
from inzage.grades.parsing import CellError, display_cell, format_grade, parse_cell
from inzage.grades.queries import column_history, columns_of_group, result_history, results_of_columns
from inzage.teacher.access import access_column, access_teaching_group, groups_of
from inzage.teacher.forms import ColumnForm, ReleaseForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "teacher/home.html", {"groups": groups_of(user=request.user)})  # type: ignore[arg-type]


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_teaching_group(user=request.user, group_id=group_id)  # type: ignore[arg-type]
    return render(request, "teacher/group.html", {"group": group, "columns": list(columns_of_group(group.pk))})


@login_required
@require_http_methods(["GET", "POST"])
def column_new(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_teaching_group(user=request.user, group_id=group_id)  # type: ignore[arg-type]
    assessment_kinds_ensure(school_id=group.school_id)
    # Release times are typed in the school's local time.
    with timezone.override(ZoneInfo(group.school.timezone)):
        form = ColumnForm(request.POST or None, group=group)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                column = column_create(
                    group=group,
                    kind=data["kind"],
                    period=data["period"],
                    name=data["name"],
                    code=data["code"],
                    date=data["date"],
                    weight=data["weight"],
                    exam_weight=data["exam_weight"],
                    result_type=data["result_type"],
                    release_mode=data["release_mode"],
                    release_at=data.get("release_at"),
                    resit_of=data.get("resit_of"),
                    resit_rule=data["resit_rule"],
                    by=request.user,  # type: ignore[arg-type]
                    at=timezone.now(),
                )
            except GradeActionError as err:
                form.add_error(None, str(err))
            else:
                messages.success(request, _("Kolom %(code)s is aangemaakt.") % {"code": column.code})
                return HttpResponseRedirect(reverse("teacher:column", args=[group.pk, column.pk]))
    return render(request, "teacher/column_new.html", {"group": group, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def column_grid(request: HttpRequest, group_id: int, column_id: int) -> HttpResponse:
    """The spreadsheet-like grid: one POST saves the whole column; invalid cells keep their text and message."""
    group, column = access_column(user=request.user, group_id=group_id, column_id=column_id)  # type: ignore[arg-type]
    students = list(group.students.order_by("last_name", "first_name", "pk"))
    existing = results_of_columns([column])
    typed: dict[int, str] = {}
    errors: dict[int, str] = {}
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()[:300]
        cells = []
        for student in students:
            raw = request.POST.get(f"cell-{student.pk}")
            if raw is None:
                continue
            shown = display_cell(existing.get((column.pk, student.pk)))
            if raw.strip() == shown:
                continue  # untouched cell; also keeps "7,5" vs "7.5" from looking like a change
            typed[student.pk] = raw
            try:
                cell = parse_cell(raw, result_type=column.result_type)
            except CellError as err:
                errors[student.pk] = str(err)
                continue
            if cell.empty and shown:
                errors[student.pk] = _("Leegmaken kan niet; trek het resultaat in via de geschiedenis.")
                continue
            cells.append((column, student.pk, cell))
        outcome = results_save(cells=cells, existing=existing, by=request.user, at=timezone.now(), reason=reason)  # type: ignore[arg-type]
        for (_column_id, student_id), message in outcome.errors.items():
            errors[student_id] = message
        saved = outcome.created + outcome.changed
        if not errors:
            messages.success(request, _("%(n)d resultaten opgeslagen.") % {"n": saved})
            return HttpResponseRedirect(request.path)
        for student_id in list(typed):
            if student_id not in errors:
                del typed[student_id]  # saved: show the stored value
        existing = results_of_columns([column])
        messages.warning(
            request,
            _("%(n)d resultaten opgeslagen; %(e)d cellen hebben een fout en zijn niet opgeslagen.")
            % {"n": saved, "e": len(errors)},
        )
    rows = []
    for student in students:
        result = existing.get((column.pk, student.pk))
        rows.append(
            {
                "student": student,
                "result": result,
                "value": typed.get(student.pk, display_cell(result)),
                "error": errors.get(student.pk, ""),
            }
        )
    release_form = ReleaseForm(
        initial={"release_mode": column.release_mode, "release_at": column.release_at}, auto_id="release_%s"
    )
    return render(
        request,
        "teacher/grid.html",
        {
            "group": group,
            "column": column,
            "rows": rows,
            "reason": reason,
            "has_errors": bool(errors),
            "release_form": release_form,
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def column_release_view(request: HttpRequest, group_id: int, column_id: int) -> HttpResponse:
    group, column = access_column(user=request.user, group_id=group_id, column_id=column_id)  # type: ignore[arg-type]
    with timezone.override(ZoneInfo(group.school.timezone)):
        form = ReleaseForm(request.POST, auto_id="release_%s")
        if form.is_valid():
            column_release(
                column=column,
                mode=form.cleaned_data["release_mode"],
                release_at=form.cleaned_data.get("release_at"),
                by=request.user,  # type: ignore[arg-type]
                at=timezone.now(),
            )
            messages.success(request, _("De vrijgave is aangepast."))
        else:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return HttpResponseRedirect(reverse("teacher:column", args=[group.pk, column.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def result_history_view(request: HttpRequest, group_id: int, column_id: int, student_id: int) -> HttpResponse:
    """A result's versions (who, when, why) and the form to retract it with a reason."""
    group, column = access_column(user=request.user, group_id=group_id, column_id=column_id)  # type: ignore[arg-type]
    result = (
        Result.objects.filter(column_id=column.pk, student_id=student_id, student__teaching_groups=group)
        .select_related("student")
        .first()
    )
    if result is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            result_retract(
                result=result,
                by=request.user,  # type: ignore[arg-type]
                at=timezone.now(),
                reason=request.POST.get("reason", "")[:300],
            )
        except GradeActionError as err:
            error = str(err)
        else:
            messages.success(request, _("Het resultaat is ingetrokken; de geschiedenis blijft bewaard."))
            return HttpResponseRedirect(request.path)
    versions = [
        {
            "version": v,
            "shown": format_grade(v.value) if v.value is not None else (v.judgement or v.text or ""),
            "by": _who(v.changed_by),
        }
        for v in result_history(result)
    ]
    return render(
        request,
        "teacher/history.html",
        {
            "group": group,
            "column": column,
            "result": result,
            "versions": versions,
            "column_versions": [{"version": v, "by": _who(v.changed_by)} for v in column_history(column)],
            "error": error,
        },
    )


def _who(user: User | None) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


def _import_refused(request: HttpRequest, context: dict[str, object], errors: list[RowError]) -> HttpResponse:
    """The import page with errors listed per line and nothing stored (422), the upload form ready for a retry."""
    context.update({"errors": errors[:MAX_IMPORT_ERRORS_SHOWN], "error_count": len(errors)})
    return render(request, "teacher/import.html", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def import_results(request: HttpRequest, group_id: int) -> HttpResponse:
    """CSV import into one group: upload → preview with per-line errors → confirm (all-or-nothing)."""
    group = access_teaching_group(user=request.user, group_id=group_id)  # type: ignore[arg-type]
    context: dict[str, object] = {"group": group}
    if request.method != "POST":
        return render(request, "teacher/import.html", context)
    upload = request.FILES.get("file")
    too_large = RowError(1, "", _("Het bestand is te groot (ten hoogste 2 MB). Splits het in kleinere bestanden."))
    if upload is not None:
        file_name = (upload.name or "import.csv")[:200]
        context["file_name"] = file_name
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            return _import_refused(request, context, [too_large])
        try:
            decoded = import_decode(data=upload.read())
        except ImportFileError as err:
            return _import_refused(request, context, [RowError(err.line, "", err.message)])
        text = decoded.text
        context["encoding"] = decoded.encoding
    else:
        # The confirm step: the preview's text comes back and is read and validated again from scratch.
        text = request.POST.get("csv", "")
        file_name = request.POST.get("file_name", "import.csv")[:200]
        context["file_name"] = file_name
    if import_text_too_large(text):
        return _import_refused(request, context, [too_large])
    plan = import_plan(text=text, groups=[group])
    context["plan"] = plan
    if plan.errors:
        return _import_refused(request, context, plan.errors)
    if request.POST.get("confirm"):
        outcome = import_apply(plan=plan, by=request.user, at=timezone.now(), file_name=file_name)  # type: ignore[arg-type]
        messages.success(
            request,
            _("Geïmporteerd: %(c)d nieuw, %(u)d gewijzigd.") % {"c": outcome.created, "u": outcome.changed},
        )
        return HttpResponseRedirect(reverse("teacher:group", args=[group.pk]))
    context["csv"] = text
    return render(request, "teacher/import.html", context)
