"""Serve a page whose content is fixed for a cache key, rendered once: the shell (base.html) costs more to render
than the rest of a cached request.

What may differ between two requests for the same key, and how it is handled:
- the CSRF token (per session, masked per response): rendered as a placeholder, swapped for this request's token;
- messages (django.contrib.messages) and a query string (`request.get_full_path` in the language form): a request
  with either renders normally, uncached;
- the language and the account's fields the shell shows (`is_staff`, the name): the caller puts them in the key.
Templates served this way must not use the CSP nonce (a cached nonce would be reused).
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string


def csrf_placeholder() -> str:
    """Stands for the CSRF token in cached HTML. Derived from the secret key, so no typed text (a column name)
    can contain it, and equal in every app process that shares the cache."""
    return "csrf-" + hmac.new(settings.SECRET_KEY.encode(), b"cached-page-csrf", "sha256").hexdigest()[:32]


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def render_cached(
    request: HttpRequest, *, template: str, context: dict[str, Any], key: str, timeout: int
) -> HttpResponse:
    """The page rendered from `template` and `context`, reused for every request with the same `key`."""
    if request.GET or _has_messages(request):
        response = render(request, template, context)
        if isinstance(response.content, bytes) and csrf_placeholder().encode() in response.content:
            response.content = response.content.replace(csrf_placeholder().encode(), get_token(request).encode())
        return response
    cache = caches["default"]
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, {**context, "csrf_token": csrf_placeholder()}, request)
        cache.set(key, html, timeout=timeout)
    return HttpResponse(html.replace(csrf_placeholder(), get_token(request)))
