"""`manage.py seed_demo`: build the demo school (see inzage.demo.seed)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from inzage.demo.seed import MIN_STUDENTS, demo_school_create
from inzage.demo.year_plan import default_year, year_plan
from inzage.schools.models import School

MIN_YEAR, MAX_YEAR = 2000, 2100  # the year plan's holiday rules are for this century


class Command(BaseCommand):
    help = "Build a realistic demo school: calendar, classes, teaching groups, staff, students, families, accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=1200, help="number of students (default 1200)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--year", type=int, help="school year starting in August of YEAR (default: today's)")
        parser.add_argument("--today", help="date (YYYY-MM-DD) the extensions treat as today (default: today, clamped)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if a school exists already")

    def handle(self, *args, students: int, seed: int, year: int | None, today: dt.date | str | None, **options) -> None:
        if options["if_empty"] and School.objects.exists():
            self.stdout.write("Er bestaat al een school; seed_demo slaat over (--if-empty).")
            return
        if School.objects.exists():
            raise CommandError("The database already holds a school; seed_demo needs an empty database.")
        if students < MIN_STUDENTS:
            raise CommandError(f"--students must be at least {MIN_STUDENTS}.")
        # Bad input is one clear line and exit status 1, before anything is written.
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise CommandError(f"--year must be from {MIN_YEAR} to {MAX_YEAR}.")
        chosen_today = today if isinstance(today, dt.date) else None  # call_command may pass a date
        if isinstance(today, str):
            try:
                chosen_today = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today: {today!r} is not a date (YYYY-MM-DD).") from None
        local_today = timezone.localdate()
        year = default_year(local_today) if year is None else year
        plan = year_plan(year)
        today_ = chosen_today or min(max(local_today, plan.start), plan.end)
        self.stdout.write(f"Demoschool {plan.name}: {students} leerlingen, seed {seed}, vandaag {today_:%d-%m-%Y}")
        started = time.perf_counter()
        result = demo_school_create(students=students, seed=seed, year=year, today=today_, out=self.stdout.write)
        self.stdout.write(
            f"Klaar in {time.perf_counter() - started:.1f} s: {result.students} leerlingen, "
            f"{result.guardians} ouders/verzorgers, {result.staff} medewerkers."
        )
