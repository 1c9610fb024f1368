"""The sign-in lock holds across two real app server processes sharing Redis, and across a restart of one of them.

Two granian processes (one worker each, as two app servers behind a proxy would be) on loopback, one SQLite file,
one Redis (TEST_REDIS_URL, default DB 0 with a key prefix of this run's own). Wrong passwords are spread over both
servers; the lock then refuses the right password on both, and still after one server restarts.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.test_cache_settings import LOCAL_REDIS, _redis_reachable

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "juist-wachtwoord-42"

pytestmark = pytest.mark.skipif(not _redis_reachable(LOCAL_REDIS), reason=f"no Redis reachable at {LOCAL_REDIS}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "PYTEST", "DJANGO_SETTINGS"))}
    env.update(
        INZAGE_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=LOCAL_REDIS,
        CACHE_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        SECRET_KEY="test-secret-key-for-two-processes",
        SIGNIN_ACCOUNT_LIMIT="4",
        DJANGO_SETTINGS_MODULE="inzage.settings",
    )
    return env


def _start(env: dict[str, str], port: int) -> subprocess.Popen:
    granian = Path(sys.executable).with_name("granian")
    proc = subprocess.Popen(
        [
            str(granian),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "inzage.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"granian on port {port} did not answer")


def _sign_in(port: int, username: str, password: str) -> tuple[bool, str]:
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "login": username, "password": password})
    request = urllib.request.Request(f"{base}/accounts/login/", data=data.encode(), headers={"Referer": f"{base}/"})
    after = opener.open(request).read().decode()
    return "Je bent ingelogd als" in after, after


def test_the_lock_holds_across_two_processes_and_a_restart(tmp_path):
    env = _env(tmp_path)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    create = (
        "from inzage.accounts.models import User\n"
        f"for name in ('slachtoffer', 'buurman'):\n    User.objects.create_user(name, password={PASSWORD!r})\n"
    )
    subprocess.run([*manage, "shell", "-c", create], cwd=ROOT, env=env, check=True)
    ports = [_free_port(), _free_port()]
    servers = [_start(env, port) for port in ports]
    try:
        assert _sign_in(ports[0], "buurman", PASSWORD)[0]  # both work before
        for attempt in range(4):  # the limit (4) spread over both servers: neither alone reaches it
            ok, _page = _sign_in(ports[attempt % 2], "slachtoffer", "fout")
            assert not ok
        for port in ports:
            ok, page = _sign_in(port, "slachtoffer", PASSWORD)
            assert not ok
            assert "Te vaak een verkeerd wachtwoord voor dit account" in page
        servers[0].terminate()
        servers[0].wait(timeout=10)
        servers[0] = _start(env, ports[0])
        ok, page = _sign_in(ports[0], "slachtoffer", PASSWORD)
        assert not ok and "Te vaak een verkeerd wachtwoord" in page
        # Another account from the same address is not locked out.
        assert _sign_in(ports[1], "buurman", PASSWORD)[0]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
