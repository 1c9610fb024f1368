"""The lesson and homework rows of the week and day views, rendered in Python.

A week holds 30 to 60 lessons; as `{% include %}`d templates their rows cost about half of the week page's server
time (each include pushes a context and resolves each variable through several lookups). The markup is the same as
the templates gave, every value escaped (`esc`: the standard library's escaping, as Django's `escape` without its
lazy-string wrapper, which with `format_html` cost several times as much per value), texts through gettext.
"""

from __future__ import annotations

import html

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from inzage.timetable.models import Homework, Lesson
from inzage.timetable.queries import HomeworkRow, LessonRow

register = template.Library()


def _badges(lesson: Lesson) -> list[tuple[str, str]]:
    """(css class, text) of the lesson's badges, in the order they are shown."""
    out = []
    if lesson.cancelled:
        text = _("Vervalt")
        out.append(("tt-badge-cancelled", f"{text}: {lesson.reason}" if lesson.reason else text))
    if lesson.kind == Lesson.Kind.EXTRA:
        out.append(("tt-badge-changed", _("Extra les")))
    if lesson.kind == Lesson.Kind.TEST:
        text = _("Toets")
        out.append(("tt-badge-test", f"{text}: {lesson.label}" if lesson.label else text))
    if lesson.room_changed and not lesson.cancelled:
        was = lesson.planned_room.code if lesson.planned_room else "–"
        out.append(("tt-badge-changed", _("Ander lokaal (was %(was)s)") % {"was": was}))
    if lesson.substituted and not lesson.cancelled:
        out.append(("tt-badge-changed", _("Vervangende docent")))
    if lesson.changed_same_day:
        out.append(("tt-badge-today", _("Vandaag gewijzigd")))
    return out


@register.simple_tag(takes_context=True)
def tt_lesson(context: template.Context, row: LessonRow) -> SafeString:
    """One lesson of a day: time and hour, subject (struck through when cancelled), room, teacher, badges, homework."""
    lesson = row.lesson
    classes = ["tt-lesson"]
    if lesson.cancelled:
        classes.append("tt-cancelled")
    if (lesson.changed_at and lesson.kind == Lesson.Kind.REGULAR) or lesson.room_changed or lesson.substituted:
        classes.append("tt-changed")
    if row.is_test:
        classes.append("tt-test")
    hour = (
        f' <span class="tt-hour">{esc(_("%(n)se uur") % {"n": lesson.slot_number})}</span>'
        if lesson.slot_number
        else ""
    )
    tag = "del" if lesson.cancelled else "span"
    badges = "".join(f'<li class="tt-badge {css}">{esc(text)}</li>' for css, text in _badges(lesson))
    homework = ""
    if row.homework:
        homework = f'<ul class="tt-homework-list">{"".join(tt_homework(context, h) for h in row.homework)}</ul>'
    return mark_safe(
        f'<li class="{" ".join(classes)}"><div class="tt-when"><span class="tt-time">'
        f"{localtime(lesson.starts_at):%H:%M}–{localtime(lesson.ends_at):%H:%M}</span>"
        f'{hour}</div><div class="tt-what"><{tag} class="tt-subject">{esc(lesson.group.subject.name)}</{tag}> '
        f'<span class="tt-room">{esc(lesson.room.code) if lesson.room else ""}</span> '
        f'<span class="tt-teacher">{esc(lesson.teacher.code)}</span></div>'
        f'<ul class="tt-badges">{badges}</ul>{homework}</li>'
    )


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


@register.simple_tag(takes_context=True)
def tt_homework(context: template.Context, h: HomeworkRow, show_group: bool = False) -> SafeString:
    """One homework item: its type, (the subject), the text with links and line breaks, and the student's own tick."""
    item = h.homework
    classes = "tt-homework tt-test" if item.kind == Homework.Kind.TEST else "tt-homework"
    group = f'<span class="tt-subject">{esc(item.group.subject.name)}</span> ' if show_group else ""
    text = linebreaksbr(urlize(item.text, autoescape=True), autoescape=False)  # urlize escapes the text around links
    tick = ""
    if h.done is not None:
        request = context.get("request")
        csrf = context.get("csrf_token")
        label = f"✓ {_('Klaar')}" if h.done else _("Markeer als klaar")
        tick = (
            f'<form method="post" action="{esc(reverse("timetable:homework_done", args=[item.pk]))}" class="tt-done">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf) if csrf else ""}">'
            f'<input type="hidden" name="next" value="{esc(request.path) if request is not None else ""}">'
            f'<input type="hidden" name="done" value="{"0" if h.done else "1"}">'
            f'<button type="submit" class="link-button" aria-pressed="{"true" if h.done else "false"}">'
            f"{esc(label)}</button></form>"
        )
    return mark_safe(  # every value is escaped (esc, urlize)
        f'<li class="{classes}"><span class="tt-badge tt-kind-{esc(item.kind)}">{esc(item.get_kind_display())}</span> '
        f'{group}<span class="tt-text">{text}</span>{tick}</li>'
    )
