"""Language choice: Dutch unless the person chose English with the language switch."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class DutchUnlessChosenMiddleware:
    """Drop the browser's Accept-Language so Django's LocaleMiddleware falls back to Dutch (LANGUAGE_CODE).

    Why: a Dutch school's pages are Dutch by default, also on a phone set to English; English is a choice made with
    the language switch, which Django keeps in its language cookie (read by LocaleMiddleware, after this one).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# Browser features no page of Inzage uses are switched off; WebAuthn (passkeys) stays on for this origin only.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "interest-cohort=(), browsing-topics=(), publickey-credentials-create=(self), publickey-credentials-get=(self)"
)


class SecurityHeadersMiddleware:
    """The security headers Django's own middleware does not set: Permissions-Policy and
    Cross-Origin-Resource-Policy (Django sets CSP, X-Content-Type-Options, Referrer-Policy, X-Frame-Options,
    Cross-Origin-Opener-Policy and, over HTTPS, Strict-Transport-Security)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
