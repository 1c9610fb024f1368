"""SQLite as settings.py configures it (a file, as `make run` serves it): a second writer whose transaction read
before the first one committed waits for its turn instead of failing with "database is locked". Runs on every
test database (it opens its own SQLite file), so CI keeps the SQLite settings honest while the suite itself uses
SQLite in memory or PostgreSQL."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db.utils import ConnectionHandler


def _sqlite(path, options):
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options}}
    )
    return handler["default"]


def _read_then_write(conn, value: int, *, started: threading.Event | None, go_on: threading.Event | None) -> None:
    """One grid-save-shaped transaction: BEGIN as Django's atomic() does, read, (pause), write, commit."""
    conn.ensure_connection()
    conn._start_transaction_under_autocommit()  # what transaction.atomic() runs first on SQLite
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        if started is not None:
            started.set()
        if go_on is not None:
            go_on.wait(5)
        cursor.execute("INSERT INTO t (v) VALUES (%s)", [value])
    conn.commit()


def _two_overlapping_writers(path, options) -> list[str]:
    setup = _sqlite(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v integer)")
    setup.close()
    first_started, second_may_write = threading.Event(), threading.Event()
    failures: list[str] = []

    def first() -> None:
        conn = _sqlite(path, options)
        try:
            _read_then_write(conn, 1, started=first_started, go_on=second_may_write)
        except Exception as err:
            failures.append(f"first: {err}")
        finally:
            conn.close()

    def second() -> None:
        conn = _sqlite(path, options)
        try:
            first_started.wait(5)
            timer = threading.Timer(0.3, second_may_write.set)  # the first commits while the second is waiting
            timer.start()
            _read_then_write(conn, 2, started=None, go_on=None)
        except Exception as err:
            failures.append(f"second: {err}")
            second_may_write.set()
        finally:
            conn.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    check = _sqlite(path, options)
    with check.cursor() as cursor:
        cursor.execute("SELECT v FROM t ORDER BY v")
        stored = [row[0] for row in cursor.fetchall()]
    check.close()
    return failures or ([] if stored == [1, 2] else [f"stored {stored}"])


def test_a_second_sqlite_writer_waits_for_the_first_instead_of_failing(tmp_path, django_db_blocker) -> None:
    with django_db_blocker.unblock():  # its own SQLite file, not the test database
        failures = _two_overlapping_writers(tmp_path / "db.sqlite3", dict(settings.SQLITE_OPTIONS))
    assert failures == []


def test_without_immediate_transactions_the_same_writers_fail(tmp_path, django_db_blocker) -> None:
    """The control: with SQLite's default (DEFERRED) both transactions read, the second writes and commits, and the
    first one's write is refused at once, whatever the timeout."""
    options = {**settings.SQLITE_OPTIONS, "transaction_mode": None}
    with django_db_blocker.unblock():
        failures = _two_overlapping_writers(tmp_path / "db.sqlite3", options)
    assert failures and "database is locked" in failures[0]
