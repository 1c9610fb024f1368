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
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import mailers
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from inzage.accounts.models import User
from inzage.notifications.mail import NoticeMail
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
from inzage.visibility.policy.engine import Item, context_for
from inzage.visibility.policy.facts import follower_viewers
from inzage.visibility.policy.transitions import transitions

log = logging.getLogger(__name__)

HORIZON = dt.timedelta(days=21)  # how far ahead the planner looks; it plans again before that runs out
LEASE = dt.timedelta(minutes=2)  # a worker's claim on notices it is sending
QUIET_START, QUIET_END = 21, 7  # no notices between 21:00 and 07:00 (school's local time)
BATCH = 500
DATED_KINDS = frozenset({"homework", "cancellation"})  # their notices link to the item's day
MAIL_CONNECTIONS = 4  # SMTP connections a worker sends a batch over at once
_WORKER_DONE = object()  # a sending thread's last word

# Without a person's choice or a school default: students hear at once; parents get a weekly digest of grades
# (Friday 17:00; checking every grade as it comes is what schools try to stop) and hear of a report at once.
BUILT_IN_DEFAULTS: dict[tuple[str, str], tuple[str, int, int]] = {
    (Audience.STUDENT, "grades"): (Frequency.IMMEDIATE, 17, 4),
    (Audience.STUDENT, "period_report"): (Frequency.IMMEDIATE, 17, 4),
    (Audience.GUARDIAN, "grades"): (Frequency.WEEKLY, 17, 4),
    (Audience.GUARDIAN, "period_report"): (Frequency.IMMEDIATE, 17, 4),
    # Homework: the student's own business; a parent who wants it chooses it.
    (Audience.STUDENT, "homework"): (Frequency.IMMEDIATE, 17, 4),
    (Audience.GUARDIAN, "homework"): (Frequency.OFF, 17, 4),
    # A cancelled lesson today or tomorrow: everyone at once (the quiet hours still hold).
    (Audience.STUDENT, "cancellation"): (Frequency.IMMEDIATE, 17, 4),
    (Audience.GUARDIAN, "cancellation"): (Frequency.IMMEDIATE, 17, 4),
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


def _followers(students: list[Student], *, first: dt.date, last: dt.date) -> dict[int, dict[int, str]]:
    """Per student, the accounts that may follow them: the student and every guardian with a relation in force on
    some day of [first, last] (one query). The engine decides per item and instant what each of them sees; a
    relation without rights simply yields no visible items."""
    out: dict[int, dict[int, str]] = {s.pk: {} for s in students}
    for s in students:
        if s.user_id:
            out[s.pk][s.user_id] = Audience.STUDENT
    relations = (
        GuardianRelation.objects.filter(student_id__in=list(out), guardian__user_id__isnull=False)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=last))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("student_id", "guardian__user_id")
    )
    for student_id, user_id in relations:
        out[student_id].setdefault(user_id, Audience.GUARDIAN)
    return out


def _items_of(student_ids: Iterable[int], since: dt.date) -> dict[str, dict[int, list[Item]]]:
    ids = list(student_ids)
    return {kind: source.items(ids, since) for kind, source in SOURCES.items()}


def notices_plan_students(
    *, spans: dict[int, tuple[dt.datetime, dt.datetime]], students: list[Student], cal: SchoolCalendar
) -> int:
    """Plan the notices for what becomes visible of each student in their span (start, end]; returns the number
    written. The students are of one school (`cal`'s); a constant number of queries for the whole batch.

    The caller holds nothing; the engine decides each moment. Idempotent: planning the same span again changes
    nothing (one notice per person and item; a pending notice moves to an earlier moment if one is found).
    """
    if not students:
        return 0
    first = cal.local_date(min(start for start, _ in spans.values()))
    last = cal.local_date(max(end for _, end in spans.values()))
    people = _followers(students, first=first, last=last)
    audience_of = {user_id: a for found in people.values() for user_id, a in found.items()}
    if not audience_of:
        return 0
    choices = choices_for(user_ids=audience_of, school_id=students[0].school_id, audience_of=audience_of)
    items = _items_of((s.pk for s in students), first)
    viewers = follower_viewers(pairs=[(u, sid) for sid, found in people.items() for u in found])
    planned: list[Notice] = []
    for student in students:
        start, end = spans[student.pk]
        for user_id in people[student.pk]:
            viewer = viewers.get(user_id)
            if viewer is None:  # an inactive account hears nothing
                continue
            for kind, by_student in items.items():
                kind_items = by_student.get(student.pk)
                choice = choices[(user_id, kind)]
                if choice.frequency == Frequency.OFF or not kind_items:
                    continue
                relevant = SOURCES[kind].relevant
                for t in transitions(viewer=viewer, student_id=student.pk, items=kind_items, start=start, end=end):
                    not_before, not_after = relevant(t.item, cal) if relevant else (None, None)
                    # Never before the engine's moment; a kind may wait until it is news (the day before a lesson).
                    told = max(t.at, not_before) if not_before else t.at
                    due = due_moment(cal=cal, visible_at=told, choice=choice)
                    if due is None or (not_after is not None and due >= not_after):
                        continue
                    planned.append(
                        Notice(
                            school_id=student.school_id,
                            user_id=user_id,
                            student_id=student.pk,
                            kind=kind,
                            item_id=t.item.id,
                            subject_name=t.item.subject_name,
                            item_date=t.item.date if kind in DATED_KINDS else None,
                            visible_at=t.at,
                            due_at=due,
                            frequency=choice.frequency,
                        )
                    )
            viewer.contexts.clear()  # a guardian of several students: keep the facts, not every instant's context
    if not planned:
        return 0
    # Why a transaction: the new notices and the moved ones are one plan; a crash leaves the previous plan whole.
    with transaction.atomic():
        existing = {
            (n.user_id, n.kind, n.item_id, n.student_id): n
            for n in Notice.objects.select_for_update()
            .filter(student_id__in=list(spans), item_id__in={n.item_id for n in planned})
            .only("pk", "user_id", "kind", "item_id", "student_id", "status", "due_at")
        }
        fresh = []
        for n in planned:
            key = (n.user_id, n.kind, n.item_id, n.student_id)
            old = existing.get(key)
            if old is None:
                fresh.append(n)
                existing[key] = n
            elif old.status == Notice.Status.PENDING and old.pk and n.due_at < old.due_at:
                Notice.objects.filter(pk=old.pk).update(due_at=n.due_at, visible_at=n.visible_at)
        Notice.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=BATCH)
    return len(fresh)


def notices_plan_student(*, student: Student, start: dt.datetime, end: dt.datetime) -> int:
    """Plan one student's notices for (start, end] (see `notices_plan_students`)."""
    return notices_plan_students(
        spans={student.pk: (start, end)}, students=[student], cal=SchoolCalendar.load(student.school)
    )


def notices_plan_due(*, now: dt.datetime, school_ids: Iterable[int] | None = None) -> int:
    """Plan every student whose data changed since their last plan, or whose plan runs out within half the horizon,
    in batches of `BATCH` students (a window opening for a whole school is a few dozen batches).

    A student seen for the first time is planned from `now` (nobody is told about the past)."""
    plans = PlanState.objects.all()
    counters = DataVersion.objects.filter(scope__in=[DataVersion.Scope.STUDENT, DataVersion.Scope.SCHOOL])
    students = Student.objects.select_related("school").order_by("school_id", "pk")
    if school_ids is not None:
        wanted = list(school_ids)
        plans, counters = plans.filter(school_id__in=wanted), counters.filter(school_id__in=wanted)
        students = students.filter(school_id__in=wanted)
    states = {s.student_id: s for s in plans}
    versions = {(v.scope, v.object_id): v.counter for v in counters}
    end = now + HORIZON
    due: dict[int, list[tuple[Student, dt.datetime, int, int]]] = defaultdict(list)
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
        due[student.school_id].append((student, start, counter, school_counter))
    written = 0
    for rows in due.values():
        cal = SchoolCalendar.load(rows[0][0].school)
        for i in range(0, len(rows), BATCH):
            batch = rows[i : i + BATCH]
            spans = {s.pk: (start, end) for s, start, _c, _sc in batch}
            # Why a transaction: the plan and the record of how far it reaches are one step; a crash in between
            # plans the batch again next tick (idempotent), never skips it.
            with transaction.atomic():
                written += notices_plan_students(spans=spans, students=[s for s, *_ in batch], cal=cal)
                PlanState.objects.bulk_create(
                    [
                        PlanState(
                            student_id=s.pk,
                            school_id=s.school_id,
                            counter=c,
                            school_counter=sc,
                            planned_from=now,
                            planned_until=end,
                        )
                        for s, _start, c, sc in batch
                    ],
                    update_conflicts=True,
                    unique_fields=["student"],
                    update_fields=["school", "counter", "school_counter", "planned_from", "planned_until"],
                )
    return written


def _claim(*, now: dt.datetime, lease_until: dt.datetime) -> list[Notice]:
    """Up to `BATCH` people's due notices, each person's all at once (one e-mail each, not one per batch edge)."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=lease_until - LEASE)
    due = Notice.objects.filter(status=Notice.Status.PENDING, due_at__lte=now).filter(free)
    # Why a transaction: the claim (lease) and the selection must be one step, or two workers take the same notices.
    with transaction.atomic():
        users = list(dict.fromkeys(due.order_by("due_at", "pk").values_list("user_id", flat=True)[: BATCH * 4]))
        rows = list(due.select_for_update(skip_locked=True).filter(user_id__in=users[:BATCH]).order_by("user_id", "pk"))
        if rows:
            Notice.objects.filter(pk__in=[n.pk for n in rows]).update(claimed_until=lease_until)
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


def school_default_set(
    *, school_id: int, audience: str, kind: str, frequency: str, hour: int = 17, weekday: int = 4
) -> SchoolDefault:
    """Set the school's default for one audience and kind (the caller checked that the account is an administrator
    of this school, and the values). People with a choice of their own keep it; notices already planned keep their
    moment (the next change to a student plans with the new default)."""
    row, _ = SchoolDefault.objects.update_or_create(
        school_id=school_id,
        audience=audience,
        kind=kind,
        defaults={"frequency": frequency, "hour": hour, "weekday": weekday},
    )
    return row


def notices_mark_read(*, user: User, at: dt.datetime) -> None:
    """Mark every sent notice of the account as read (the caller is that account)."""
    Notice.objects.filter(user=user, status=Notice.Status.SENT, read_at__isnull=True).update(read_at=at)


def notices_send_due(*, now: dt.datetime) -> int:
    """Send what is due: one e-mail per person with each of their due notices, re-checked with the engine now.

    Returns the number of notices sent. Run by the task worker (`inzage.notifications.tasks`). Works in batches of
    `BATCH` people over one SMTP connection each; every message is marked sent as soon as the server accepted it.
    """
    sent = 0
    started = time.monotonic()
    while True:
        # The lease runs from the tick's instant plus the time this run has taken: a long run (a whole school at
        # 07:00) still holds a lease into the future when it claims its last batch.
        lease_until = now + dt.timedelta(seconds=time.monotonic() - started) + LEASE
        rows = _claim(now=now, lease_until=lease_until)
        if not rows:
            return sent
        sent += _send_batch(rows=rows, now=now)


def _send_batch(*, rows: list[Notice], now: dt.datetime) -> int:
    by_user: dict[int, list[Notice]] = defaultdict(list)
    for n in rows:
        by_user[n.user_id].append(n)
    users = {u.pk: u for u in User.objects.filter(pk__in=list(by_user))}
    viewers = follower_viewers(pairs={(n.user_id, n.student_id) for n in rows})
    student_ids = {n.student_id for n in rows}
    items = {
        (kind, sid, it.id): it
        # The day before: a lesson of today is still news at 07:00, and the school's "today" may lag UTC's.
        for kind, by_student in _items_of(student_ids, (now - dt.timedelta(days=1)).date()).items()
        for sid, kind_items in by_student.items()
        for it in kind_items
    }
    first_names = dict(Student.objects.filter(pk__in=list(student_ids)).values_list("pk", "first_name"))
    calendars = {sid: SchoolCalendar.load(sid) for sid in {n.school_id for n in rows}}
    gone: list[int] = []
    later: dict[dt.datetime, list[int]] = defaultdict(list)
    still: dict[int, list[Notice]] = {}
    for user_id, notices in by_user.items():
        viewer = viewers.get(user_id)
        for n in notices:
            item = items.get((n.kind, n.student_id, n.item_id))
            if item is None or viewer is None or user_id not in users:
                gone.append(n.pk)
                continue
            relevant = SOURCES[n.kind].relevant
            if relevant is not None and (until := relevant(item, calendars[n.school_id])[1]) and now >= until:
                gone.append(n.pk)  # no longer news (the lesson's day is over)
                continue
            decision = context_for(viewer=viewer, student_id=n.student_id, at=now).decide(item)
            if decision.visible:
                still.setdefault(user_id, []).append(n)
            elif decision.visible_from is not None and decision.visible_from > now:
                later[decision.visible_from].append(n.pk)
            else:
                gone.append(n.pk)
    if gone:
        Notice.objects.filter(pk__in=gone).update(
            status=Notice.Status.DROPPED, dropped_reason="not_visible", claimed_until=None
        )
    for due, pks in later.items():
        Notice.objects.filter(pk__in=pks).update(due_at=due, claimed_until=None)
    portal_only = [n.pk for user_id, notices in still.items() if not users[user_id].email for n in notices]
    if portal_only:
        Notice.objects.filter(pk__in=portal_only).update(
            status=Notice.Status.SENT, sent_at=now, claimed_until=None, message_id="portal-only"
        )
    mailed = {user_id: notices for user_id, notices in still.items() if users[user_id].email}
    if not mailed:
        return len(portal_only)
    Notice.objects.filter(pk__in=[n.pk for notices in mailed.values() for n in notices]).update(
        attempts=F("attempts") + 1
    )
    jobs = (
        (_message(user=users[u], notices=notices, first_names=first_names), notices) for u, notices in mailed.items()
    )
    return len(portal_only) + _deliver(jobs=jobs, count=len(mailed), now=now)


def _deliver(*, jobs: Iterable[tuple[NoticeMail, list[Notice]]], count: int, now: dt.datetime) -> int:
    """Send the messages over `MAIL_CONNECTIONS` connections at once (an SMTP exchange is four round trips; in
    parallel they overlap, and with the building of the next messages) and mark each message's notices sent once
    the server accepted it.

    Only this thread touches the database; the sending threads only talk SMTP. Accepted messages are marked in one
    commit per group (what was accepted while the previous group was written): a crash resends at most that group
    (their Message-IDs are stable) and loses nothing, as an unmarked notice keeps its lease and the next worker
    takes it over when the lease runs out. A failing server stops the batch: what was accepted is marked, the rest
    waits for its lease."""
    todo: queue.Queue[tuple[NoticeMail, list[Notice]] | None] = queue.Queue()
    done: queue.Queue[Any] = queue.Queue()  # a sent job, an error, or _WORKER_DONE
    stop = threading.Event()

    def send() -> None:
        try:
            with mailers.default as connection:
                while (job := todo.get()) is not None and not stop.is_set():
                    connection.send_messages([job[0]])
                    done.put(job)
        except BaseException as error:  # handed to the calling thread, which raises it
            stop.set()
            done.put(error)
        finally:
            done.put(_WORKER_DONE)

    workers = min(MAIL_CONNECTIONS, count)
    threads = [threading.Thread(target=send, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    state = {"sent": 0, "running": workers}
    failures: list[BaseException] = []

    def mark(*, wait: bool) -> None:
        results = [done.get()] if wait else []
        while not done.empty():
            results.append(done.get_nowait())
        accepted = []
        for result in results:
            if result is _WORKER_DONE:
                state["running"] -= 1
            elif isinstance(result, BaseException):
                failures.append(result)
            else:
                accepted.append(result)
        if not accepted:
            return
        # Why a transaction: one commit for the group (a commit per message was most of the send time on SQLite).
        with transaction.atomic():
            for message, notices in accepted:
                Notice.objects.filter(pk__in=[n.pk for n in notices]).update(
                    status=Notice.Status.SENT,
                    sent_at=now,
                    claimed_until=None,
                    message_id=message.extra_headers["Message-ID"],
                )
                state["sent"] += len(notices)

    for job in jobs:
        if stop.is_set():
            break
        todo.put(job)
        mark(wait=False)
    for _ in range(workers):
        todo.put(None)
    while state["running"]:
        mark(wait=True)
    mark(wait=False)
    if failures:
        raise failures[0]
    return state["sent"]


def notice_text(notice: Notice, first_names: dict[int, str]) -> str:
    """What a notice says, in the active language: that something is there, never what (no value, no text)."""
    from django.utils.translation import gettext as _

    args = {"subject": notice.subject_name, "who": first_names.get(notice.student_id, "")}
    day = notice.item_date.strftime("%d-%m-%Y") if notice.item_date else ""
    if notice.kind == "grades":
        if notice.subject_name:
            return _("Er is een nieuw cijfer voor %(subject)s zichtbaar (%(who)s).") % args
        return _("Er is een nieuw cijfer zichtbaar (%(who)s).") % args
    if notice.kind == "homework":
        return _("Er is nieuw huiswerk voor %(subject)s, voor %(day)s (%(who)s).") % {**args, "day": day}
    if notice.kind == "cancellation":
        return _("Een les %(subject)s op %(day)s vervalt (%(who)s).") % {**args, "day": day}
    return _("Er is een nieuw rapport zichtbaar (%(who)s).") % args


def notice_url(notice: Notice) -> str:
    """The page a notice links to (the person's own page; the engine decides again what it shows)."""
    return SOURCES[notice.kind].url(notice.student_id, notice.item_date)


def _message(*, user: User, notices: list[Notice], first_names: dict[int, str]) -> NoticeMail:
    base = settings.INZAGE_BASE_URL.rstrip("/")
    kinds = sorted({n.kind for n in notices})
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        lines = [
            {"text": notice_text(n, first_names), "url": base + notice_url(n)}
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
        # ngettext rather than a template: a {% blocktranslate count %} cost a third of building the message.
        subject = ngettext("Inzage: iets nieuws zichtbaar", "Inzage: %(n)s nieuwe dingen zichtbaar", len(lines)) % {
            "n": len(lines)
        }
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    # The idempotency key of the first notice names the message, so a receiver can recognise a retry.
    message_id = f"<notice-{min(n.pk for n in notices)}-{user.pk}@{settings.INZAGE_MAIL_DOMAIN}>"
    message = NoticeMail(
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
