"""Nothing is lost: every change is a version with who/when/why, and history rows cannot be altered."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from inzage.grades.actions import (
    GradeActionError,
    column_change,
    column_release,
    column_retract,
    result_change,
    result_enter,
    result_retract,
)
from inzage.grades.models import Column, ColumnVersion, HistoryIsAppendOnly, Result, ResultVersion
from inzage.grades.parsing import ParsedCell
from inzage.grades.tests.conftest import AT
from inzage.testing.factories import UserFactory

LATER = AT + dt.timedelta(days=1)


@pytest.fixture
def result(personas, column) -> Result:
    return result_enter(
        column=column,
        student=personas.student,
        cell=ParsedCell(value=Decimal("5.5")),
        by=personas.user("teacher"),
        at=AT,
    )


def test_entering_changing_and_retracting_keeps_every_version(personas, result) -> None:
    teacher = personas.user("teacher")
    result_change(result=result, cell=ParsedCell(value=Decimal("6.5")), by=teacher, at=LATER, reason="nagekeken")
    result_retract(result=result, by=teacher, at=LATER, reason="verkeerde leerling")
    result.refresh_from_db()
    assert result.value == Decimal("6.5")  # the retraction keeps the value
    assert result.retracted_at == LATER
    assert result.entered_at == AT  # the release clock does not restart on a change
    versions = list(result.versions.order_by("version"))
    assert [(v.version, v.action, v.value, v.reason) for v in versions] == [
        (1, "create", Decimal("5.5"), ""),
        (2, "change", Decimal("6.5"), "nagekeken"),
        (3, "retract", Decimal("6.5"), "verkeerde leerling"),
    ]
    assert all(v.changed_by == teacher for v in versions)


def test_a_change_needs_a_reason(personas, result) -> None:
    with pytest.raises(GradeActionError):
        result_change(result=result, cell=ParsedCell(value=Decimal("7")), by=None, at=LATER, reason=" ")
    assert ResultVersion.objects.filter(result=result).count() == 1


def test_column_changes_release_and_retraction_are_versioned(personas, column) -> None:
    teacher = personas.user("teacher")
    column_change(column=column, by=teacher, at=LATER, reason="weging volgens PTO", weight=Decimal("3"))
    column_release(column=column, mode=Column.ReleaseMode.HELD, by=teacher, at=LATER, reason="slecht gemaakt")
    column_retract(column=column, by=teacher, at=LATER, reason="dubbel")
    column.refresh_from_db()
    assert column.retracted_at == LATER and column.release_at is None and column.weight == Decimal("3")
    history = list(column.versions.order_by("version"))
    assert [v.action for v in history] == ["create", "change", "release", "retract"]
    assert history[0].snapshot["weight"] == "2.00"
    assert history[1].snapshot["weight"] == "3.00"
    assert history[0].snapshot["release_at"] == AT.isoformat()  # "now" stores the instant of the choice


def test_release_choices_store_the_moment(personas, column) -> None:
    moment = timezone.make_aware(dt.datetime(2025, 10, 3, 17, 0))
    column_release(column=column, mode=Column.ReleaseMode.AT, release_at=moment, by=None, at=LATER)
    column.refresh_from_db()
    assert (column.release_mode, column.release_at) == ("at", moment)
    with pytest.raises(GradeActionError):
        column_release(column=column, mode=Column.ReleaseMode.AT, by=None, at=LATER)


def test_version_rows_cannot_be_changed_or_deleted_through_the_orm(result) -> None:
    version = result.versions.get()
    version.reason = "vervalst"
    with pytest.raises(HistoryIsAppendOnly):
        version.save()
    with pytest.raises(HistoryIsAppendOnly):
        version.delete()
    with pytest.raises(HistoryIsAppendOnly):
        ResultVersion.objects.filter(pk=version.pk).update(reason="vervalst")
    with pytest.raises(HistoryIsAppendOnly):
        ResultVersion.objects.all().delete()
    with pytest.raises(HistoryIsAppendOnly):
        ResultVersion.objects.bulk_update([version], ["reason"])
    with pytest.raises(HistoryIsAppendOnly):
        ColumnVersion.objects.all().update(reason="x")
    version.refresh_from_db()
    assert version.reason == ""


def test_results_and_columns_cannot_be_deleted(result, column) -> None:
    with pytest.raises(HistoryIsAppendOnly):
        result.delete()
    with pytest.raises(HistoryIsAppendOnly):
        Result.objects.all().delete()
    with pytest.raises(HistoryIsAppendOnly):
        column.delete()
    with pytest.raises(HistoryIsAppendOnly):
        Column.objects.filter(pk=column.pk).delete()
    assert Result.objects.filter(pk=result.pk).exists()


def test_the_database_refuses_updates_of_version_rows(result) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE grades_resultversion SET reason = 'vervalst'")
    assert result.versions.get().reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no DELETE trigger (see migration 0004)")
def test_postgresql_refuses_deletes_of_version_rows(result) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM grades_resultversion")
    assert result.versions.count() == 1


def test_the_admin_cannot_change_or_delete_history(client, result, personas) -> None:
    superuser = UserFactory(school=personas.school, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    version = result.versions.get()
    change_url = f"/beheer/grades/resultversion/{version.pk}/change/"
    response = client.post(change_url, {"reason": "vervalst"})
    assert response.status_code in (403, 200)
    response = client.post(f"/beheer/grades/resultversion/{version.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = client.post(f"/beheer/grades/result/{result.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = client.post(
        "/beheer/grades/resultversion/", {"action": "delete_selected", "_selected_action": [version.pk], "post": "yes"}
    )
    version.refresh_from_db()
    assert version.reason == ""
    assert ResultVersion.objects.filter(pk=version.pk).exists()
    assert Result.objects.filter(pk=result.pk).exists()
