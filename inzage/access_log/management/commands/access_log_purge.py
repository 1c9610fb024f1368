"""`manage.py access_log_purge [--days N]`: delete access-log rows older than the retention (the one delete)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inzage import clock
from inzage.access_log.actions import access_log_purge, retention_days


class Command(BaseCommand):
    help = "Verwijder inzagelog-regels ouder dan de bewaartermijn (ACCESS_LOG_RETENTION_DAYS, standaard 730 dagen)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None, help="bewaartermijn in dagen (standaard: de instelling)")

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        days = retention_days() if days is None else days
        if days < 1:
            raise CommandError("--days moet minstens 1 zijn.")
        before = clock.now() - dt.timedelta(days=days)
        removed = access_log_purge(before=before)
        self.stdout.write(f"{removed} regels van voor {before:%d-%m-%Y %H:%M} verwijderd (bewaartermijn {days} dagen).")
