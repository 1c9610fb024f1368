"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is sound.

With persistent connections (`CONN_MAX_AGE`) and `CONN_HEALTH_CHECKS`, Django checks a reused connection at the
first query of every request with `SELECT 1`: on a cached page that is one of its two round trips to PostgreSQL.
Here the check first looks at the connection's socket without waiting (`poll` with timeout 0). A sound idle
connection has nothing to read: PostgreSQL sends nothing unasked between queries (no LISTEN is used). A connection
the server ended (a restart, `pg_terminate_backend`, an idle timeout) has its farewell message or the end of the
stream waiting, so its socket is readable; then, and when the state is anything but an idle, open connection,
Django's own check (`SELECT 1`) runs and a dead connection is replaced before the request uses it.

What this does not see, Django's check would not save either: a peer gone without closing the socket (the
`SELECT 1` would wait for the TCP timeout) and a server ending the connection after the check.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and connection_is_quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def connection_is_quiet(connection: object) -> bool:
    """Whether a psycopg connection is open, idle outside a transaction, and has nothing waiting on its socket."""
    try:
        pgconn = connection.pgconn  # type: ignore[attr-defined]
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
        return not poller.poll(0)
    except Exception:  # no socket, a closed connection, no poll on this platform: let Django's check decide
        return False
