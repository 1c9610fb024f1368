"""Reads of grades for staff pages. Every function takes what it needs explicitly (no globals, no "now")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import QuerySet

from inzage.grades.models import Column, ColumnVersion, Result, ResultVersion


def results_of_columns(columns: Iterable[Column]) -> dict[tuple[int, int], Result]:
    """Existing results of the columns keyed by (column id, student id), in one query."""
    return {(r.column_id, r.student_id): r for r in Result.objects.filter(column__in=list(columns))}


def columns_of_group(group_id: int) -> QuerySet[Column]:
    """A teaching group's columns (retracted ones included, marked), with kind and period, by date."""
    return (
        Column.objects.filter(teaching_group_id=group_id)
        .select_related("kind", "period", "resit_of")
        .order_by("date", "code")
    )


def result_history(result: Result) -> QuerySet[ResultVersion]:
    """All versions of a result, oldest first, with who made them."""
    return ResultVersion.objects.filter(result=result).select_related("changed_by").order_by("version")


def column_history(column: Column) -> QuerySet[ColumnVersion]:
    """All versions of a column's settings, oldest first."""
    return ColumnVersion.objects.filter(column=column).select_related("changed_by").order_by("version")


def result_versions_of(wanted: Mapping[int, int]) -> dict[int, ResultVersion]:
    """One given version of each result (result id → version number) in one query; a missing one is left out."""
    if not wanted:
        return {}
    rows = ResultVersion.objects.filter(result_id__in=list(wanted), version__in=set(wanted.values()))
    return {v.result_id: v for v in rows if wanted[v.result_id] == v.version}
