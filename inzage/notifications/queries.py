"""Reads for the notifications pages; each takes the viewer and the instant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from inzage.accounts.models import User
from inzage.notifications.actions import Choice, choices_for, notice_text, notice_url
from inzage.notifications.models import Audience, Notice
from inzage.people.models import Student
from inzage.visibility.policy.facts import Viewer
from inzage.visibility.queries import portal_students

KIND_LABELS = {
    "grades": _("Nieuwe cijfers"),
    "period_report": _("Rapporten"),
    "homework": _("Huiswerk en toetsen"),
    "cancellation": _("Lesuitval vandaag en morgen"),
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class Line:
    text: str
    sent_at: dt.datetime
    unread: bool
    student_id: int
    url: str


@dataclass(frozen=True)
class Listing:
    lines: list[Line]
    unread: int


def notices_for(*, viewer: Viewer, user: User, at: dt.datetime) -> Listing:
    """The account's sent notices, newest first, for students the account still reaches now (three queries)."""
    reachable = {s.pk: s.first_name for s in portal_students(viewer=viewer, at=at)}
    rows = list(
        Notice.objects.filter(user=user, status=Notice.Status.SENT, student_id__in=list(reachable)).order_by(
            "-sent_at", "-pk"
        )[:PAGE_SIZE]
    )
    lines = [
        Line(notice_text(n, reachable), n.sent_at or n.due_at, n.read_at is None, n.student_id, notice_url(n))
        for n in rows
    ]
    return Listing(lines=lines, unread=sum(1 for line in lines if line.unread))


def choices_of(*, user: User) -> dict[str, Choice]:
    audience = Audience.STUDENT if Student.objects.filter(user=user).exists() else Audience.GUARDIAN
    school_id = user.school_id or 0
    found = choices_for(user_ids=[user.pk], school_id=school_id, audience_of={user.pk: audience})
    return {kind: choice for (_, kind), choice in found.items()}


def school_defaults(*, school_id: int) -> dict[tuple[str, str], Choice]:
    """The defaults in force per (audience, kind): the school's own rows, else the built-in ones (one query)."""
    from inzage.notifications.actions import BUILT_IN_DEFAULTS
    from inzage.notifications.models import SchoolDefault

    rows = {(d.audience, d.kind): d for d in SchoolDefault.objects.filter(school_id=school_id)}
    out: dict[tuple[str, str], Choice] = {}
    for key, (frequency, hour, weekday) in BUILT_IN_DEFAULTS.items():
        row = rows.get(key)
        out[key] = Choice(row.frequency, row.hour, row.weekday) if row else Choice(frequency, hour, weekday)
    return out
