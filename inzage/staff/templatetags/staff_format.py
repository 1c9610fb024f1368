"""Rendering helpers for the staff pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from inzage.staff.queries import ResultLine

register = template.Library()


@register.simple_tag
def result_items(lines: list[ResultLine]) -> SafeString:
    """The <li> rows of a subject's results. In Python rather than a template loop: a year holds ~300 results and
    the template engine's per-variable lookups were two thirds of the overview's server time (bench_overview)."""
    return format_html_join(
        "",
        '<li><span class="grade{}">{}</span> {} <span class="muted">{}</span></li>',
        ((" fail" if r.fail else "", r.grade, r.label, r.meta) for r in lines),
    )
