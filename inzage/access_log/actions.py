"""Writes of the access log package: scraping signals and the retention purge (the log's rows themselves are
written by `buffer.write`, batched)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest

from inzage import clock
from inzage.access_log import scraping
from inzage.access_log.models import AccessRead, ScrapingSignal

DEFAULT_RETENTION_DAYS = 730  # two years


def retention_days() -> int:
    return int(getattr(settings, "ACCESS_LOG_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def scraping_signal_record(*, request: HttpRequest, user: Any, verdict: scraping.Verdict) -> ScrapingSignal | None:
    """Throttle the account and report it to its school's administrators (the caller counted the verdict)."""
    if user.school_id is None:
        return None
    until = scraping.block(user_id=user.pk)
    session_key = request.session.session_key or "" if hasattr(request, "session") else ""
    return ScrapingSignal.objects.create(
        school_id=user.school_id,
        user=user,
        detected_at=clock.now(),
        blocked_until=until,
        reason=verdict.reason,
        non_browser=verdict.non_browser,
        reads_minute=verdict.per_minute,
        reads_hour=verdict.per_hour,
        distinct_pages=verdict.distinct,
        user_agent=request.headers.get("User-Agent", "")[:300],
        address=(request.META.get("REMOTE_ADDR") or "")[:64],
        session=hashlib.sha256(session_key.encode()).hexdigest()[:16] if session_key else "",
    )


PG_PURGE_SETTING = "inzage.access_log_purge_before"


def access_log_purge(*, before: dt.datetime | None = None) -> int:
    """Delete the log's rows older than `before` (default: now minus ACCESS_LOG_RETENTION_DAYS); how many.

    The one delete of the log. On PostgreSQL the guard trigger lets a DELETE through only for rows older than the
    instant this transaction put in `inzage.access_log_purge_before` (`set_config(..., true)`: this transaction
    only); any other UPDATE or DELETE is refused by the database. The ORM's delete stays refused (`AppendOnlyModel`),
    so this is plain SQL.
    """
    if before is None:
        before = clock.now() - dt.timedelta(days=retention_days())
    table = AccessRead._meta.db_table
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(using=DEFAULT_DB_ALIAS), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, %s, true)", [PG_PURGE_SETTING, before.isoformat()])
        cursor.execute(
            f'DELETE FROM "{table}" WHERE "at" < %s',
            [connection.ops.adapt_datetimefield_value(before)],
        )
        return cursor.rowcount
