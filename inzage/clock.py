"""The application's clock: the real time, or a settable one for tests and the load test.

`INZAGE_NOW` (an ISO instant with offset, e.g. `2026-03-02T16:59:30+01:00`) sets the clock: it reads that instant at
the wall time `INZAGE_NOW_AT` (unix seconds; default: when this process first read the clock) and runs forward in
real time from there. Several app processes given the same two values agree on the time, so a load test can run
across 17:00 in the demo school with every worker seeing the same moment.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from django.utils import timezone

_PROCESS_START = time.time()


def now() -> dt.datetime:
    """The current instant (timezone-aware): `django.utils.timezone.now()` unless `INZAGE_NOW` is set."""
    fixed = os.environ.get("INZAGE_NOW")
    if not fixed:
        return timezone.now()
    start = dt.datetime.fromisoformat(fixed)
    if start.tzinfo is None:
        raise ValueError("INZAGE_NOW needs an offset, e.g. 2026-03-02T16:59:30+01:00")
    at = os.environ.get("INZAGE_NOW_AT")
    origin = float(at) if at else _PROCESS_START
    return start + dt.timedelta(seconds=time.time() - origin)
