"""The signed-in account, kept in the session and checked against the account's version counter on every request.

Django's `AuthenticationMiddleware` reads the account row (one query) on every request and checks the session's
password hash against it. On the 17:00 rush that query is a third of the database round trips of a cached page. Here
the session keeps a copy of the account's fields (not the password) together with the account's version counter
(`inzage.visibility.versions`, scope "user") at the moment the copy was made, and each request reads that counter
instead of the row — in the same query as the counters the page needs anyway (`versions.request_versions`).

Why this is as strict as reading the row:
- every write of an account moves its counter in the same transaction: `save()` and `delete()` through the signals
  (`versions.TRACKED["accounts.User"]`: the admin, `set_password`, allauth's password change, `update_last_login`),
  and `QuerySet.update()`/`bulk_update` through `UserQuerySet.update`. So a deactivated account, a new password, a
  changed `is_staff`/`is_superuser`, name or school takes effect on the next request: the counter differs, and the
  request takes Django's own path (the row, `is_active` through the backend, the password hash check, a flush of the
  session when it fails);
- the counter is read before the row, so a copy is never kept with a counter newer than its data;
- the copy also names the session's password hash and backend as they were checked: a session whose hash was
  changed (`update_session_auth_hash`, a rotated secret's fallback) is checked again;
- the copy lives in the session store (the database and the cache, never the cookie), which only the server writes.
Raw SQL writes to the account table move no counter; there are none (see docs/performance.md).

A copy leaves the password, `last_login` and `date_joined` deferred: reading one of them loads it from the database,
and `save()` of such an account writes only the fields it holds.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from inzage.accounts.models import User
from inzage.visibility.versions import Scope, request_versions, versions_read

COPY_KEY = "_inzage_account"
# The fields a copy holds, in the model's order; the rest are deferred.
COPY_FIELDS = (
    "id",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "school_id",
    "preferred_language",
)
_ATTNAMES = [f.attname for f in User._meta.concrete_fields]
assert [name for name in _ATTNAMES if name in COPY_FIELDS] == list(COPY_FIELDS), "COPY_FIELDS in the model's order"
_SHAPE = ",".join(COPY_FIELDS)  # a copy of another shape (made by older code) is not used
_SCHOOL = COPY_FIELDS.index("school_id")


def session_user(request: HttpRequest) -> Any:
    """The request's account: from the session's copy when the account's counter has not moved since it was made,
    else through Django's `auth.get_user` (the row and the password hash check), keeping a fresh copy."""
    session = request.session
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return AnonymousUser()
    stored = session.get(COPY_KEY)
    copy: dict[str, Any] = stored if isinstance(stored, dict) else {}
    usable = (
        copy.get("shape") == _SHAPE
        and copy.get("id") == str(user_id)
        and copy.get("backend") == session.get(BACKEND_SESSION_KEY)
        and copy.get("backend") in settings.AUTHENTICATION_BACKENDS
        and copy.get("hash") == session.get(HASH_SESSION_KEY)
    )
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:  # a damaged session: Django's path deals with it as it does
        return auth.get_user(request)
    keys = [(Scope.USER, pk)]
    if usable:
        keys.append((Scope.SCHOOL, copy["values"][_SCHOOL] or 0))
    counter = request_versions(request, keys)[(Scope.USER, pk)]  # before the row
    if usable and copy.get("counter") == counter:
        return User.from_db(DEFAULT_DB_ALIAS, COPY_FIELDS, copy["values"])
    user = auth.get_user(request)
    if user.is_authenticated and str(user.pk) == str(session.get(SESSION_KEY)):
        _keep_copy(request, user=user, counter=counter)
    return user


def _keep_copy(request: HttpRequest, *, user: User, counter: int) -> None:
    """Keep the account, checked by Django's path, in the session with the counter read before its row."""
    request.session[COPY_KEY] = {
        "shape": _SHAPE,
        "id": str(user.pk),
        "backend": request.session.get(BACKEND_SESSION_KEY),
        "hash": request.session.get(HASH_SESSION_KEY),
        "counter": counter,
        "values": [getattr(user, name) for name in COPY_FIELDS],
    }


def copy_at_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """On `user_logged_in` (after `update_last_login`): keep the copy now, so that the first request after signing
    in writes no session. The counter is read first, then the row again, and the copy is kept only when that row
    still passes Django's checks for this session (active, same password hash)."""
    if request is None or not hasattr(request, "session") or not isinstance(user, User):
        return
    counter = versions_read([(Scope.USER, user.pk)])[(Scope.USER, user.pk)]
    fresh = User._default_manager.filter(pk=user.pk, is_active=True).first()
    if fresh is None or not constant_time_compare(
        fresh.get_session_auth_hash(), request.session.get(HASH_SESSION_KEY) or ""
    ):
        request.session.pop(COPY_KEY, None)
        return
    _keep_copy(request, user=fresh, counter=counter)


def _cached_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = session_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class SessionAccountMiddleware(AuthenticationMiddleware):
    """Django's `AuthenticationMiddleware`, with the account served from the session's checked copy (above)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)  # its checks (a session middleware before it), and `request.auser`
        request.user = SimpleLazyObject(partial(_cached_user, request))  # type: ignore[assignment]
