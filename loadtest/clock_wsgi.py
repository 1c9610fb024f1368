"""Load test only: the app's WSGI application on a clock that runs from a chosen instant (`make loadtest-1700`).

LOADTEST_CLOCK="<ISO instant>@<unix time>" makes the app see that instant at that real moment, and the clock run on
from there at the real rate. Every worker computes the same offset, so they agree on "now". It replaces
`django.utils.timezone.now` before Django loads anything: the portal views ask `timezone.now()` for the instant they
pass to the policy, so no app code changes. Never used by `make run` or in production.
"""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone

_instant, _, _real = os.environ["LOADTEST_CLOCK"].partition("@")
OFFSET = dt.datetime.fromisoformat(_instant) - dt.datetime.fromtimestamp(float(_real), tz=dt.UTC)
_real_now = timezone.now


def shifted_now() -> dt.datetime:
    """The real time plus the load test's offset."""
    return _real_now() + OFFSET


timezone.now = shifted_now

from inzage.wsgi import application  # noqa: E402  (after the clock is set, so every import sees it)

__all__ = ["application"]
