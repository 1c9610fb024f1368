"""Caches and sessions: local memory by default, Redis when REDIS_URL is set, sessions with no query per request."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inzage.env import ConfigurationError, cache_settings

ROOT = Path(__file__).resolve().parent.parent
LOCAL_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _settings_in_fresh_process(env: dict[str, str], code: str) -> dict:
    """Run `code` after django.setup() in a new process with `env` and return the JSON it prints."""
    script = "import django, json; django.setup()\nfrom django.conf import settings\n" + code
    full_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
    full_env["DJANGO_SETTINGS_MODULE"] = "inzage.settings"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=full_env, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_without_redis_url_every_cache_is_local_memory():
    conf = cache_settings(redis_url="")
    assert set(conf) == {"default", "sessions"}
    assert {c["BACKEND"] for c in conf.values()} == {"django.core.cache.backends.locmem.LocMemCache"}
    # Django's default MAX_ENTRIES (300) would cull the sessions of a busy app server.
    assert conf["sessions"]["OPTIONS"]["MAX_ENTRIES"] >= 10_000


def test_with_redis_url_every_cache_is_redis_with_its_own_prefix():
    conf = cache_settings(redis_url="redis://127.0.0.1:6379/3")
    assert {c["BACKEND"] for c in conf.values()} == {"django.core.cache.backends.redis.RedisCache"}
    assert {c["LOCATION"] for c in conf.values()} == {"redis://127.0.0.1:6379/3"}
    assert conf["default"]["KEY_PREFIX"] != conf["sessions"]["KEY_PREFIX"]


def test_a_redis_url_that_is_not_one_fails_loudly():
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        cache_settings(redis_url="127.0.0.1:6379")


def test_settings_use_local_memory_and_cached_db_sessions_by_default():
    got = _settings_in_fresh_process(
        {},
        "print(json.dumps({'caches': {a: c['BACKEND'] for a, c in settings.CACHES.items()},"
        " 'engine': settings.SESSION_ENGINE, 'alias': settings.SESSION_CACHE_ALIAS}))",
    )
    assert got["caches"] == {
        "default": "django.core.cache.backends.locmem.LocMemCache",
        "sessions": "django.core.cache.backends.locmem.LocMemCache",
        # Sign-in failure counters must be shared by the app server processes (docs/identity.md).
        "throttle": "django.core.cache.backends.filebased.FileBasedCache",
    }
    assert got["engine"] == "django.contrib.sessions.backends.cached_db"
    assert got["alias"] == "sessions"


@pytest.mark.skipif(not _redis_reachable(LOCAL_REDIS), reason=f"no Redis reachable at {LOCAL_REDIS}")
def test_settings_select_redis_when_redis_url_is_set_and_talk_to_it():
    key = f"test-cache-settings-{uuid.uuid4().hex}"
    got = _settings_in_fresh_process(
        {"REDIS_URL": LOCAL_REDIS},
        "from django.core.cache import caches\n"
        f"key = {key!r}\n"
        "out = {}\n"
        "for alias in ('default', 'sessions', 'throttle'):\n"
        "    c = caches[alias]\n"
        "    c.set(key, alias, 30)\n"
        "    out[alias] = [type(c).__name__, c.get(key)]\n"
        "    c.delete(key)\n"
        "    out[alias].append(c.get(key))\n"
        "print(json.dumps(out))",
    )
    # Each alias wrote to and read back from the real server, under its own prefix, and the key is gone again.
    assert got == {
        "default": ["RedisCache", "default", None],
        "sessions": ["RedisCache", "sessions", None],
        "throttle": ["RedisCache", "throttle", None],
    }


@pytest.fixture
def parent_client(client, personas):
    client.force_login(personas.user("parent"))
    return client


def _session_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]


def test_a_warm_request_reads_the_session_without_a_query(parent_client, personas):
    url = reverse("portal:grades", kwargs={"student_id": personas.student.pk})
    assert parent_client.get(url).status_code == 200  # warms the session cache
    with CaptureQueriesContext(connection) as captured:
        response = parent_client.get(url)
    assert response.status_code == 200
    assert _session_queries(captured) == []


def test_a_session_survives_the_loss_of_the_process_cache(parent_client, personas):
    url = reverse("portal:grades", kwargs={"student_id": personas.student.pk})
    assert parent_client.get(url).status_code == 200
    caches["sessions"].clear()  # a restarted app server, or an evicted/flushed cache
    with CaptureQueriesContext(connection) as captured:
        response = parent_client.get(url)
    assert response.status_code == 200  # still signed in: read back from the database
    assert len(_session_queries(captured)) == 1
    with CaptureQueriesContext(connection) as captured:
        assert parent_client.get(url).status_code == 200
    assert _session_queries(captured) == []  # and the cache holds it again
