"""The PostgreSQL health check: no `SELECT 1` while the connection is sound, a new connection when the server ended
the old one. PostgreSQL only (the SQLite backend has no persistent connections to check)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import OperationalError, connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's persistent connections"),
]


@pytest.fixture
def wrapper() -> Iterator:
    """A second connection to the test database, outside the test's transaction, with health checks on."""
    other = type(connections["default"])(
        {**connection.settings_dict, "CONN_HEALTH_CHECKS": True}, "default"
    )  # its own dict
    other.ensure_connection()
    yield other
    other.close()


def _checks(wrapper, monkeypatch) -> list[bool]:
    """Count Django's own check (`is_usable`: the `SELECT 1`)."""
    calls: list[bool] = []
    usable = wrapper.is_usable

    def counted() -> bool:
        calls.append(result := usable())
        return result

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return calls


def _next_request_query(wrapper) -> int:
    wrapper.close_if_unusable_or_obsolete()  # what Django does between requests
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 42")
        return cursor.fetchone()[0]


def _terminate(wrapper) -> None:
    pid = wrapper.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    from inzage.dbbackends.postgresql.base import connection_is_quiet

    while connection_is_quiet(wrapper.connection) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_sound_connection_is_reused_without_a_select_1(wrapper, monkeypatch) -> None:
    checks = _checks(wrapper, monkeypatch)
    before = wrapper.connection
    for _ in range(3):
        assert _next_request_query(wrapper) == 42
    assert checks == []
    assert wrapper.connection is before


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(wrapper, monkeypatch) -> None:
    checks = _checks(wrapper, monkeypatch)
    before = wrapper.connection
    _terminate(wrapper)
    assert _next_request_query(wrapper) == 42  # no error: checked, closed, connected again
    assert checks == [False]
    assert wrapper.connection is not before


def test_without_the_check_the_request_fails(wrapper) -> None:
    """What the check is for: the same ended connection, unchecked, fails the request's first query."""
    wrapper.settings_dict["CONN_HEALTH_CHECKS"] = False
    wrapper.health_check_enabled = False
    _terminate(wrapper)
    with pytest.raises(OperationalError):
        _next_request_query(wrapper)
