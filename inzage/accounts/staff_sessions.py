"""Staff sessions: shorter than a parent's, and only with a second factor.

At sign-in (every path: the form, a passkey, SSO, and `force_login` in tests) the session records whether the account
is staff and when it signed in, so the middleware can decide without a query per request. A staff session:
- ends INZAGE_STAFF_SESSION_SECONDS after sign-in (default 9 hours: a school day), whatever "stay signed in" said;
- with INZAGE_STAFF_MFA_REQUIRED on (the default outside the test suite), reaches nothing but the account pages until
  this session used a second factor (TOTP, a recovery code, a passkey) or came through an identity provider the
  school marked as doing MFA itself (`"inzage_mfa": true` in the provider app's settings). An SSO sign-in through an
  unmarked provider is one factor: it gets the same demand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.account.signals import user_logged_in as allauth_user_logged_in
from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect

from inzage.accounts.adapter import provider_does_mfa

SESSION_STAFF = "inzage_staff"
SESSION_SIGNED_IN_AT = "inzage_signed_in_at"
SESSION_SSO_MFA = "inzage_sso_mfa"

# Paths a staff session without a second factor may still reach: the account pages (set up or use a second factor,
# sign out, sessions), static files and the language switch.
OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/")


def is_staff_account(user: Any) -> bool:
    """Staff: a staff member's account, or any account with access to the Django admin."""
    if user.is_staff or user.is_superuser:
        return True
    from inzage.people.models import Staff

    return Staff.objects.filter(user_id=user.pk).exists()


def staff_session_seconds() -> int:
    return int(getattr(settings, "INZAGE_STAFF_SESSION_SECONDS", 9 * 3600))


def mfa_required() -> bool:
    return bool(getattr(settings, "INZAGE_STAFF_MFA_REQUIRED", True))


@receiver(user_logged_in, dispatch_uid="inzage.accounts.staff_sessions.mark")
def _mark_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    staff = is_staff_account(user)
    request.session[SESSION_STAFF] = staff
    request.session[SESSION_SIGNED_IN_AT] = int(time.time())
    request.session.pop(SESSION_SSO_MFA, None)
    if staff:
        request.session.set_expiry(staff_session_seconds())


@receiver(allauth_user_logged_in, dispatch_uid="inzage.accounts.staff_sessions.sso")
def _mark_sso(sender: Any, request: HttpRequest, user: Any, sociallogin: Any = None, **kwargs: Any) -> None:
    if sociallogin is not None and provider_does_mfa(sociallogin):
        request.session[SESSION_SSO_MFA] = sociallogin.account.provider
    if request.session.get(SESSION_STAFF):
        # allauth's "stay signed in" choice is applied after the sign-in itself; a staff session stays short.
        request.session.set_expiry(staff_session_seconds())


def session_has_second_factor(request: HttpRequest) -> bool:
    """Whether this session used a second factor (or a provider marked as doing MFA) since it signed in."""
    if request.session.get(SESSION_SSO_MFA):
        return True
    methods = request.session.get("account_authentication_methods", [])
    return any(m.get("method") == "mfa" for m in methods)


class StaffSessionMiddleware:
    """Ends staff sessions past their age and keeps staff without a second factor away from student data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The session says whether it is signed in and whether it is a staff session: the account itself is not
        # loaded here, so that the view reads its counters with the account's in one query (session_account.py).
        signed_in = hasattr(request, "session") and SESSION_KEY in request.session
        if signed_in and SESSION_STAFF not in request.session:
            # A session from before this rule (or made without a sign-in signal): decide once, fail closed.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                request.session[SESSION_STAFF] = is_staff_account(user)
        if signed_in and request.session.get(SESSION_STAFF):
            signed_in_at = request.session.get(SESSION_SIGNED_IN_AT)
            if signed_in_at is not None and time.time() - signed_in_at > staff_session_seconds():
                logout(request)
                return redirect_to_login(request.get_full_path())
            if mfa_required() and not request.path.startswith(OPEN_PREFIXES) and not session_has_second_factor(request):
                if request.method not in ("GET", "HEAD"):
                    return HttpResponseForbidden()
                return redirect("accounts:second_factor_required")
        return self.get_response(request)
