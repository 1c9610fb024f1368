"""Admin for grades: history is read-only, results and columns can never be deleted (they are retracted)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from inzage.grades.models import (
    AssessmentKind,
    CentralExamResult,
    Column,
    ColumnVersion,
    ExamSubject,
    GradeSettings,
    PeriodReport,
    PeriodReportStudent,
    ProgrammeChange,
    ProgrammeItem,
    Result,
    ResultVersion,
    TestingProgramme,
)
from inzage.schools.admin_scope import SchoolScopedAdmin
from inzage.web.admin_base import InzageModelAdmin


@admin.register(AssessmentKind)
class AssessmentKindAdmin(InzageModelAdmin):
    list_display = ["name", "code", "school"]


@admin.register(GradeSettings)
class GradeSettingsAdmin(InzageModelAdmin):
    list_display = ["school", "report_rounding", "year_average_rule", "period_weights", "not_counting_rule",
                    "average_decimals"]  # fmt: skip


@admin.register(ExamSubject)
class ExamSubjectAdmin(SchoolScopedAdmin):
    """The school declares per level which subjects have a central exam and which make up the combination grade."""

    list_display = ["level", "subject", "has_central_exam", "in_combination"]
    list_filter = ["level", "has_central_exam", "in_combination"]


class ReadOnlyAdmin(InzageModelAdmin):
    """History: visible to staff in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class NoDeleteAdmin(ReadOnlyAdmin):
    """Results and columns change only through the grade actions (which keep versions)."""


# Central exam grades are entered on the candidate's page (staff:candidate), which keeps every version.
for model in (
    Result,
    Column,
    ResultVersion,
    ColumnVersion,
    ProgrammeChange,
    PeriodReport,
    PeriodReportStudent,
    CentralExamResult,
):
    admin.site.register(model, NoDeleteAdmin if model in (Result, Column) else ReadOnlyAdmin)


@admin.register(TestingProgramme)
class TestingProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["kind", "subject", "level", "cohort", "version"]


@admin.register(ProgrammeItem)
class ProgrammeItemAdmin(ReadOnlyAdmin):
    list_display = ["programme", "code", "name", "weight", "exam_weight"]
