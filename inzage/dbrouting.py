"""Read replica routing: which reads may go to the streaming replica, and which must see the primary.

Enabled only when DATABASE_REPLICA_URL is set (see the end of settings.py); without it every query uses "default".
The rule is an allow-list, so that anything not thought about reads the primary (fail towards fresh data):

- a read may go to the replica only inside a request that ReadReplicaMiddleware marked read-only: a GET or HEAD of
  the start page or of a portal page (`/mijn/...`), from a browser not pinned to the primary (below);
- never inside a transaction on the primary (the transaction may have written, or locks rows it reads);
- never after a write in the same request: the first write (any `db_for_write`) turns the replica off for the rest of
  the request, so what the request reads next includes what it wrote;
- read your writes across requests: every request that wrote, and every unsafe method (POST, ...) whether it wrote or
  not, sets a short cookie that pins that browser to the primary for REPLICA_PIN_SECONDS. A parent who just changed
  consent is redirected to a GET that reads the primary, whatever the replica's lag. The cookie holds no secret: a
  forged one only makes its owner read the primary.

Management commands, tasks and tests run outside a marked request and so use the primary.

A replica that cannot be reached is not used: when connecting to it fails, the process reads the primary for
REPLICA_RETRY_SECONDS and then tries again, so a standby that is down or restarting costs speed, not pages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA_DB_ALIAS = "replica"
PIN_COOKIE = "inzage_primary"
# Pages whose GETs only read: the start page and the portal. The teacher's and the admin's pages stay on the primary
# (a teacher checks what they just saved; their load is small next to the parents' at 17:00).
READ_ONLY_PATHS_EXACT = frozenset({"/"})
READ_ONLY_PATH_PREFIXES = ("/mijn/",)
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class _RequestState:
    replica_allowed: bool
    wrote: bool = False


logger = logging.getLogger(__name__)

# Per request (per thread or task): granian runs WSGI requests on several threads of one worker.
_request_state: ContextVar[_RequestState | None] = ContextVar("inzage_db_request_state", default=None)


class _ReplicaHealth:
    """Per process: until when the replica is skipped after a failed connect (epoch seconds)."""

    skip_until: float = 0.0


def replica_usable(*, now: float) -> bool:
    """Whether this thread has, or can open, a connection to the replica; a failure skips it for a while."""
    if now < _ReplicaHealth.skip_until:
        return False
    try:
        connections[REPLICA_DB_ALIAS].ensure_connection()  # a no-op once connected (persistent connections)
    except DatabaseError:
        _ReplicaHealth.skip_until = now + float(getattr(settings, "REPLICA_RETRY_SECONDS", 5))
        logger.warning("The read replica cannot be reached; reading the primary for now.", exc_info=True)
        return False
    return True


def pin_seconds() -> int:
    """How long a browser that wrote reads from the primary only (setting REPLICA_PIN_SECONDS)."""
    return int(getattr(settings, "REPLICA_PIN_SECONDS", 10))


def is_pinned(request: HttpRequest, *, now: float) -> bool:
    """Whether the browser carries an unexpired read-your-writes pin (the cookie's value is its expiry, epoch s)."""
    raw = request.COOKIES.get(PIN_COOKIE, "")
    try:
        return float(raw) > now
    except ValueError:
        return False


def is_read_only_request(request: HttpRequest) -> bool:
    """Whether the request is one whose reads may come from the replica (method and path only)."""
    if request.method not in SAFE_METHODS:
        return False
    return request.path_info in READ_ONLY_PATHS_EXACT or request.path_info.startswith(READ_ONLY_PATH_PREFIXES)


class ReadReplicaMiddleware:
    """Marks read-only requests for ReplicaRouter, and pins a browser to the primary after it wrote.

    Must come first in MIDDLEWARE, so that the session and user lookups are routed too, and so that a session saved
    on the way out counts as a write of this request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        state = _RequestState(replica_allowed=is_read_only_request(request) and not is_pinned(request, now=now))
        token = _request_state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request_state.reset(token)
        if state.wrote or request.method not in SAFE_METHODS:
            seconds = pin_seconds()
            response.set_cookie(
                PIN_COOKIE,
                str(int(now) + seconds + 1),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


class ReplicaRouter:
    """Sends the reads of a marked read-only request to the replica; everything else to the primary ("default")."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        state = _request_state.get()
        if state is None or not state.replica_allowed or state.wrote:
            # Explicitly the primary: returning None would let Django follow an instance hint to the replica.
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not replica_usable(now=time.time()):
            return DEFAULT_DB_ALIAS
        return REPLICA_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _request_state.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # The replica is a copy of the primary: an object read from one may point at an object read from the other.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        # The replica replays the primary's WAL; it cannot be written to, so never migrate it.
        return db == DEFAULT_DB_ALIAS
