"""Sign-in rules: accounts are created by the school, never by self-service sign-up; password sign-in is throttled
per account and per address (inzage.accounts.throttle); an SSO sign-in only reaches an account the school made."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django import forms
from django.http import HttpRequest
from django.shortcuts import render
from django.utils.translation import ngettext

from inzage.accounts import throttle


def lock_message(lock: throttle.Lock) -> str:
    """The Dutch refusal shown next to the sign-in form while a lock holds."""
    if lock.scope == "account":
        return ngettext(
            "Te vaak een verkeerd wachtwoord voor dit account. Probeer het over %(minutes)d minuut opnieuw, "
            "of log in met je passkey.",
            "Te vaak een verkeerd wachtwoord voor dit account. Probeer het over %(minutes)d minuten opnieuw, "
            "of log in met je passkey.",
            lock.minutes,
        ) % {"minutes": lock.minutes}
    return ngettext(
        "Te veel mislukte inlogpogingen vanaf dit adres. Probeer het over %(minutes)d minuut opnieuw.",
        "Te veel mislukte inlogpogingen vanaf dit adres. Probeer het over %(minutes)d minuten opnieuw.",
        lock.minutes,
    ) % {"minutes": lock.minutes}


class SchoolAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """The school creates every account (students, guardians, staff); nobody signs up alone."""
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refuse a locked account or address with a clear message before the password is even checked."""
        lock = throttle.lock_for(request=request, username=credentials.get("username") or credentials.get("email"))
        if lock is not None:
            raise forms.ValidationError(lock_message(lock))
        super().pre_authenticate(request, **credentials)


class SchoolSocialAccountAdapter(DefaultSocialAccountAdapter):
    """School identity providers (OpenID Connect, SAML) sign people in to accounts the school already made."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        """Connect a first SSO sign-in to the school's account with that e-mail address, if the provider's app is
        trusted to link by e-mail (`"inzage_link_by_email": true` in its settings) and exactly one active account
        of the app's school has it; otherwise a sign-in is refused with a page that says why (sign-up is closed)."""
        if sociallogin.is_existing:
            return
        self._link_by_email(request, sociallogin)
        if not sociallogin.is_existing and sociallogin.state.get("process") in (None, AuthProcess.LOGIN):
            raise ImmediateHttpResponse(render(request, "accounts/sso_unknown.html", status=403))

    def _link_by_email(self, request: HttpRequest, sociallogin: Any) -> None:
        app = sociallogin.provider.app
        app_settings = (app.settings or {}) if app is not None else {}
        if not app_settings.get("inzage_link_by_email"):
            return
        email = (sociallogin.user.email or "").strip()
        if not email:
            return
        from inzage.accounts.models import User

        candidates = User.objects.filter(email__iexact=email, is_active=True)
        school_id = app_settings.get("inzage_school_id")
        if school_id is not None:
            candidates = candidates.filter(school_id=school_id)
        matches = list(candidates[:2])
        if len(matches) == 1:
            sociallogin.connect(request, matches[0])


def provider_does_mfa(sociallogin: Any) -> bool:
    """Whether the school marked this identity provider as enforcing a second factor itself."""
    app = getattr(sociallogin.provider, "app", None) if sociallogin is not None else None
    return bool(app is not None and (app.settings or {}).get("inzage_mfa"))
