"""Reads for the reports pages. Every function takes the viewer and the instant; the engine decides which
published report (kind `period_report`) a viewer may open, and which students of a class a publisher may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.http import Http404

from inzage.grades.models import PeriodReport, PeriodReportStudent
from inzage.grades.period_reports import Grades, period_report_grades, report_changes
from inzage.people.models import Student
from inzage.reports.absence import absence_lines, period_absence
from inzage.schools.models import ClassMembership, Period, SchoolClass
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Item, ItemFields, Viewer, context_for
from inzage.visibility.policy.facts import staff_facts_prime
from inzage.visibility.queries import kind_probe, portal_students

REPORT_FIELDS = ItemFields(kind=DataKind.PERIOD_REPORT, release=("published_at",))


def report_item(row: PeriodReportStudent) -> Item:
    """A published student report as the engine sees it: released to the student at its publication."""
    return Item(kind=DataKind.PERIOD_REPORT, id=row.pk, student_id=row.student_id, released_at=row.published_at)


# ------------------------------------------------------------------------------------------------ formatting


def grade_text(grade: str | None) -> str:
    """A frozen report grade in Dutch notation: "7.5" → "7,5", none → "–"."""
    return "–" if grade in (None, "") else str(grade).replace(".", ",")


def is_fail(grade: str | None) -> bool:
    try:
        return grade not in (None, "") and Decimal(str(grade)) < Decimal("5.5")
    except InvalidOperation:
        return False


def grade_lines(grades: Grades | None) -> list[tuple[str, str, bool]]:
    """(subject, grade, fail) per subject, by subject name."""
    rows = [(str(g.get("name") or code), g.get("grade")) for code, g in (grades or {}).items() if isinstance(g, dict)]
    return [(name, grade_text(grade), is_fail(grade)) for name, grade in sorted(rows, key=lambda r: r[0].lower())]


def change_lines(changes: list[dict[str, Any]] | None) -> list[str]:
    """What a correction changed for one student, as Dutch sentences."""
    out = []
    for c in changes or []:
        what = c.get("what")
        if what == "grade":
            out.append(f"{c.get('subject')}: {grade_text(c.get('old'))} → {grade_text(c.get('new'))}")
        elif what == "remark":
            out.append("De opmerking van de mentor is aangepast.")
        elif what == "absence":
            out.append("De verzuimcijfers zijn aangepast.")
        elif what == "added":
            out.append("Nieuw in deze versie.")
    return out


def local_moment(moment: dt.datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz or "Europe/Amsterdam")).strftime("%d-%m-%Y om %H:%M")


@dataclass(frozen=True)
class ReportView:
    """One student's frozen report, ready to print: only what the row holds (never today's numbers)."""

    row_id: int
    student_id: int
    school: str
    student: str
    student_number: str
    school_class: str
    period: str
    period_id: int
    year: str
    mentors: str
    version: int
    published: str
    grades: list[tuple[str, str, bool]]
    remark: str
    absence: list[tuple[str, str]]
    reason: str
    changes: list[str]


def report_view(row: PeriodReportStudent) -> ReportView:
    """The printable view of a row (with `report`, `report__school_class`, `period`, `student`, `school` loaded).
    Rows published before the header was frozen fall back to the names of today."""
    header = row.header or {
        "school": row.school.name,
        "student": row.student.full_name,
        "student_number": row.student.student_number,
        "class": row.report.school_class.name,
        "period": row.period.name,
        "year": "",
        "mentors": "",
    }
    return ReportView(
        row_id=row.pk,
        student_id=row.student_id,
        school=str(header.get("school", "")),
        student=str(header.get("student", "")),
        student_number=str(header.get("student_number", "")),
        school_class=str(header.get("class", "")),
        period=str(header.get("period", "")),
        period_id=row.period_id,
        year=str(header.get("year", "")),
        mentors=str(header.get("mentors", "")),
        version=row.version,
        published=local_moment(row.published_at, row.school.timezone),
        grades=grade_lines(row.grades),
        remark=row.mentor_remark,
        absence=absence_lines(row.absence),
        reason=row.report.reason if row.version > 1 else "",
        changes=change_lines(row.changes),
    )


ROW_RELATED = ("report", "report__school_class", "period", "student", "school")


# ---------------------------------------------------------------------------------------- student and parent


@dataclass(frozen=True)
class StudentReports:
    student: Student
    reports: list[ReportView]  # the latest version this viewer may see per period, by period
    earlier: dict[int, list[ReportView]]  # period id -> earlier versions (also published, also visible)


def my_reports(*, viewer: Viewer, at: dt.datetime) -> list[StudentReports]:
    """For a student or parent: per portal student, the published reports the engine shows this viewer now.
    404 for an account that is neither a student nor a guardian (staff only, nobody); a guardian whose relations
    have all ended gets an empty page (the start page links to it)."""
    if viewer.student_id is None and not viewer.relations:
        raise Http404
    students = portal_students(viewer=viewer, at=at)
    out = []
    for student in students:
        ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
        if ctx.audience not in ("student", "guardian"):
            continue
        rows = (
            ctx.filter(PeriodReportStudent.objects.filter(student_id=student.pk), REPORT_FIELDS)
            .select_related(*ROW_RELATED)
            .order_by("period__start", "-version")
        )
        latest: list[ReportView] = []
        earlier: dict[int, list[ReportView]] = {}
        for row in rows:
            view = report_view(row)
            if latest and latest[-1].period_id == row.period_id:
                earlier.setdefault(row.period_id, []).append(view)
            else:
                latest.append(view)
        out.append(StudentReports(student=student, reports=latest, earlier=earlier))
    return out


def access_report(*, viewer: Viewer, row_id: int, at: dt.datetime) -> PeriodReportStudent:
    """One published student report the engine lets this viewer see now (any audience); otherwise 404."""
    row = PeriodReportStudent.objects.filter(pk=row_id).select_related(*ROW_RELATED).first()
    if row is None or row.school_id != viewer.school_id:
        raise Http404
    ctx = context_for(viewer=viewer, student_id=row.student_id, at=at)
    if not ctx.decide(report_item(row)).visible:
        raise Http404
    return row


# ------------------------------------------------------------------------------------------------ publishers


def class_student_ids(*, viewer: Viewer, school_class: SchoolClass, at: dt.datetime) -> list[int]:
    """The class's students, by name, when the engine shows this staff viewer the period report of every one of
    them; otherwise 404 (a publisher must see the whole class: fail closed). Constant queries."""
    ids = list(
        ClassMembership.objects.filter(school_class=school_class)
        .order_by("student__last_name", "student__first_name", "student_id")
        .values_list("student_id", flat=True)
    )
    staff_facts_prime(viewer=viewer, student_ids=ids)
    for sid in ids:
        ctx = context_for(viewer=viewer, student_id=sid, at=at)
        if ctx.audience != "staff" or not ctx.decide(kind_probe(student_id=sid, kind=DataKind.PERIOD_REPORT)).visible:
            raise Http404
    return ids


@dataclass(frozen=True)
class PreviewRow:
    student: Student
    grades: list[tuple[str, str, bool]]
    absence: list[tuple[str, str]]
    remark: str  # the remark of the latest version (the form starts from it)
    changes: list[str]  # what publishing now would change against the latest version (grades, absence)


@dataclass(frozen=True)
class Publication:
    school_class: SchoolClass
    period: Period
    rows: list[PreviewRow]
    versions: list[PeriodReport]  # newest first
    absence_available: bool


def period_of(*, school_class: SchoolClass, period_id: int) -> Period:
    period = Period.objects.filter(pk=period_id, school_year_id=school_class.school_year_id).first()
    if period is None:
        raise Http404
    return period


def publication_preview(
    *, viewer: Viewer, school_class: SchoolClass, period: Period, at: dt.datetime
) -> tuple[Publication, dict[int, dict[str, Any]]]:
    """What publishing now would freeze, per student, and the versions published so far; with the absence
    figures to freeze (passed on to the action so preview and publication agree)."""
    ids = class_student_ids(viewer=viewer, school_class=school_class, at=at)
    drafts = period_report_grades(school_class=school_class, period=period, at=at)
    absence = period_absence(student_ids=ids, period=period)
    students = Student.objects.in_bulk(ids)
    versions = list(
        PeriodReport.objects.filter(school_class=school_class, period=period)
        .select_related("published_by")
        .order_by("-version")
    )
    previous: dict[int, PeriodReportStudent] = {}
    if versions:
        previous = {
            r.student_id: r
            for r in PeriodReportStudent.objects.filter(report=versions[0]).only(
                "student_id", "grades", "mentor_remark", "absence"
            )
        }
    rows = []
    for sid in ids:
        grades = drafts.get(sid, {})
        prev = previous.get(sid)
        changes: list[str] = []
        if versions:
            found = report_changes(
                prev, grades=grades, remark=prev.mentor_remark if prev else "", absence=absence.get(sid)
            )
            changes = change_lines(found)
        rows.append(
            PreviewRow(
                student=students[sid],
                grades=grade_lines(grades),
                absence=absence_lines(absence.get(sid)),
                remark=prev.mentor_remark if prev else "",
                changes=changes,
            )
        )
    return (
        Publication(
            school_class=school_class,
            period=period,
            rows=rows,
            versions=versions,
            absence_available=bool(absence),
        ),
        absence,
    )


@dataclass(frozen=True)
class ClassRow:
    school_class: SchoolClass
    periods: list[tuple[Period, int]]  # (period, latest published version or 0)


def classes_overview(*, classes: list[SchoolClass]) -> list[ClassRow]:
    """Per class its school year's periods and the latest version published for each. Two queries."""
    year_ids = {c.school_year_id for c in classes}
    periods: dict[int, list[Period]] = {}
    for p in Period.objects.filter(school_year_id__in=year_ids).order_by("number"):
        periods.setdefault(p.school_year_id, []).append(p)
    latest = {
        (r["school_class_id"], r["period_id"]): r["v"]
        for r in PeriodReport.objects.filter(school_class__in=[c.pk for c in classes])
        .values("school_class_id", "period_id")
        .annotate(v=Max("version"))
    }
    return [
        ClassRow(
            school_class=c,
            periods=[(p, latest.get((c.pk, p.pk), 0)) for p in periods.get(c.school_year_id, [])],
        )
        for c in classes
    ]


def class_print_rows(
    *, viewer: Viewer, school_class: SchoolClass, period: Period, version: int | None, at: dt.datetime
) -> tuple[PeriodReport, list[ReportView]]:
    """The print run of one published version (default: the latest) of a class's report: every student row the
    engine shows this viewer, by name. 404 when that version does not exist."""
    reports = PeriodReport.objects.filter(school_class=school_class, period=period)
    report = (reports.filter(version=version) if version else reports.order_by("-version")).first()
    if report is None:
        raise Http404
    rows = list(
        PeriodReportStudent.objects.filter(report=report)
        .select_related(*ROW_RELATED)
        .order_by("student__last_name", "student__first_name", "student_id")
    )
    staff_facts_prime(viewer=viewer, student_ids=[r.student_id for r in rows])
    shown = [
        r for r in rows if context_for(viewer=viewer, student_id=r.student_id, at=at).decide(report_item(r)).visible
    ]
    if not shown:
        raise Http404
    return report, [report_view(r) for r in shown]
