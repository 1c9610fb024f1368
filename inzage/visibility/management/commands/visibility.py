"""`manage.py visibility explain|policy export|policy import`: the engine from the command line.

visibility explain --viewer USERNAME --student STUDENT --at ISO8601 [--json]
visibility policy export [--school BRIN] [--output FILE]
visibility policy import FILE [--school BRIN] [--user USERNAME] [--draft] [--confirm]

Bad input (an unknown name, a file that is not UTF-8 or not a valid policy) is one clear message and exit status 1,
with nothing changed (CommandError).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from inzage.accounts.models import User
from inzage.schools.models import School
from inzage.visibility import actions
from inzage.visibility.actions import PolicyNeedsConfirmation
from inzage.visibility.policy import viewer_for
from inzage.visibility.policy.document import PolicyError, dump_policy
from inzage.visibility.policy.facts import active_policy
from inzage.visibility.policy.impact import policy_impact
from inzage.visibility.queries import explain, find_student

EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


class Command(BaseCommand):
    help = "Explain what a person sees of a student at an instant; export or import a school's visibility policy."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        ex = sub.add_parser("explain", help="What does this person see of this student at this instant, and why.")
        ex.add_argument("--viewer", required=True, help="username of the person")
        ex.add_argument("--student", required=True, help="student number or the student's username")
        ex.add_argument("--at", default=None, help="ISO 8601 instant (default: now); without offset: school time")
        ex.add_argument("--json", action="store_true", help="print a JSON array")
        pol = sub.add_parser("policy", help="export or import the policy file")
        pol_sub = pol.add_subparsers(dest="policy_command", required=True)
        exp = pol_sub.add_parser("export")
        exp.add_argument("--school", help="BRIN code (needed when there are several schools)")
        exp.add_argument("--output", help="file to write (default: standard output)")
        imp = pol_sub.add_parser("import")
        imp.add_argument("file")
        imp.add_argument("--school", help="BRIN code (needed when there are several schools)")
        imp.add_argument("--user", help="username recorded as the author")
        imp.add_argument("--draft", action="store_true", help="store without activating")
        imp.add_argument("--note", default="", help="note for the version history")
        imp.add_argument(
            "--confirm",
            action="store_true",
            help="activate even though the policy lets people see more (the counts are printed first)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "explain":
            self._explain(options)
        elif options["policy_command"] == "export":
            self._export(options)
        else:
            self._import(options)

    def _explain(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["viewer"]).first()
        if user is None:
            raise CommandError(f"no account {options['viewer']!r}")
        student = find_student(school_id=user.school_id, ref=options["student"])
        if student is None:
            raise CommandError(f"no student {options['student']!r} in {user.username}'s school")
        at = _instant(options["at"], student.school.timezone)
        rows = explain(viewer=viewer_for(user), student=student, at=at)
        if options["json"]:
            self.stdout.write(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
            return
        for r in rows:
            mark = "ZICHTBAAR" if r.decision.visible else "verborgen"
            self.stdout.write(f"{r.kind:14} {r.id or '-':>8} {r.subject:6} {mark:9} {r.decision.explanation_nl}")

    def _report(self, path: Path, exc: PolicyError) -> NoReturn:
        for error in exc.errors:
            self.stderr.write(f"{path}: {error}")
        raise CommandError(f"{len(exc.errors)} error(s); nothing changed") from exc

    def _school(self, brin: str | None) -> School:
        if brin:
            school = School.objects.filter(brin=brin).first()
            if school is None:
                raise CommandError(f"no school with BRIN {brin!r}")
            return school
        schools = list(School.objects.all()[:2])
        if len(schools) != 1:
            raise CommandError("give --school BRIN")
        return schools[0]

    def _export(self, options: dict[str, Any]) -> None:
        text = dump_policy(active_policy(self._school(options.get("school")).pk))
        if options.get("output"):
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{options['output']}: {exc.strerror}") from exc
        else:
            self.stdout.write(text, ending="")

    def _import(self, options: dict[str, Any]) -> None:
        school = self._school(options.get("school"))
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8") if str(path) != "-" else sys.stdin.read()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{path}: byte {exc.start + 1} is not UTF-8; save the file as UTF-8 (nothing changed)"
            ) from exc
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no account {options['user']!r}; nothing changed")
        at = timezone.now()
        if not options.get("draft"):
            try:
                draft = actions.policy_check(school=school, text=text)
            except PolicyError as exc:
                self._report(path, exc)
            # Show who gains what before anything changes (the action refuses an unconfirmed opening itself too).
            impact = policy_impact(school_id=school.pk, current=active_policy(school.pk), draft=draft, at=at)
            for line in impact.gain_lines_nl() + impact.loss_lines_nl():
                self.stdout.write(f"{school}: {line}")
        try:
            version = actions.policy_version_create(
                school=school,
                text=text,
                created_by=user,
                at=at,
                note=options.get("note", ""),
                activate=not options.get("draft"),
                confirmed=options.get("confirm", False),
            )
        except PolicyNeedsConfirmation as exc:
            raise CommandError(
                f"this policy lets people see more (counted over all {exc.impact.students} students and "
                f"{exc.impact.guardians} guardians); run again with --confirm to activate it, or --draft; "
                "nothing changed"
            ) from exc
        except PolicyError as exc:
            self._report(path, exc)
        state = "stored as draft" if version.activated_at is None else "active"

        self.stdout.write(f"{school}: policy version {version.number} {state}")


def _instant(value: str | None, tz_name: str) -> dt.datetime:
    if not value:
        return timezone.now()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--at: {value!r} is not an ISO 8601 instant") from exc
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        # Beyond these the calendar arithmetic overflows; no school rule is about them.
        raise CommandError(f"--at: {value!r} is outside {EARLIEST_YEAR}–{LATEST_YEAR}")
    if parsed.tzinfo is None:
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo(tz_name))
    return parsed
