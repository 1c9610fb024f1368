"""Planning and sending notices (writes). See docs/notifications.md.

Planning asks the engine when each of a student's items becomes visible to each person who may follow the student
(`transitions`), and writes one `Notice` per (person, kind, item) — the idempotency key — due at that instant or at
the person's digest moment. Sending claims due notices with a lease, asks the engine again at send time (a person
who lost access in between gets nothing), sends one e-mail per person, and marks the notices sent. A worker that dies
before sending leaves its lease to expire; the next worker takes the notices over, so nothing is lost or sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from inzage.accounts.models import User
from inzage.notifications.models import (
    FOLLOWED_KINDS,
    Audience,
    Frequency,
    Notice,
    PlanState,
    Preference,
    SchoolDefault,
)
from inzage.notifications.sources import SOURCES
from inzage.people.models import GuardianRelation, Student
from inzage.schools.calendar import SchoolCalendar
from inzage.visibility.models import DataVersion
from inzage.visibility.policy.engine import context_for
from inzage.visibility.policy.facts import viewer_for
from inzage.visibility.policy.transitions import transitions

log = logging.getLogger(__name__)

HORIZON = dt.timedelta(days=21)  # how far ahead the planner looks; it plans again before that runs out
LEASE = dt.timedelta(minutes=2)  # a worker's claim on notices it is sending
QUIET_START, QUIET_END = 21, 7  # no notices between 21:00 and 07:00 (school's local time)
BATCH = 500

# Without a person's choice or a school default: students hear at once; parents get a weekly digest of grades
# (Friday 17:00; checking every grade as it comes is what schools try to stop) and hear of a report at once.
BUILT_IN_DEFAULTS: dict[tuple[str, str], tuple[str, int, int]] = {
    (Audience.STUDENT, "grades"): (Frequency.IMMEDIATE, 17, 4),
    (Audience.STUDENT, "period_report"): (Frequency.IMMEDIATE, 17, 4),
    (Audience.GUARDIAN, "grades"): (Frequency.WEEKLY, 17, 4),
    (Audience.GUARDIAN, "period_report"): (Frequency.IMMEDIATE, 17, 4),
}

UNSUBSCRIBE_SALT = "inzage.notifications.unsubscribe"


@dataclass(frozen=True)
class Choice:
    frequency: str
    hour: int
    weekday: int


def choices_for(
    *, user_ids: Iterable[int], school_id: int, audience_of: dict[int, str]
) -> dict[tuple[int, str], Choice]:
    """Each (account, kind)'s frequency: the person's own choice, else the school's default, else the built-in one."""
    ids = list(user_ids)
    own = {(p.user_id, p.kind): p for p in Preference.objects.filter(user_id__in=ids)}
    school = {(d.audience, d.kind): d for d in SchoolDefault.objects.filter(school_id=school_id)}
    out: dict[tuple[int, str], Choice] = {}
    for user_id in ids:
        audience = audience_of[user_id]
        for kind in FOLLOWED_KINDS:
            row = own.get((user_id, kind)) or school.get((audience, kind))
            if row is not None:
                out[(user_id, kind)] = Choice(row.frequency, row.hour, row.weekday)
            else:
                f, h, w = BUILT_IN_DEFAULTS[(audience, kind)]
                out[(user_id, kind)] = Choice(f, h, w)
    return out


def due_moment(*, cal: SchoolCalendar, visible_at: dt.datetime, choice: Choice) -> dt.datetime | None:
    """When a notice for an item visible from `visible_at` goes out: at once (outside quiet hours), at the next daily
    digest hour, or at the next weekly digest; None when the person turned the kind off."""
    local = visible_at.astimezone(cal.timezone)
    if choice.frequency == Frequency.OFF:
        return None
    if choice.frequency == Frequency.IMMEDIATE:
        if local.hour >= QUIET_START:
            local = (local + dt.timedelta(days=1)).replace(hour=QUIET_END, minute=0, second=0, microsecond=0)
        elif local.hour < QUIET_END:
            local = local.replace(hour=QUIET_END, minute=0, second=0, microsecond=0)
        return _aware(cal, local)
    at = local.replace(hour=choice.hour, minute=0, second=0, microsecond=0)
    if choice.frequency == Frequency.DAILY:
        if at < local:
            at += dt.timedelta(days=1)
        return _aware(cal, at)
    days = (choice.weekday - at.weekday()) % 7
    at += dt.timedelta(days=days)
    if at < local:
        at += dt.timedelta(days=7)
    return _aware(cal, at)


def _aware(cal: SchoolCalendar, local: dt.datetime) -> dt.datetime:
    # Re-attach the zone to the wall-clock time (an added day may cross a summer-time change).
    return dt.datetime.combine(local.date(), local.time(), tzinfo=cal.timezone)


def followers(student: Student, *, on: dt.date) -> dict[int, str]:
    """Accounts that may follow the student: the student and every guardian with a current relation (the engine
    decides per item what each of them sees; a relation without rights simply yields no visible items)."""
    out: dict[int, str] = {}
    if student.user_id:
        out[student.user_id] = Audience.STUDENT
    for rel in GuardianRelation.objects.filter(student=student).select_related("guardian"):
        if rel.guardian.user_id and rel.is_current_on(on):
            out[rel.guardian.user_id] = Audience.GUARDIAN
    return out


def notices_plan_student(*, student: Student, start: dt.datetime, end: dt.datetime) -> int:
    """Plan the notices for what becomes visible of the student in (start, end]. Returns the number written.

    The caller holds nothing; the engine decides each moment. Idempotent: planning the same span again changes
    nothing (one notice per person and item; a pending notice moves to an earlier moment if one is found).
    """
    cal = SchoolCalendar.load(student.school)
    people = followers(student, on=cal.local_date(end))
    if not people:
        return 0
    choices = choices_for(user_ids=people, school_id=student.school_id, audience_of=people)
    items = {kind: source(student.pk) for kind, source in SOURCES.items()}
    users = {u.pk: u for u in User.objects.filter(pk__in=people)}
    planned = []
    for user_id in people:
        viewer = viewer_for(users[user_id])
        for kind, kind_items in items.items():
            choice = choices[(user_id, kind)]
            if choice.frequency == Frequency.OFF or not kind_items:
                continue
            for t in transitions(viewer=viewer, student_id=student.pk, items=kind_items, start=start, end=end):
                due = due_moment(cal=cal, visible_at=t.at, choice=choice)
                if due is None:
                    continue
                planned.append(
                    Notice(
                        school_id=student.school_id,
                        user_id=user_id,
                        student_id=student.pk,
                        kind=kind,
                        item_id=t.item.id,
                        subject_name=t.item.subject_name,
                        visible_at=t.at,
                        due_at=due,
                        frequency=choice.frequency,
                    )
                )
    if not planned:
        return 0
    # Why a transaction: the new notices and the moved ones are one plan; a crash leaves the previous plan whole.
    with transaction.atomic():
        existing = {
            (n.user_id, n.kind, n.item_id): n
            for n in Notice.objects.select_for_update().filter(
                student_id=student.pk, item_id__in={n.item_id for n in planned}
            )
        }
        fresh = []
        for n in planned:
            old = existing.get((n.user_id, n.kind, n.item_id))
            if old is None:
                fresh.append(n)
                existing[(n.user_id, n.kind, n.item_id)] = n
            elif old.status == Notice.Status.PENDING and old.pk and n.due_at < old.due_at:
                Notice.objects.filter(pk=old.pk).update(due_at=n.due_at, visible_at=n.visible_at)
        Notice.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def notices_plan_due(*, now: dt.datetime, school_ids: Iterable[int] | None = None) -> int:
    """Plan every student whose data changed since their last plan, or whose plan runs out within half the horizon.

    A student seen for the first time is planned from `now` (nobody is told about the past)."""
    plans = PlanState.objects.all()
    counters = DataVersion.objects.filter(scope__in=[DataVersion.Scope.STUDENT, DataVersion.Scope.SCHOOL])
    students = Student.objects.select_related("school")
    if school_ids is not None:
        wanted = list(school_ids)
        plans, counters = plans.filter(school_id__in=wanted), counters.filter(school_id__in=wanted)
        students = students.filter(school_id__in=wanted)
    states = {s.student_id: s for s in plans}
    versions = {(v.scope, v.object_id): v.counter for v in counters}
    written = 0
    for student in students.filter(Q(leave_date__isnull=True) | Q(leave_date__gte=now.date())):
        counter = versions.get((DataVersion.Scope.STUDENT, student.pk), 0)
        school_counter = versions.get((DataVersion.Scope.SCHOOL, student.school_id), 0)
        state = states.get(student.pk)
        if state is None:
            start = now
        elif (
            state.counter == counter
            and state.school_counter == school_counter
            and state.planned_until - now > HORIZON / 2
        ):
            continue
        else:
            # From the last plan's start: a write since then may have made something visible in between.
            start = min(state.planned_from, now)
        end = now + HORIZON
        written += notices_plan_student(student=student, start=start, end=end)
        PlanState.objects.update_or_create(
            student_id=student.pk,
            defaults={
                "school_id": student.school_id,
                "counter": counter,
                "school_counter": school_counter,
                "planned_from": now,
                "planned_until": end,
            },
        )
    return written


def _claim(*, now: dt.datetime) -> list[Notice]:
    # Why a transaction: the claim (lease) and the selection must be one step, or two workers take the same notices.
    with transaction.atomic():
        rows = list(
            Notice.objects.select_for_update(skip_locked=True)
            .filter(status=Notice.Status.PENDING, due_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("due_at", "pk")[:BATCH]
        )
        if rows:
            Notice.objects.filter(pk__in=[n.pk for n in rows]).update(claimed_until=now + LEASE)
    return rows


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """The (account, kind) an unsubscribe link stands for, or None for a broken or forged link."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in FOLLOWED_KINDS or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["k"]


def preference_set(*, user: User, kind: str, frequency: str, hour: int = 17, weekday: int = 4) -> Preference:
    """Set one person's choice for one kind (the caller checked the values). Pending notices follow the new choice
    at their send time only as far as 'off' goes: an 'off' drops them."""
    pref, _ = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"frequency": frequency, "hour": hour, "weekday": weekday}
    )
    if frequency == Frequency.OFF:
        Notice.objects.filter(user=user, kind=kind, status=Notice.Status.PENDING).update(
            status=Notice.Status.DROPPED, dropped_reason="turned_off"
        )
    return pref


def notices_mark_read(*, user: User, at: dt.datetime) -> None:
    """Mark every sent notice of the account as read (the caller is that account)."""
    Notice.objects.filter(user=user, status=Notice.Status.SENT, read_at__isnull=True).update(read_at=at)


def notices_send_due(*, now: dt.datetime) -> int:
    """Send what is due: one e-mail per person with each of their due notices, re-checked with the engine now.

    Returns the number of notices sent. Run by the task worker (`inzage.notifications.tasks`)."""
    sent = 0
    while True:
        rows = _claim(now=now)
        if not rows:
            return sent
        by_user: dict[int, list[Notice]] = defaultdict(list)
        for n in rows:
            by_user[n.user_id].append(n)
        users = {u.pk: u for u in User.objects.filter(pk__in=by_user)}
        for user_id, notices in by_user.items():
            sent += _send_one(user=users[user_id], notices=notices, now=now)


def _send_one(*, user: User, notices: list[Notice], now: dt.datetime) -> int:
    viewer = viewer_for(user)
    items = {}
    for kind, source in SOURCES.items():
        for student_id in {n.student_id for n in notices if n.kind == kind}:
            for it in source(student_id):
                items[(kind, student_id, it.id)] = it
    still, gone = [], []
    for n in notices:
        item = items.get((n.kind, n.student_id, n.item_id))
        if item is None:
            gone.append(n)
            continue
        decision = context_for(viewer=viewer, student_id=n.student_id, at=now).decide(item)
        if decision.visible:
            still.append(n)
        else:
            later = decision.visible_from
            if later is not None and later > now:
                Notice.objects.filter(pk=n.pk).update(due_at=later, claimed_until=None)
            else:
                gone.append(n)
    if gone:
        Notice.objects.filter(pk__in=[n.pk for n in gone]).update(
            status=Notice.Status.DROPPED, dropped_reason="not_visible", claimed_until=None
        )
    if not still:
        return 0
    if not user.email:
        Notice.objects.filter(pk__in=[n.pk for n in still]).update(
            status=Notice.Status.SENT, sent_at=now, claimed_until=None, message_id="portal-only"
        )
        return len(still)
    message = _message(user=user, notices=still)
    Notice.objects.filter(pk__in=[n.pk for n in still]).update(attempts=F("attempts") + 1)
    message.send()
    Notice.objects.filter(pk__in=[n.pk for n in still]).update(
        status=Notice.Status.SENT, sent_at=now, claimed_until=None, message_id=message.extra_headers["Message-ID"]
    )
    return len(still)


def _text(notice: Notice, first_names: dict[int, str]) -> str:
    from django.utils.translation import gettext as _

    who = first_names.get(notice.student_id, "")
    if notice.kind == "grades":
        if notice.subject_name:
            return _("Er is een nieuw cijfer voor %(subject)s zichtbaar (%(who)s).") % {
                "subject": notice.subject_name,
                "who": who,
            }
        return _("Er is een nieuw cijfer zichtbaar (%(who)s).") % {"who": who}
    return _("Er is een nieuw rapport zichtbaar (%(who)s).") % {"who": who}


def _message(*, user: User, notices: list[Notice]) -> EmailMultiAlternatives:
    base = settings.INZAGE_BASE_URL.rstrip("/")
    first_names = {s.pk: s.first_name for s in Student.objects.filter(pk__in={n.student_id for n in notices})}
    kinds = sorted({n.kind for n in notices})
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        lines = [
            {"text": _text(n, first_names), "url": base + reverse("portal:grades", args=[n.student_id])}
            for n in sorted(notices, key=lambda n: (n.visible_at, n.pk))
        ]
        unsubscribe = {
            kind: base + reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user.pk, kind=kind)])
            for kind in kinds
        }
        context = {
            "user": user,
            "lines": lines,
            "unsubscribe": unsubscribe,
            "settings_url": base + reverse("notifications:settings"),
        }
        subject = render_to_string("notifications/email_subject.txt", context).strip()
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    # The idempotency key of the first notice names the message, so a receiver can recognise a retry.
    message_id = f"<notice-{min(n.pk for n in notices)}-{user.pk}@{settings.INZAGE_MAIL_DOMAIN}>"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{unsubscribe[kinds[0]]}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
