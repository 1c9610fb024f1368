"""The period's absence figures on a report: the extension point for the attendance package.

Attendance is built in parallel. When a package `inzage.attendance` is installed and its module
`inzage.attendance.reports` defines

    def period_absence(*, student_ids: list[int], period: Period) -> dict[int, dict[str, int]]: ...

its figures (keys from `ABSENCE_LABELS`, whole numbers) are frozen into each student's report at publication and
printed on it. Without it a report has no absence block (the row's `absence` is null), never a row of zeros that
would read as "never absent".
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.apps import apps

from inzage.schools.models import Period

ATTENDANCE_APP = "inzage.attendance"
PROVIDER = "inzage.attendance.reports"

# The figures a report prints, in this order (Dutch labels); other keys from the provider are kept but not printed.
ABSENCE_LABELS = {
    "absent_lessons": "Lessen afwezig",
    "authorised_lessons": "waarvan geoorloofd",
    "unauthorised_lessons": "waarvan ongeoorloofd",
    "late": "Te laat gekomen",
    "removed": "Uit de les verwijderd",
}


def period_absence(*, student_ids: list[int], period: Period) -> dict[int, dict[str, Any]]:
    """The provider's figures per student for the period, or {} when the school has no attendance package."""
    if not apps.is_installed(ATTENDANCE_APP) or importlib.util.find_spec(PROVIDER) is None:
        # The attendance package without a report provider (yet): no figures rather than a 500 on publishing.
        return {}
    provider = importlib.import_module(PROVIDER)  # an error inside an existing provider is raised, not hidden
    figures = provider.period_absence(student_ids=student_ids, period=period)
    return {sid: dict(f) for sid, f in figures.items() if sid in set(student_ids) and f is not None}


def absence_lines(figures: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) lines of frozen figures for a report; [] when the report has none."""
    if not figures:
        return []
    return [(label, str(figures[key])) for key, label in ABSENCE_LABELS.items() if key in figures]
