"""Dutch notation for grades (7,5) and dates (23-11-2026) in portal templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def nl_grade(result: Any) -> str:
    """A result as shown to people: 7,5 or the judgement or a status."""
    if result.status == "not_made":
        return _("inhalen")
    if result.status == "exempt":
        return _("vrijstelling")
    if result.status == "not_counting":
        # The way Dutch teachers use it: the grade stays visible and does not count (GradeSettings.not_counting_rule;
        # a school that hides it has the engine leave such results out for students and parents).
        if result.value is None:
            return _("telt niet mee")
        return _("%(grade)s (telt niet mee)") % {"grade": f"{result.value:.1f}".replace(".", ",")}
    if result.value is not None:
        return f"{result.value:.1f}".replace(".", ",")
    if result.judgement:
        return result.get_judgement_display()
    return _("verslag") if result.text else "–"


@register.filter
def nl_decimal(value: Any) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


@register.filter
def nl_average(value: Any) -> str:
    """An average with the decimals it was rounded to (the school's choice: 7 / 7,3 / 7,25)."""
    return "–" if value is None else format(value, "f").replace(".", ",")


@register.filter
def nl_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


@register.filter
def kind_label(value: str) -> str:
    """A data kind's name for people ("cijfers"), not its code ("grades"); unknown codes are shown as they are."""
    from inzage.visibility.kinds import DataKind

    try:
        return str(DataKind(value).label)
    except ValueError:
        return value
