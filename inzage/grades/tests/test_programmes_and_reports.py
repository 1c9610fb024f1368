import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inzage.grades.actions import GradeActionError, column_create, result_change, results_save
from inzage.grades.models import Column, PeriodReportStudent, ProgrammeChange, ProgrammeItem, Result
from inzage.grades.parsing import ParsedCell
from inzage.grades.period_reports import period_report_publish
from inzage.grades.programmes import (
    ProgrammeLocked,
    programme_create,
    programme_item_add,
    programme_item_change,
    programme_item_withdraw,
)
from inzage.grades.tests.conftest import AT
from inzage.schools.models import Level


def aware(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def pta(personas, kind):
    level = Level.objects.get(school=personas.school)
    return programme_create(
        kind="pta",
        subject=personas.subject,
        level=level,
        cohort="2025-2027",
        school_year=personas.year,
        by=personas.user("admin"),
        at=aware(2025, 9, 1, 10, 0),
    )


def test_a_programme_is_fixed_by_1_october_and_then_changes_only_with_approval(personas, kind, pta) -> None:
    admin = personas.user("admin")
    assert pta.deadline == dt.date(2025, 10, 1)
    item = programme_item_add(
        programme=pta,
        code="SE1",
        name="Schoolexamen 1",
        period=personas.periods[0],
        kind=kind,
        exam_weight=Decimal("10"),
        by=admin,
        at=aware(2025, 9, 20, 12, 0),
    )
    # 1 October 23:30 Amsterdam time is still on the deadline day.
    programme_item_change(item=item, by=admin, at=aware(2025, 10, 1, 23, 30), exam_weight=Decimal("15"))
    with pytest.raises(ProgrammeLocked):
        programme_item_change(item=item, by=admin, at=aware(2025, 10, 2, 0, 30), exam_weight=Decimal("20"))
    with pytest.raises(ProgrammeLocked):
        programme_item_add(
            programme=pta,
            code="SE2",
            name="x",
            period=personas.periods[1],
            kind=kind,
            exam_weight=Decimal("5"),
            by=admin,
            at=aware(2025, 11, 1, 9, 0),
        )
    assert not ProgrammeItem.objects.filter(code="SE2").exists()
    item.refresh_from_db()
    assert item.exam_weight == Decimal("15")
    programme_item_change(
        item=item,
        by=admin,
        at=aware(2025, 11, 1, 9, 0),
        approved_by=admin,
        approval_reason="examencommissie 30-10-2025",
        exam_weight=Decimal("20"),
    )
    programme_item_withdraw(
        item=item, by=admin, at=aware(2025, 11, 2, 9, 0), approved_by=admin, approval_reason="vervalt"
    )
    changes = list(ProgrammeChange.objects.filter(programme=pta).order_by("version"))
    assert [(c.version, c.after_deadline, c.approval_reason) for c in changes] == [
        (1, False, ""),
        (2, False, ""),
        (3, False, ""),
        (4, True, "examencommissie 30-10-2025"),
        (5, True, "vervalt"),
    ]
    assert changes[3].snapshot[0]["exam_weight"] == "20.00"
    assert changes[4].snapshot[0]["withdrawn"] is True


def _grades(personas, kind, values, *, release_mode="now"):
    column = column_create(
        group=personas.group,
        kind=kind,
        period=personas.periods[0],
        name="T",
        code=f"T{len(values)}{release_mode}",
        date=dt.date(2025, 9, 30),
        by=None,
        at=AT,
        release_mode=release_mode,
    )
    results_save(
        cells=[(column, personas.student.pk, ParsedCell(value=Decimal(values[0])))],
        existing={},
        by=None,
        at=AT,
        reason="",
    )
    return column


def test_a_period_report_is_a_frozen_snapshot_and_corrections_are_new_versions(personas, kind) -> None:
    column = _grades(personas, kind, ["6.4"])
    _grades(personas, kind, ["1.0", "x"], release_mode=Column.ReleaseMode.HELD)  # held back: not on the report
    publish_at = aware(2025, 11, 10, 12, 0)
    report = period_report_publish(
        school_class=personas.klas,
        period=personas.periods[0],
        by=personas.user("admin"),
        at=publish_at,
        remarks={personas.student.pk: "Goed bezig."},
    )
    row = PeriodReportStudent.objects.get(report=report, student=personas.student)
    assert (row.version, row.published_at, row.period) == (1, publish_at, personas.periods[0])
    assert row.grades == {"wi": {"name": "wiskunde", "grade": "6.4"}}
    assert row.mentor_remark == "Goed bezig."
    # A later change of a grade does not touch the published report...
    result = Result.objects.get(column=column, student=personas.student)
    result_change(result=result, cell=ParsedCell(value=Decimal("7.4")), by=None, at=publish_at, reason="fout")
    row.refresh_from_db()
    assert row.grades["wi"]["grade"] == "6.4"
    # ...a correction is a new version, with a reason, and the first version stays.
    with pytest.raises(GradeActionError):
        period_report_publish(school_class=personas.klas, period=personas.periods[0], by=None, at=publish_at)
    later = publish_at + dt.timedelta(days=1)
    period_report_publish(
        school_class=personas.klas, period=personas.periods[0], by=None, at=later, reason="cijfer gecorrigeerd"
    )
    rows = list(PeriodReportStudent.objects.filter(student=personas.student).order_by("version"))
    assert [(r.version, r.grades["wi"]["grade"]) for r in rows] == [(1, "6.4"), (2, "7.4")]
