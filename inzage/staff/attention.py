"""Signals worth a conversation, from the grades a viewer may see: pure functions, no database.

The thresholds are the mentor's rules of thumb, not law: a pass is 5,5 (`shared/domain.md` §5); three or more
failing subject averages; a falling line is the mean of the last three numeric grades at least one point below the
mean of the three before them (six grades are needed before the line says anything).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext

PASS = Decimal("5.5")
MANY_FAILS = 3
TREND_WINDOW = 3
TREND_DROP = Decimal("1.0")


def is_fail(value: Decimal | None) -> bool:
    """A grade below a pass (< 5,5); no number is no fail."""
    return value is not None and value < PASS


def trend(values: Sequence[Decimal]) -> str:
    """ "down", "up" or "" for grades in date order: the last three against the three before (one point or more)."""
    if len(values) < 2 * TREND_WINDOW:
        return ""
    last = sum(values[-TREND_WINDOW:], Decimal(0)) / TREND_WINDOW
    before = sum(values[-2 * TREND_WINDOW : -TREND_WINDOW], Decimal(0)) / TREND_WINDOW
    if before - last >= TREND_DROP:
        return "down"
    if last - before >= TREND_DROP:
        return "up"
    return ""


def dated_values(rows: Iterable[tuple[dt.date, int, Decimal | None]]) -> list[Decimal]:
    """The numeric grades of (date, id, value) rows in date order (id breaks ties, so the order is stable)."""
    return [value for _, _, value in sorted(rows, key=lambda r: (r[0], r[1])) if value is not None]


def signals(*, failing_subjects: int, values_in_order: Sequence[Decimal]) -> list[str]:
    """The Dutch signals for one student, most serious first."""
    out: list[str] = []
    if failing_subjects >= MANY_FAILS:
        out.append(gettext("%(n)s vakken onvoldoende") % {"n": failing_subjects})
    if trend(values_in_order) == "down":
        out.append(gettext("dalende lijn in de laatste cijfers"))
    return out
