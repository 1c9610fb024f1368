"""Background work on django-tasks-db: the scheduler (`manage.py notify_scheduler`) enqueues `notify_tick` every
minute and the worker (`manage.py db_worker`) runs it. A tick plans what changed and sends what is due."""

from __future__ import annotations

from django.tasks import task

from inzage import clock
from inzage.notifications.actions import notices_plan_due, notices_send_due


@task()
def notify_tick() -> dict[str, int]:
    now = clock.now()
    planned = notices_plan_due(now=now)
    sent = notices_send_due(now=now)
    return {"planned": planned, "sent": sent}
