"""The start page. Portal pages (student, parent, teacher, mentor) live in their own packages as they arrive."""

import hashlib
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from inzage.clock import now
from inzage.visibility.policy import request_viewer
from inzage.visibility.versions import Scope, request_versions
from inzage.web.page_shell import render_cached
from inzage.web.queries import home_context, staff_start_links

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Changes with the templates, so a deploy never serves a cached page of the old shape.
HOME_CODE_VERSION = hashlib.sha256(
    b"".join((_TEMPLATES / name).read_bytes() for name in ("web/home.html", "base.html"))
).hexdigest()[:12]


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see the sign-in invitation; signed-in people see who they are here as."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "web/home.html", home_context(user=user))
    # The account's counter as this request read it to check the account (one query for both).
    version = request_versions(request, [(Scope.USER, user.pk)])[(Scope.USER, user.pk)]
    context = home_context(user=user, version=version)
    # The page shows the account's roles (behind the account's counter), its name and is_staff (the account as this
    # request checked it, inzage.accounts.session_account: they are in the key).
    if "staff" in context["roles"]:
        # Staff pages are not part of the 17:00 rush: their links are worked out from the staff rows every time.
        context["staff_links"] = staff_start_links(viewer=request_viewer(request), at=now())
    # Labels too: a link's label can carry a count (attendance: "… (2 lessen nog niet geregistreerd)").
    links = "\0".join(f"{label}\1{url}" for label, url in context.get("staff_links", []))
    shown = f"{user.get_full_name()}\0{user.get_username()}\0{user.is_staff}\0{links}"
    digest = hashlib.sha256(shown.encode()).hexdigest()[:16]
    key = f"web:home:{HOME_CODE_VERSION}:{user.pk}:{get_language()}:{context['version']}:{digest}"
    return render_cached(request, template="web/home.html", context=context, key=key, timeout=86400)
