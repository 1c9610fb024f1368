"""Enqueue the notification tick every `--every` seconds (the worker, `manage.py db_worker`, runs it), unless one is
still waiting for the worker.

`--once` runs one tick in this process instead (plan and send now), for cron and for tests."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tasks_db.models import DBTaskResult

from inzage import clock
from inzage.notifications.actions import notices_plan_due, notices_send_due
from inzage.notifications.tasks import notify_tick


class Command(BaseCommand):
    help = "Plan and send notices: enqueue a tick every minute, or run one tick now with --once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=60, help="seconds between ticks (default 60)")
        parser.add_argument("--once", action="store_true", help="run one tick in this process and stop")

    def handle(self, *args: Any, every: int, once: bool, **options: Any) -> None:
        if every < 1:
            self.stderr.write("--every: at least 1 second")
            raise SystemExit(1)
        if once:
            now = clock.now()
            planned = notices_plan_due(now=now)
            sent = notices_send_due(now=now)
            self.stdout.write(f"planned {planned}, sent {sent}")
            return
        try:
            while True:
                # A tick still waiting for the worker covers this minute too: a long tick (a window opening for a
                # whole school) does not leave a pile of ticks behind it.
                waiting = DBTaskResult.objects.ready().filter(task_path=notify_tick.module_path).exists()
                if not waiting:
                    notify_tick.enqueue()
                time.sleep(every)
        except KeyboardInterrupt:  # Ctrl-C on `make run`: stop without a traceback
            return
