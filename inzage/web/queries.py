"""What the start page shows about the signed-in account (its own person rows only; no other student's data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.urls import reverse
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.reports import access as reports_access
from inzage.staff.links import start_links
from inzage.visibility.policy import Viewer
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


def home_context(*, user: User | AnonymousUser, version: int | None = None) -> dict[str, Any]:
    """The account's roles and the account's version counter (moved when a person row gets or loses the account,
    `inzage.visibility.versions`); the roles are cached with the counter: no query when warm and the caller gives
    the counter as the request read it (`versions.request_versions`), else one."""
    if not user.is_authenticated:
        return {"roles": [], "version": None}
    assert isinstance(user, User)
    if version is None:
        version = versions_read([(Scope.USER, user.pk)])[(Scope.USER, user.pk)]  # before the rows: cached_pages
    key = f"web:roles:{user.pk}"
    cache = caches["default"]
    entry = cache.get(key)
    if entry is not None and entry[0] == version:
        return {"roles": entry[1], "version": version}
    roles = account_roles(user=user)
    cache.set(key, (version, roles), timeout=86400)
    return {"roles": roles, "version": version}


def staff_start_links(*, viewer: Viewer, at: dt.datetime) -> list[tuple[str, str]]:
    """(label, URL) of every page this staff member may open from the start page, and no other: a link that would
    end in "not found" is a bug (tested per persona). The role pages come from `inzage.staff.links`."""
    if viewer.staff_id is None:
        return []
    links: list[tuple[str, str]] = []
    if viewer.group_ids or viewer.has_role("administrator"):
        links.append((_("Mijn lesgroepen en cijferinvoer"), reverse("teacher:home")))
    links += [(_(label), url) for label, url in start_links(viewer=viewer, at=at)]
    if reports_access.may_publish_any(viewer=viewer):
        links.append((_("Rapporten publiceren"), reverse("reports:classes")))
    if viewer.mentor_class_ids or viewer.has_role("mentor", "coordinator", "administrator"):
        links.append((_("Wat ziet wie? (uitleg)"), reverse("visibility:explain")))
    links.append((_("Tijdlijn van de inzage"), reverse("visibility:timeline")))
    if viewer.has_role("administrator"):
        links.append((_("Inzagebeleid"), reverse("visibility:policy")))
    return links
