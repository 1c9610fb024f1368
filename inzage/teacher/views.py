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
from django.utils.text import slugify
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
from inzage.grades.exports import results_csv
from inzage.grades.imports import MAX_ERRORS_SHOWN as MAX_IMPORT_ERRORS_SHOWN
from inzage.grades.imports import MAX_FILE_BYTES as MAX_IMPORT_BYTES
from inzage.grades.imports import (
    ImportStale,
    RowError,
    import_apply,
    import_plan,
    import_text_too_large,
)
from inzage.grades.models import Column, Result, ResultVersion
from inzage.grades.parsing import CellError, display_cell, format_grade, parse_cell
from inzage.grades.queries import (
    column_history,
    columns_of_group,
    result_history,
    result_versions_of,
    results_of_columns,
)
from inzage.teacher.access import access_column, access_teaching_group, groups_of, staff_viewer
from inzage.teacher.forms import ColumnForm, ReleaseForm
from inzage.teacher.queries import group_overview
from inzage.visibility.queries import ReleaseMoments, release_moments
from inzage.web.csvfiles import CsvFileError, csv_decode


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "teacher/home.html", {"groups": groups_of(user=request.user)})  # type: ignore[arg-type]


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_teaching_group(user=request.user, group_id=group_id)  # type: ignore[arg-type]
    return render(request, "teacher/group.html", {"group": group, "columns": list(columns_of_group(group.pk))})


@login_required
def group_overview_view(request: HttpRequest, group_id: int) -> HttpResponse:
    """The group at a glance: students (with student numbers) × columns, period and year averages as the policy
    lets this teacher see them."""
    viewer = staff_viewer(request.user)  # type: ignore[arg-type]
    group = access_teaching_group(user=request.user, group_id=group_id, viewer=viewer)  # type: ignore[arg-type]
    overview = group_overview(viewer=viewer, group=group, at=timezone.now())
    return render(request, "teacher/overview.html", {"group": group, "overview": overview})


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
                    programme_item=data.get("programme_item"),
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
    """The spreadsheet-like grid: one POST saves the whole column; invalid cells keep their text and message, and
    cells someone else changed since the page was loaded come back with both values (see docs/grades.md)."""
    group, column = access_column(user=request.user, group_id=group_id, column_id=column_id)  # type: ignore[arg-type]
    students = list(group.students.order_by("last_name", "first_name", "pk"))
    existing = results_of_columns([column])
    typed: dict[int, str] = {}
    errors: dict[int, str] = {}
    conflicts: dict[int, dict[str, str]] = {}  # student id → the stored value and the typed one
    versions: dict[int, int] = {}  # the loaded version a refused cell carries on to the next save
    reason = ""
    status = 200
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()[:300]
        # The result version each cell showed when the teacher loaded the grid (0: empty); None when the page did
        # not send it (then no conflict check is possible for that cell and it is saved as before).
        loaded = {s.pk: _loaded_version(request.POST.get(f"v-{s.pk}")) for s in students}
        loaded_texts = _loaded_texts(column, existing, loaded)
        loaded_versions: dict[tuple[int, int], int] = {}
        cells = []
        for student in students:
            raw = request.POST.get(f"cell-{student.pk}")
            if raw is None:
                continue
            shown = loaded_texts.get(student.pk, display_cell(existing.get((column.pk, student.pk))))
            if raw.strip() == shown:
                continue  # untouched since loaded; also keeps "7,5" vs "7.5" from looking like a change
            typed[student.pk] = raw
            version = loaded[student.pk]
            if version is not None:
                versions[student.pk] = version  # a refused cell goes back with the version the teacher started from
            try:
                cell = parse_cell(raw, result_type=column.result_type)
            except CellError as err:
                errors[student.pk] = str(err)
                continue
            if cell.empty and shown:
                errors[student.pk] = _("Leegmaken kan niet; trek het resultaat in via de geschiedenis.")
                continue
            cells.append((column, student.pk, cell))
            if version is not None:
                loaded_versions[(column.pk, student.pk)] = version
        outcome = results_save(
            cells=cells,
            loaded_versions=loaded_versions,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
            reason=reason,
        )
        for (_column_id, student_id), message in outcome.errors.items():
            errors[student_id] = message
        for (_column_id, student_id), conflict in outcome.conflicts.items():
            both = {"theirs": display_cell(conflict.stored) or _("(ingetrokken)"), "yours": typed[student_id].strip()}
            conflicts[student_id] = both
            errors[student_id] = _("Intussen gewijzigd in %(theirs)s; jouw %(yours)s is niet opgeslagen.") % both
            # The teacher now sees the stored value: saving again (with a reason) deliberately replaces it.
            versions[student_id] = conflict.stored.version
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
            _("%(n)d resultaten opgeslagen; %(e)d cellen zijn niet opgeslagen.") % {"n": saved, "e": len(errors)},
        )
        status = 409 if conflicts else 422
    rows = []
    now = timezone.now()
    moments = _MomentsMemo(school_id=group.school_id)
    for student in students:
        result = existing.get((column.pk, student.pk))
        rows.append(
            {
                "student": student,
                "result": result,
                "correction": _pending_correction(column, result, moments, now),
                "value": typed.get(student.pk, display_cell(result)),
                "version": versions.get(student.pk, result.version if result is not None else 0),
                "error": errors.get(student.pk, ""),
                "conflict": conflicts.get(student.pk),
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
            "conflict_rows": [row for row in rows if row["conflict"]],
            "release_form": release_form,
        },
        status=status,
    )


class _MomentsMemo:
    """The school's release moments per instant, the calendar and policy read once and only when needed."""

    def __init__(self, *, school_id: int) -> None:
        self.school_id = school_id
        self.found: dict[object, ReleaseMoments] = {}

    def __call__(self, released_at):  # type: ignore[no-untyped-def]
        if released_at not in self.found:
            self.found[released_at] = release_moments(school_id=self.school_id, released_at=released_at)
        return self.found[released_at]


def _release_of(column: Column, result: Result, changed_at) -> object:  # type: ignore[no-untyped-def]
    """The release instant of a result version (the engine's rule: docs/visibility.md, "Versions")."""
    if column.release_at is None or result.entered_at is None:
        return None
    return max(column.release_at, result.entered_at, changed_at)


def _pending_correction(column: Column, result: Result | None, moments: _MomentsMemo, now) -> ReleaseMoments | None:  # type: ignore[no-untyped-def]
    """A changed value students or guardians do not see yet: when they will (None: nothing pending)."""
    if result is None or result.version <= 1 or result.retracted_at is not None or result.updated_at is None:
        return None
    if column.release_at is None or result.entered_at is None:
        return None  # held back: the column's release decides, shown under "Vrijgave"
    found = moments(_release_of(column, result, result.updated_at))
    if (found.students is None or found.students > now) or (found.guardians is None or found.guardians > now):
        return found
    return None


def _loaded_version(raw: str | None) -> int | None:
    """The version number a grid cell was loaded with; None when absent or not a number (no conflict check)."""
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw)


def _loaded_texts(
    column: Column, existing: dict[tuple[int, int], Result], loaded: dict[int, int | None]
) -> dict[int, str]:
    """What the cells showed when the teacher loaded the grid, for the cells whose result changed since (student
    id → text): an unchanged cell is untouched even when someone else stored another value meanwhile. Read from
    the history (append-only, so it cannot move under us), in one query and only when something changed."""
    texts: dict[int, str] = {}
    wanted: dict[int, tuple[int, int]] = {}  # result id → (student id, loaded version)
    for student_id, version in loaded.items():
        current = existing.get((column.pk, student_id))
        if version is None or version == (current.version if current is not None else 0):
            continue
        if version == 0 or current is None:
            texts[student_id] = ""
        else:
            wanted[current.pk] = (student_id, version)
    found = result_versions_of({result_id: version for result_id, (_s, version) in wanted.items()})
    for result_id, (student_id, _v) in wanted.items():
        if result_id in found:
            texts[student_id] = _shown_at(found[result_id])
    return texts


def _shown_at(version: ResultVersion) -> str:
    """What a grid cell showed while the result was at this version."""
    if version.action == ResultVersion.Action.RETRACT:
        return ""
    return display_cell(
        Result(status=version.status, value=version.value, judgement=version.judgement, text=version.text)
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
    moments = _MomentsMemo(school_id=group.school_id)
    versions = [
        {
            "version": v,
            "shown": format_grade(v.value) if v.value is not None else (v.judgement or v.text or ""),
            "by": _who(v.changed_by),
            "moments": None
            if v.action == ResultVersion.Action.RETRACT
            else moments(_release_of(column, result, v.changed_at)),
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
            decoded = csv_decode(data=upload.read())
        except CsvFileError as err:
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
    status = 200
    if request.POST.get("confirm"):
        try:
            # The fingerprint of the preview the teacher confirmed: a confirm without one (an old page, a script)
            # never matches, so it gets a preview first instead of writing what nobody saw.
            outcome = import_apply(
                plan=plan,
                by=request.user,  # type: ignore[arg-type]
                at=timezone.now(),
                file_name=file_name,
                fingerprint=request.POST.get("fingerprint", "")[:64],
            )
        except ImportStale as err:
            plan = import_plan(text=text, groups=[group])  # what is stored now, for the new preview
            context.update({"plan": plan, "stale": err.message})
            if plan.errors:
                return _import_refused(request, context, plan.errors)
            status = 409
        else:
            messages.success(
                request,
                _("Geïmporteerd: %(c)d nieuw, %(u)d gewijzigd.") % {"c": outcome.created, "u": outcome.changed},
            )
            return HttpResponseRedirect(reverse("teacher:group", args=[group.pk]))
    context.update(
        {
            "csv": text,
            "changed_cells": plan.changed_cells,
            "new_cells": plan.new_cells[:MAX_NEW_SHOWN],
            "new_hidden": max(plan.new - MAX_NEW_SHOWN, 0),
        }
    )
    return render(request, "teacher/import.html", context, status=status)


# The preview lists every changed result; new ones (nothing is overwritten) up to this many.
MAX_NEW_SHOWN = 500


@login_required
@require_http_methods(["GET"])
def export_results(request: HttpRequest, group_id: int) -> HttpResponse:
    """The group's results as CSV in the import's format, formula-safe for spreadsheets (grades/exports.py)."""
    group = access_teaching_group(user=request.user, group_id=group_id)  # type: ignore[arg-type]
    columns = list(columns_of_group(group.pk))
    students = group.students.order_by("last_name", "first_name", "pk")
    text = results_csv(columns=columns, students=students, results=results_of_columns(columns))
    response = HttpResponse(text.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="resultaten-{slugify(group.name) or group.pk}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
