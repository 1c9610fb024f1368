"""Reads of the timetable. Every function that returns student data takes the viewer and the instant.

`lessons_for` is the plain lesson API other packages build on (attendance registers per `Lesson.pk`): it applies no
policy, so callers that show lessons of a student to a person go through `visible_lessons` instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from inzage.timetable.models import Lesson


def lessons_for(
    *,
    start: dt.date,
    end: dt.date,
    school_id: int | None = None,
    group_ids: Iterable[int] | None = None,
    teacher_id: int | None = None,
    include_withdrawn: bool = False,
) -> QuerySet[Lesson]:
    """The concrete lessons between two dates (inclusive), of some groups and/or a teacher, cancelled ones included
    (see `Lesson.status`); withdrawn lessons only when asked. Ordered by start. No policy: see module docstring."""
    qs = Lesson.objects.filter(date__gte=start, date__lte=end)
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    if group_ids is not None:
        qs = qs.filter(group_id__in=list(group_ids))
    if teacher_id is not None:
        qs = qs.filter(teacher_id=teacher_id)
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    return qs.select_related("group", "group__subject", "teacher", "room").order_by("starts_at", "group_id")
