"""A worker killed while sending (the mail server has not accepted the message yet) loses nothing and sends nothing
twice: its lease runs out and the next worker sends the notice, once.

Real processes on a real database file: the worker is `manage.py notify_scheduler --once` in a subprocess, killed
with SIGKILL while the SMTP server (aiosmtpd, on loopback) holds it in the DATA phase.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SETUP = """
import datetime as dt
from zoneinfo import ZoneInfo
from inzage.testing.personas import build_personas
from inzage.notifications.actions import notices_plan_due
from inzage.visibility.tests.conftest import make_result
ams = ZoneInfo("Europe/Amsterdam")
p = build_personas()
user = p.user("student")
user.email = "student@example.org"
user.save()
notices_plan_due(now=dt.datetime(2025, 11, 17, 9, tzinfo=ams))
at = dt.datetime(2025, 11, 17, 10, tzinfo=ams)
make_result(student=p.student, group=p.group, period=p.periods[0], release_at=at, entered_at=at)
notices_plan_due(now=dt.datetime(2025, 11, 17, 10, 1, tzinfo=ams))
"""


def _env(tmp_path: Path, port: int, now: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fault.sqlite3'}",
        "INZAGE_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
        "INZAGE_NOW": now,
        "DJANGO_SETTINGS_MODULE": "inzage.settings",
    }


def _manage(tmp_path: Path, port: int, now: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=_env(tmp_path, port, now),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _run(tmp_path: Path, port: int, now: str, *args: str) -> str:
    proc = _manage(tmp_path, port, now, *args)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out


def test_a_worker_killed_before_the_mail_server_accepted_sends_once_after_restart(tmp_path, smtp_sink) -> None:
    sink, port = smtp_sink
    _run(tmp_path, port, "2025-11-17T10:02:00+01:00", "migrate", "--noinput", "-v0")
    _run(tmp_path, port, "2025-11-17T10:02:00+01:00", "shell", "-c", SETUP)

    sink.hold.set()  # the mail server hangs after the worker has built the message and started sending it
    worker = _manage(tmp_path, port, "2025-11-17T10:05:00+01:00", "notify_scheduler", "--once")
    assert sink.entered.wait(timeout=60), "the worker never reached the mail server"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    sink.hold.clear()
    assert sink.messages == []

    # Within the dead worker's lease nobody takes the notice over; after it, the next worker sends it, once.
    assert "sent 0" in _run(tmp_path, port, "2025-11-17T10:06:00+01:00", "notify_scheduler", "--once")
    assert "sent 1" in _run(tmp_path, port, "2025-11-17T10:08:00+01:00", "notify_scheduler", "--once")
    assert "sent 0" in _run(tmp_path, port, "2025-11-17T10:10:00+01:00", "notify_scheduler", "--once")
    assert len(sink.to("student@example.org")) == 1
