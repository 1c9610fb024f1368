"""Publishing the period report (rapport): a frozen snapshot per class and period. Writes only.

Callers must have checked that the acting user may publish for the school (an administrator or the class's
coordinator). A correction publishes a new version; earlier versions are kept (append-only rows, DB triggers).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.grades.actions import GradeActionError
from inzage.grades.averages import report_grade
from inzage.grades.models import GradeSettings, PeriodReport, PeriodReportStudent, Result
from inzage.schools.models import ClassMembership, Period, SchoolClass, Subject


def period_report_publish(
    *,
    school_class: SchoolClass,
    period: Period,
    by: User | None,
    at: dt.datetime,
    remarks: dict[int, str] | None = None,
    reason: str = "",
) -> PeriodReport:
    """Publish (or, with a reason, correct) the period report of a class: per student the report grade of every
    subject with results in the period, from the results released by `at`, plus the mentor's remark."""
    remarks = remarks or {}
    student_ids = list(ClassMembership.objects.filter(school_class=school_class).values_list("student_id", flat=True))
    settings = GradeSettings.objects.filter(school_id=school_class.school_id).first()
    rounding = settings.report_rounding if settings else GradeSettings.Rounding.ONE_DECIMAL
    results = (
        Result.objects.filter(
            student_id__in=student_ids,
            column__period=period,
            column__release_at__isnull=False,
            column__release_at__lte=at,
        )
        .select_related("column")
        .order_by("pk")
    )
    by_student: dict[int, list[Result]] = defaultdict(list)
    subject_ids: set[int] = set()
    for result in results:
        by_student[result.student_id].append(result)
        subject_ids.add(result.column.subject_id)
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=subject_ids)}
    # The version number, the report and its student rows belong together; the lock keeps two publishers from
    # taking the same version number.
    with transaction.atomic():
        SchoolClass.objects.select_for_update().filter(pk=school_class.pk).first()
        last = PeriodReport.objects.filter(school_class=school_class, period=period).aggregate(v=Max("version"))["v"]
        version = (last or 0) + 1
        if version > 1 and not reason.strip():
            raise GradeActionError(_("Een correctie van een gepubliceerd rapport heeft een reden nodig."))
        report = PeriodReport.objects.create(
            school_id=school_class.school_id,
            school_class=school_class,
            period=period,
            version=version,
            published_at=at,
            published_by=by,
            reason=reason,
            rounding=rounding,
        )
        rows = []
        for student_id in student_ids:
            own = by_student.get(student_id, [])
            grades = {}
            for subject_id in sorted({r.column.subject_id for r in own}):
                grade = report_grade(own, subject_id=subject_id, period_id=period.pk, rounding=rounding)
                subject = subjects[subject_id]
                grades[subject.code] = {
                    "name": subject.name,
                    "grade": None if grade is None else str(grade),
                }
            rows.append(
                PeriodReportStudent(
                    school_id=school_class.school_id,
                    report=report,
                    student_id=student_id,
                    period=period,
                    version=version,
                    published_at=at,
                    grades=grades,
                    mentor_remark=remarks.get(student_id, ""),
                )
            )
        PeriodReportStudent.objects.bulk_create(rows)
        # bulk_create sends no signals: move the students' version counters in this transaction (docs/caching.md)
        from inzage.visibility.versions import versions_bump

        versions_bump(school_id=school_class.school_id, student_ids=[r.student_id for r in rows])
    return report
