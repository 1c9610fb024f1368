"""What the start page shows about the signed-in account (its own person rows only; no other student's data)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from inzage.accounts.models import User


def home_context(*, user: User | AnonymousUser) -> dict[str, Any]:
    if not user.is_authenticated:
        return {"roles": []}
    roles: list[str] = []
    if hasattr(user, "student"):
        roles.append("student")
    if hasattr(user, "guardian"):
        roles.append("guardian")
    if hasattr(user, "staff"):
        roles.append("staff")
    return {"roles": roles}
