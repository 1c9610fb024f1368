"""Publishing the period report (rapport): a frozen snapshot per class and period.

`period_report_grades` reads what a report would hold at an instant (the preview); `period_report_publish` freezes
it. Callers must have checked that the acting user may publish for the class (its mentor or an administrator of the
school: `inzage.reports.access`). A correction publishes a new version that records, per student, what changed;
earlier versions are kept (append-only rows, DB triggers).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.grades.actions import GradeActionError
from inzage.grades.averages import as_item, report_grade, report_period_id
from inzage.grades.models import GradeSettings, PeriodReport, PeriodReportStudent, Result
from inzage.people.models import Student
from inzage.schools.models import ClassMembership, Period, SchoolClass, Subject

Grades = dict[str, dict[str, Any]]  # subject code -> {"name", "grade" (string "7.5" or None)}


def report_rounding(school_id: int) -> str:
    """The school's rounding of report grades (`GradeSettings.report_rounding`; default one decimal)."""
    settings = GradeSettings.objects.filter(school_id=school_id).first()
    return settings.report_rounding if settings else GradeSettings.Rounding.ONE_DECIMAL


def period_report_grades(*, school_class: SchoolClass, period: Period, at: dt.datetime) -> dict[int, Grades]:
    """Per student of the class, the report grade of every subject with results in the period, from the results of
    columns released by `at` (a held-back column cannot leak through a report). Three queries."""
    student_ids = list(ClassMembership.objects.filter(school_class=school_class).values_list("student_id", flat=True))
    rounding = report_rounding(school_class.school_id)
    # A resit counts in the period of the test it replaces, whatever period its column was filed under: take the
    # resits of this period's tests too (report_grade leaves out those whose first test lies in another period).
    in_period = (
        Q(column__period=period) | Q(column__resit_of__period=period) | Q(column__resit_of__resit_of__period=period)
    )
    results = (
        Result.objects.filter(
            in_period,
            student_id__in=student_ids,
            column__release_at__isnull=False,
            column__release_at__lte=at,
        )
        .select_related("column", "column__resit_of", "column__resit_of__resit_of")
        .order_by("pk")
    )
    by_student: dict[int, list[Result]] = defaultdict(list)
    subject_ids: set[int] = set()
    for result in results:
        by_student[result.student_id].append(result)
        subject_ids.add(result.column.subject_id)
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=subject_ids)} if subject_ids else {}
    out: dict[int, Grades] = {}
    for student_id in student_ids:
        own = by_student.get(student_id, [])
        grades: Grades = {}
        counted_here = {r.column.subject_id for r in own if report_period_id(as_item(r)) == period.pk}
        for subject_id in sorted(counted_here):
            grade = report_grade(own, subject_id=subject_id, period_id=period.pk, rounding=rounding)
            subject = subjects[subject_id]
            grades[subject.code] = {"name": subject.name, "grade": None if grade is None else str(grade)}
        out[student_id] = grades
    return out


def report_changes(
    previous: PeriodReportStudent | None, *, grades: Grades, remark: str, absence: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """What a new version changes for one student against their previous version (pure)."""
    if previous is None:
        return [{"what": "added"}]
    changes: list[dict[str, Any]] = []
    old_grades: Grades = previous.grades or {}
    for code in sorted(set(old_grades) | set(grades)):
        old = (old_grades.get(code) or {}).get("grade")
        new = (grades.get(code) or {}).get("grade")
        if old != new:
            name = (grades.get(code) or old_grades.get(code) or {}).get("name") or code
            changes.append({"what": "grade", "subject": name, "old": old, "new": new})
    if (previous.mentor_remark or "") != remark:
        changes.append({"what": "remark"})
    if (previous.absence or None) != (absence or None):
        changes.append({"what": "absence"})
    return changes


def period_report_publish(
    *,
    school_class: SchoolClass,
    period: Period,
    by: User | None,
    at: dt.datetime,
    remarks: dict[int, str] | None = None,
    reason: str = "",
    absence: dict[int, dict[str, Any]] | None = None,
) -> PeriodReport:
    """Publish (or, with a reason, correct) the period report of a class: per student the report grades of
    `period_report_grades` at `at`, the mentor's remark, the period's absence figures (None: no attendance data)
    and the names printed on it; a correction records per student what changed and is refused when nothing did."""
    remarks = remarks or {}
    absence = absence or {}
    rounding = report_rounding(school_class.school_id)
    drafts = period_report_grades(school_class=school_class, period=period, at=at)
    students = {s.pk: s for s in Student.objects.filter(pk__in=list(drafts))}
    mentors = ", ".join(sorted(m.full_name for m in school_class.mentors.all()))
    school_name = school_class.school.name
    year_name = str(school_class.school_year)
    # The version number, the report and its student rows belong together; the lock keeps two publishers from
    # taking the same version number, and the previous version is read under it.
    with transaction.atomic():
        SchoolClass.objects.select_for_update().filter(pk=school_class.pk).first()
        last = PeriodReport.objects.filter(school_class=school_class, period=period).aggregate(v=Max("version"))["v"]
        version = (last or 0) + 1
        if version > 1 and not reason.strip():
            raise GradeActionError(_("Een correctie van een gepubliceerd rapport heeft een reden nodig."))
        previous: dict[int, PeriodReportStudent] = {}
        if last:
            previous = {
                r.student_id: r
                for r in PeriodReportStudent.objects.filter(
                    report__school_class=school_class, report__period=period, report__version=last
                )
            }
        rows = []
        any_change = False
        for student_id, grades in drafts.items():
            remark = remarks.get(student_id, "")
            figures = absence.get(student_id)
            changes = None
            if version > 1:
                changes = report_changes(previous.get(student_id), grades=grades, remark=remark, absence=figures)
                any_change = any_change or bool(changes)
            student = students[student_id]
            rows.append(
                PeriodReportStudent(
                    school_id=school_class.school_id,
                    student_id=student_id,
                    period=period,
                    version=version,
                    published_at=at,
                    grades=grades,
                    mentor_remark=remark,
                    absence=figures,
                    changes=changes,
                    header={
                        "school": school_name,
                        "student": student.full_name,
                        "student_number": student.student_number,
                        "class": school_class.name,
                        "period": period.name,
                        "year": year_name,
                        "mentors": mentors,
                    },
                )
            )
        if version > 1 and not any_change and set(previous) == set(drafts):
            raise GradeActionError(
                _("Er is niets veranderd sinds versie %(version)s: er is geen correctie te publiceren.")
                % {"version": last}
            )
        report = PeriodReport.objects.create(
            school_id=school_class.school_id,
            school_class=school_class,
            period=period,
            version=version,
            published_at=at,
            published_by=by,
            reason=reason.strip(),
            rounding=rounding,
        )
        for row in rows:
            row.report = report
        PeriodReportStudent.objects.bulk_create(rows)
        # bulk_create sends no signals: move the students' version counters in this transaction (docs/caching.md)
        from inzage.visibility.versions import versions_bump

        versions_bump(school_id=school_class.school_id, student_ids=[r.student_id for r in rows])
    return report
