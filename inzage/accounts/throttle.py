"""Sign-in throttling: failed password sign-ins counted per account and per client address, separately, in the
cache shared by every app server process (the "throttle" cache alias: Redis when REDIS_URL is set, otherwise a file
cache under var/ that the processes of one machine share and that survives a restart).

Why two counters: a handful of wrong passwords for one account locks that account's *password* sign-in (from every
address) for a while; the per-address limit is much higher, so a whole school behind one NAT address is not locked out
by a few typos, while one machine trying many accounts is. A passkey sign-in is not a password sign-in and keeps
working during an account lock, so a lock set by someone else does not shut the owner out.

Every sign-in form goes through Django's `authenticate()`: `ThrottleBackend` (first in AUTHENTICATION_BACKENDS)
refuses a locked account or address there, and the `user_login_failed` signal counts the failure. The forms ask
`lock_for()` first to show a clear message instead of "wrong password".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from allauth.account.signals import password_reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

CACHE_ALIAS = "throttle"


def _account_limit() -> int:
    return int(getattr(settings, "INZAGE_SIGNIN_ACCOUNT_LIMIT", 5))


def _address_limit() -> int:
    return int(getattr(settings, "INZAGE_SIGNIN_ADDRESS_LIMIT", 50))


def window_seconds() -> int:
    """How long a failure counts (fixed window from the first failure), and so how long a lock lasts at most."""
    return int(getattr(settings, "INZAGE_SIGNIN_WINDOW_SECONDS", 15 * 60))


@dataclass(frozen=True)
class Lock:
    """Why a sign-in is refused: "account" or "address"."""

    scope: str
    minutes: int


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"signin-failed:{scope}:{digest}"


def _account_value(username: str | None) -> str | None:
    if not username:
        return None
    # Usernames sign in case-insensitively: "Admin" and "admin" are one account, so one counter.
    return username.strip().casefold()


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as allauth sees it (honours ALLAUTH_TRUSTED_PROXY_COUNT behind nginx)."""
    if request is None:
        return None
    from allauth.core.internal.httpkit import get_client_ip

    try:
        return get_client_ip(request)
    except PermissionDenied:  # X-Forwarded-For does not match the trusted proxy count
        return None


def _count(scope: str, value: str | None) -> int:
    if value is None:
        return 0
    return int(caches[CACHE_ALIAS].get(_key(scope, value), 0))


def lock_for(*, request: HttpRequest | None, username: str | None) -> Lock | None:
    """The lock refusing a password sign-in for this account from this address now, or None."""
    minutes = max(1, window_seconds() // 60)
    if _count("account", _account_value(username)) >= _account_limit():
        return Lock(scope="account", minutes=minutes)
    if _count("address", client_address(request)) >= _address_limit():
        return Lock(scope="address", minutes=minutes)
    return None


def failure_record(*, request: HttpRequest | None, username: str | None) -> None:
    """Count one failed password sign-in for the account and for the address."""
    cache = caches[CACHE_ALIAS]
    for scope, value in (("account", _account_value(username)), ("address", client_address(request))):
        if value is None:
            continue
        key = _key(scope, value)
        # add() starts the window; incr() on Redis and locmem keeps the key's expiry (the file cache's is the
        # alias's TIMEOUT, set to the same window in settings).
        if not cache.add(key, 1, timeout=window_seconds()):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=window_seconds())


def counters_clear(*, username: str) -> None:
    """Lift an account's lock (an administrator who verified the person, or a completed password reset)."""
    value = _account_value(username)
    if value is not None:
        caches[CACHE_ALIAS].delete(_key("account", value))


class ThrottleBackend:
    """An authentication backend that authenticates nobody: it refuses (PermissionDenied stops Django's
    `authenticate()` at once) a password sign-in for a locked account or from a locked address."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **credentials: Any) -> None:
        if "password" not in credentials:
            return None
        if username is None:
            username = credentials.get("email") or credentials.get("login")
        if lock_for(request=request, username=username) is not None:
            raise PermissionDenied
        return None

    # No get_user(): a session is never this backend's, and Django's force_login/login pick the first backend that
    # has one (ModelBackend).


@receiver(password_reset, dispatch_uid="inzage.accounts.throttle.clear_after_reset")
def _clear_after_reset(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    # A completed reset proves control of the account's address: the owner may sign in with the new password at once
    # (the address counter stays: a machine trying many accounts is still held back).
    if user is not None:
        counters_clear(username=user.get_username())


@receiver(user_login_failed, dispatch_uid="inzage.accounts.throttle.count_failure")
def _count_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    if "password" not in credentials:
        return
    username = credentials.get("username") or credentials.get("email") or credentials.get("login")
    failure_record(request=request, username=username)
