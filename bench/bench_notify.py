"""A window opening for a whole school: the notices for 20,000 students' parents planned, queued and sent.

The school is the demo school's core (`demo_school_create` with no extensions: 20,000 students, their families and
accounts, teaching groups; bulk inserts). In the toetsweek (Monday 17 to Sunday 23 November 2025) a third of the
teaching groups gets a test, every result entered that week; the policy closes grades for guardians that week, and
the school's default for parents is "at once". The window opens at Monday 00:00, so every parent with a grade behind
it is told at 07:00 (the end of the quiet hours), in one e-mail each.

Two runs of `manage.py notify_scheduler --once` (the same code the worker runs), each a fresh process, against an
aiosmtpd mail sink on a loopback port in this process:

- Sunday 23:00: the planner sees every student for the first time and plans the parents' notices (due Monday 07:00).
- Monday 07:00: the planner finds nothing changed; the sender sends every notice, one e-mail per parent.

Figures:
- notify.window_open_20000_s: the wall time of both runs together (plan + queue + send).
- notify.window_open_plan_s / notify.window_open_send_s: each run.
- notify.window_open_cpu_s: the CPU time of the three runs (user + system); on a shared machine the wall time
  also holds other people's work, this does not.
- notify.window_open_peak_mb: the larger of the two processes' peak resident memory (ru_maxrss).
- notify.window_open_notices / notify.window_open_mails: notices sent and e-mails the sink accepted (each parent
  exactly once; a third run at 07:05 must send nothing).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
AMS = ZoneInfo("Europe/Amsterdam")
# NOTIFY_BENCH_STUDENTS: a smaller school while working on it (the figure is named after the size).
STUDENTS = int(os.environ.get("NOTIFY_BENCH_STUDENTS", "20000"))
MONDAY = dt.date(2025, 11, 17)
POLICY = (
    'format = 1\n[[windows]]\naudience = "guardians"\nkinds = ["grades"]\neffect = "close"\n'
    'start = 2025-11-17\nend = 2025-11-23\nlabel = "Toetsweek"\n'
)


class Sink:
    """Counts what the mail server accepted (the bodies are not kept: 30,000 of them would skew nothing but RAM)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def school_build() -> None:
    from django.db import transaction

    from inzage.demo.seed import demo_school_create
    from inzage.grades.models import AssessmentKind, Column, Result
    from inzage.notifications.models import Audience, Frequency, SchoolDefault
    from inzage.schools.models import Period, TeachingGroup
    from inzage.visibility.models import PolicyVersion
    from inzage.visibility.policy.document import state_missing_sections

    seeded = demo_school_create(students=STUDENTS, seed=1, year=2025, today=MONDAY, extensions=[])
    school = seeded.school
    rng = random.Random(1)
    with transaction.atomic():
        text = state_missing_sections(POLICY)
        at = dt.datetime(2025, 8, 1, tzinfo=AMS)
        PolicyVersion.objects.create(school=school, number=1, text=text, created_at=at, activated_at=at, note="bench")
        SchoolDefault.objects.create(
            school=school, audience=Audience.GUARDIAN, kind="grades", frequency=Frequency.IMMEDIATE
        )
        kind, _ = AssessmentKind.objects.get_or_create(school=school, code="toets", defaults={"name": "toets"})
        period = Period.objects.filter(school_year__school=school, start__lte=MONDAY, end__gte=MONDAY).first()
        assert period is not None
        groups = list(TeachingGroup.objects.filter(school_year__school=school).select_related("subject"))
        tested = [g for g in groups if rng.random() < 1 / 3]
        columns = []
        for n, group in enumerate(tested):
            when = dt.datetime.combine(MONDAY + dt.timedelta(days=n % 5), dt.time(9 + n % 7), tzinfo=AMS)
            columns.append(
                Column(
                    school=school,
                    teaching_group=group,
                    subject=group.subject,
                    period=period,
                    kind=kind,
                    name="Toetsweek",
                    code=f"TW{n}",
                    date=when.date(),
                    release_mode=Column.ReleaseMode.AT,
                    release_at=when,
                )
            )
        Column.objects.bulk_create(columns, batch_size=1000)
        members = TeachingGroup.students.through.objects.filter(teachinggroup_id__in=[g.pk for g in tested])
        by_group: dict[int, list[int]] = {}
        for group_id, student_id in members.values_list("teachinggroup_id", "student_id"):
            by_group.setdefault(group_id, []).append(student_id)
        results = [
            Result(
                school=school,
                column=c,
                student_id=student_id,
                value=rng.randrange(30, 96) / 10,
                entered_at=c.release_at,
                updated_at=c.release_at,
            )
            for c in columns
            for student_id in by_group.get(c.teaching_group_id, [])
        ]
        Result.objects.bulk_create(results, batch_size=2000)
    from inzage.visibility.versions import versions_bump

    versions_bump(school_id=school.pk)


def tick(port: int, now: str) -> tuple[float, str]:
    env = {
        **os.environ,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
        "INZAGE_NOW": now,
        "DJANGO_SETTINGS_MODULE": "inzage.settings",
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "notify_scheduler", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return seconds, done.stdout.strip()


def run() -> list[tuple[str, float, str]]:
    from aiosmtpd.controller import Controller

    from inzage.notifications.models import Notice

    t0 = time.perf_counter()
    school_build()
    print(f"# school built in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        plan_s, plan_out = tick(port, "2025-11-23T23:00:00+01:00")
        planned = Notice.objects.filter(status=Notice.Status.PENDING).count()
        send_s, send_out = tick(port, "2025-11-24T07:00:00+01:00")
        _again_s, again_out = tick(port, "2025-11-24T07:05:00+01:00")
    finally:
        controller.stop()
    print(f"# {plan_out} ({plan_s:.1f} s); {send_out} ({send_s:.1f} s); {again_out}", file=sys.stderr, flush=True)
    sent = Notice.objects.filter(status=Notice.Status.SENT).count()
    # Exactly once: every notice sent, one e-mail per parent, nothing sent again.
    assert planned > 0 and sent == planned, (planned, sent)
    assert again_out.endswith("sent 0"), again_out
    messages = Notice.objects.filter(status=Notice.Status.SENT).values("user_id", "message_id").distinct()
    per_user = Counter(m["user_id"] for m in messages)
    assert all(n == 1 for n in per_user.values()), "someone got two e-mails"
    assert sink.count == len(per_user), (sink.count, len(per_user))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the three ticks, each a process waited for
    peak_mb = children.ru_maxrss / 1024
    return [
        (f"notify.window_open_{STUDENTS}_s", plan_s + send_s, "s"),
        ("notify.window_open_plan_s", plan_s, "s"),
        ("notify.window_open_send_s", send_s, "s"),
        ("notify.window_open_cpu_s", children.ru_utime + children.ru_stime, "s"),
        ("notify.window_open_peak_mb", peak_mb, "MB"),
        ("notify.window_open_notices", float(sent), "notices"),
        ("notify.window_open_mails", float(sink.count), "mails"),
    ]
