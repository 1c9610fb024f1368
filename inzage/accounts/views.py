"""Account pages of Inzage's own (allauth provides sign-in, second factors, passkeys, SSO and the session list)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def second_factor_required(request: HttpRequest) -> HttpResponse:
    """Where a staff session without a second factor lands: set one up, or use the one you have."""
    has_authenticator = Authenticator.objects.filter(
        user=request.user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
    return render(request, "accounts/second_factor_required.html", {"has_authenticator": has_authenticator})
