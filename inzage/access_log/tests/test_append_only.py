"""The log cannot be changed through the application, nor below it on PostgreSQL; the purge is the one delete."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from inzage.access_log.actions import access_log_purge
from inzage.access_log.models import AccessRead
from inzage.grades.models import HistoryIsAppendOnly

pytestmark = pytest.mark.django_db


def entry(*, days_ago: float = 0, **kwargs) -> AccessRead:
    return AccessRead.objects.create(
        at=timezone.now() - dt.timedelta(days=days_ago),
        school_id=1,
        user_id=2,
        student_id=3,
        kinds=",grades,",
        audience="guardian",
        **kwargs,
    )


def test_the_application_cannot_change_or_delete_a_row() -> None:
    row = entry()
    row.kinds = ",nothing,"
    with pytest.raises(HistoryIsAppendOnly):
        row.save()
    with pytest.raises(HistoryIsAppendOnly):
        row.delete()
    with pytest.raises(HistoryIsAppendOnly):
        AccessRead.objects.filter(pk=row.pk).update(kinds=",x,")
    with pytest.raises(HistoryIsAppendOnly):
        AccessRead.objects.all().delete()
    assert AccessRead.objects.get().kinds == ",grades,"


def test_the_database_refuses_an_update() -> None:
    row = entry()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE access_log_accessread SET kinds = ',x,' WHERE id = %s", [row.pk])
    assert AccessRead.objects.get().kinds == ",grades,"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE guard is PostgreSQL's (see migration 0002)")
def test_postgresql_refuses_a_delete_and_a_purge_of_recent_rows() -> None:
    old, recent = entry(days_ago=800), entry(days_ago=1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM access_log_accessread WHERE id = %s", [old.pk])
    # With the purge's setting, only rows older than its instant may go: a recent row stays.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        before = (timezone.now() - dt.timedelta(days=400)).isoformat()
        cursor.execute("SELECT set_config('inzage.access_log_purge_before', %s, true)", [before])
        cursor.execute("DELETE FROM access_log_accessread WHERE id = %s", [recent.pk])
    assert AccessRead.objects.count() == 2


def test_the_purge_removes_only_rows_past_the_retention(settings) -> None:
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    entry(days_ago=731)
    keep = entry(days_ago=729)
    assert access_log_purge() == 1
    assert list(AccessRead.objects.values_list("pk", flat=True)) == [keep.pk]
    out = io.StringIO()
    call_command("access_log_purge", "--days", "1", stdout=out)
    assert "1 regels" in out.getvalue()
    assert not AccessRead.objects.exists()
