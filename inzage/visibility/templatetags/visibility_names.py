"""Names for people instead of internal codes on the school's visibility pages."""

from django import template
from django.utils.translation import get_language

from inzage.visibility.policy.messages import KIND_NAMES

register = template.Library()


@register.filter
def kind_name(kind: str) -> str:
    """A data kind's name ("grades" → "cijfers"); an unknown kind stays as it is."""
    nl, en = KIND_NAMES.get(str(kind), (str(kind), str(kind)))
    return en if (get_language() or "nl").startswith("en") else nl
