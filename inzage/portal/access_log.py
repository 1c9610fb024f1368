"""The hook for the access log of student data (GDPR art. 15): every portal read calls `record_read`, also when the
page comes from the cache, so the log that lands later sees every read, not only the ones that hit the database."""

from __future__ import annotations

import datetime as dt


def record_read(*, user_id: int, student_id: int, kind: str, at: dt.datetime, cached: bool) -> None:
    """Record that an account read a kind of a student's data at an instant (nothing yet: the access log is to come).

    Keep it cheap on a cache hit (it runs on every request of the 17:00 rush): append to a buffer or a queue, not a
    synchronous INSERT per read.
    """
    return None
