"""What the start page shows about the signed-in account (its own person rows only; no other student's data)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches

from inzage.accounts.models import User
from inzage.visibility.versions import Scope, versions_read


def account_roles(*, user: User) -> list[str]:
    """The person rows behind an account: student, guardian, staff (three queries; see `home_context` for cached)."""
    roles: list[str] = []
    if hasattr(user, "student"):
        roles.append("student")
    if hasattr(user, "guardian"):
        roles.append("guardian")
    if hasattr(user, "staff"):
        roles.append("staff")
    return roles


def home_context(*, user: User | AnonymousUser) -> dict[str, Any]:
    """The account's roles and the account's version counter (moved when a person row gets or loses the account,
    `inzage.visibility.versions`); the roles are cached with the counter: one query when warm instead of three."""
    if not user.is_authenticated:
        return {"roles": [], "version": None}
    assert isinstance(user, User)
    versions = versions_read([(Scope.USER, user.pk)])  # before the rows: see inzage.portal.cached_pages
    version = versions[(Scope.USER, user.pk)]
    key = f"web:roles:{user.pk}"
    cache = caches["default"]
    entry = cache.get(key)
    if entry is not None and entry[0] == version:
        return {"roles": entry[1], "version": version}
    roles = account_roles(user=user)
    cache.set(key, (version, roles), timeout=86400)
    return {"roles": roles, "version": version}
