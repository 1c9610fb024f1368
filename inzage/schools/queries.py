"""Reads of the school's organisation."""

from __future__ import annotations

import datetime as dt

from inzage.schools.models import School, SchoolYear


def school_year_on(*, school: School, day: dt.date) -> SchoolYear | None:
    """The school year containing the day, or None in the summer holiday between years."""
    return SchoolYear.objects.filter(school=school, start__lte=day, end__gte=day).first()
