"""Background tasks (django-tasks-db): the retention purge, to be scheduled daily (e.g. cron enqueuing it, or
`manage.py access_log_purge` from cron directly)."""

from __future__ import annotations

from django.tasks import task

from inzage.access_log.actions import access_log_purge


@task()
def access_log_purge_task() -> int:
    """Delete the access log's rows past the retention (ACCESS_LOG_RETENTION_DAYS); how many."""
    return access_log_purge()
