"""The personal calendar feed (iCalendar, RFC 5545), built with the `icalendar` library.

What a feed holds: for a student, their lessons (cancelled ones with STATUS:CANCELLED) and homework and tests due;
for a parent, the same for each child the parent may see, each event's title starting with the child's first name;
for staff, their own lessons. Everything a student or parent gets comes through the engine (`visible_lessons`,
`visible_homework`): a guardian without the `timetable` kind gets no lessons. Times are in Europe/Amsterdam (the
school's zone) with a VTIMEZONE covering the feed's span. The span is the school year containing the day (or, in
the summer, the next one).

How it stays cheap (calendar apps fetch a feed every 15 minutes to a few hours): every request runs the policy and
the queries, and turns the rows into plain event descriptions (`EventSpec`: the exact texts and instants of each
event). Serialising them is a pure function of those descriptions, and it is what costs (the library spends about
0.3 ms per event). So the serialised feed is kept in the cache under a digest of the descriptions (and of this
module and the library's version): the same content is never serialised twice, and no write can make a cached feed
wrong, because a change to anything the feed shows changes the digest. The digest is also the response's ETag.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from django.core.cache import caches
from django.utils.translation import gettext as _

from inzage.people.models import Student
from inzage.schools.models import SchoolYear
from inzage.timetable.models import Homework, Lesson
from inzage.timetable.queries import visible_homework, visible_lessons
from inzage.visibility.policy import Viewer
from inzage.visibility.queries import portal_students

PRODID = "-//Inzage//Rooster//NL"
# A serialised feed is kept this long after its last build (a feed that is fetched again is served from the cache
# while its content is unchanged; a changed content is another key).
CACHE_SECONDS = 36 * 3600
CODE_VERSION = hashlib.sha256(Path(__file__).read_bytes() + icalendar.__version__.encode()).hexdigest()[:12]

LESSON_COLUMNS = (
    "pk",
    "kind",
    "status",
    "reason",
    "label",
    "starts_at",
    "ends_at",
    "changed_at",
    "recorded_at",
    "room_id",
    "planned_room_id",
    "group__name",
    "group__subject__name",
    "teacher__code",
    "room__code",
    "planned_room__code",
)
HOMEWORK_COLUMNS = ("pk", "lesson_id", "kind", "text", "due_date", "updated_at", "entered_at", "group__subject__name")


@dataclasses.dataclass(frozen=True, slots=True)
class EventSpec:
    """One event exactly as the feed states it: timed (a lesson) when `ends` is a datetime, all-day (homework due)
    when `starts` is a date."""

    uid: str
    summary: str
    starts: dt.datetime | dt.date
    ends: dt.datetime | dt.date
    stamp: dt.datetime
    description: str
    location: str = ""
    status: str = ""
    category: str = ""


@dataclasses.dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str  # the digest of the content: the same body has the same tag
    student_ids: list[int]  # the students whose data it holds (for the access log)


def feed_span(*, school_id: int, day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The school year a feed covers on a day: the one containing it, else the next one, else the last one."""
    years = list(SchoolYear.objects.filter(school_id=school_id).order_by("start").values_list("start", "end"))
    for start, end in years:
        if day <= end:
            return (start, end)
    return years[-1] if years else None


def _lesson_spec(
    row: dict, *, prefix: str, uid_owner: int, homework: list[dict], tz: ZoneInfo, kinds: dict[str, str]
) -> EventSpec:
    cancelled = row["status"] == Lesson.Status.CANCELLED
    subject = row["group__subject__name"]
    title = f"{subject} ({_('toets')})" if row["kind"] == Lesson.Kind.TEST else subject
    if cancelled:
        title = f"{title}: {_('vervalt')}"
    lines = [f"{row['group__name']} · {row['teacher__code']}"]
    if cancelled and row["reason"]:
        lines.append(f"{_('Vervalt')}: {row['reason']}")
    if row["room_id"] != row["planned_room_id"] and not cancelled:
        lines.append(_("Ander lokaal (was %(was)s)") % {"was": row["planned_room__code"] or "–"})
    if row["label"]:
        lines.append(row["label"])
    for h in homework:
        lines.append(f"{kinds[h['kind']]}: {h['text']}")
    return EventSpec(
        uid=f"lesson-{row['pk']}-{uid_owner}@inzage",
        summary=f"{prefix}{title}",
        starts=row["starts_at"].astimezone(tz),  # local time with TZID, not UTC
        ends=row["ends_at"].astimezone(tz),
        stamp=(row["changed_at"] or row["recorded_at"]).astimezone(dt.UTC),
        description="\n".join(lines),
        location=row["room__code"] or "",
        status="CANCELLED" if cancelled else "CONFIRMED",
    )


def _homework_spec(row: dict, *, prefix: str, uid_owner: int, kinds: dict[str, str]) -> EventSpec:
    first_line = row["text"].splitlines()[0] if row["text"] else ""
    kind = kinds[row["kind"]]
    return EventSpec(
        uid=f"homework-{row['pk']}-{uid_owner}@inzage",
        summary=f"{prefix}{kind} {row['group__subject__name']}: {first_line}"[:200],
        starts=row["due_date"],  # a date: an all-day item on the day it is due
        ends=row["due_date"] + dt.timedelta(days=1),
        stamp=(row["updated_at"] or row["entered_at"]).astimezone(dt.UTC),
        description=row["text"],
        category=kind,
    )


def _student_specs(
    *, viewer: Viewer, student: Student, at: dt.datetime, span: tuple[dt.date, dt.date], prefix: str, tz: ZoneInfo
) -> list[EventSpec]:
    kinds = {value: str(label) for value, label in Homework.Kind.choices}
    lessons = visible_lessons(viewer=viewer, student=student, at=at, start=span[0], end=span[1])
    homework = list(
        visible_homework(viewer=viewer, student=student, at=at, start=span[0], end=span[1]).values(*HOMEWORK_COLUMNS)
    )
    at_lesson: dict[int, list[dict]] = {}
    for h in homework:
        if h["lesson_id"] is not None:
            at_lesson.setdefault(h["lesson_id"], []).append(h)
    specs = [
        _lesson_spec(
            row, prefix=prefix, uid_owner=student.pk, homework=at_lesson.get(row["pk"], []), tz=tz, kinds=kinds
        )
        for row in lessons.values(*LESSON_COLUMNS)
    ]
    specs.extend(_homework_spec(h, prefix=prefix, uid_owner=student.pk, kinds=kinds) for h in homework)
    return specs


def _event(spec: EventSpec) -> icalendar.Event:
    event = icalendar.Event()
    # Properties set as icalendar values directly: `Event.add` looks up each property's type and parameters again.
    event["UID"] = icalendar.vText(spec.uid)
    event["SUMMARY"] = icalendar.vText(spec.summary)
    event["DTSTART"] = icalendar.vDDDTypes(spec.starts)
    event["DTEND"] = icalendar.vDDDTypes(spec.ends)
    event["DTSTAMP"] = icalendar.vDDDTypes(spec.stamp)
    event["DESCRIPTION"] = icalendar.vText(spec.description)
    if spec.location:
        event["LOCATION"] = icalendar.vText(spec.location)
    if spec.status:
        event["STATUS"] = icalendar.vText(spec.status)
    if spec.category:
        event.add("categories", [spec.category])
        event["TRANSP"] = icalendar.vText("TRANSPARENT")
    return event


def feed_render(*, name: str, specs: list[EventSpec], tz: ZoneInfo, span: tuple[dt.date, dt.date] | None) -> bytes:
    """The iCalendar text of the events (a pure function of its arguments: what the cache relies on)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Amsterdam")
    for spec in specs:
        cal.add_component(_event(spec))
    if span is not None:
        cal.add_component(
            icalendar.Timezone.from_tzid(str(tz), first_date=span[0], last_date=span[1] + dt.timedelta(days=1))
        )
    return cal.to_ical()


def _digest(*, name: str, specs: list[EventSpec], tz: ZoneInfo, span: tuple[dt.date, dt.date] | None) -> str:
    digest = hashlib.sha256(f"{CODE_VERSION}|{name}|{tz}|{span}".encode())
    for spec in specs:
        digest.update(repr(spec).encode())
    return digest.hexdigest()[:32]


def feed_for(*, viewer: Viewer, at: dt.datetime) -> Feed:
    """The viewer's feed at the instant (policy and queries run on every call; see the module docstring)."""
    name = _("Rooster (Inzage)")
    specs: list[EventSpec] = []
    students: list[Student] = []
    span: tuple[dt.date, dt.date] | None = None
    tz = ZoneInfo("Europe/Amsterdam")
    if viewer.school_id is not None:
        from inzage.schools.models import School

        tz = ZoneInfo(School.objects.values_list("timezone", flat=True).get(pk=viewer.school_id))
        span = feed_span(school_id=viewer.school_id, day=at.astimezone(tz).date())
    if span is not None:
        students = portal_students(viewer=viewer, at=at)
        for student in students:
            prefix = "" if student.pk == viewer.student_id else f"{student.first_name}: "
            specs.extend(_student_specs(viewer=viewer, student=student, at=at, span=span, prefix=prefix, tz=tz))
        if not students and viewer.staff_id is not None:
            lessons = (
                Lesson.objects.filter(
                    teacher_id=viewer.staff_id, date__gte=span[0], date__lte=span[1], withdrawn_at__isnull=True
                )
                .order_by("starts_at")
                .values(*LESSON_COLUMNS)
            )
            for row in lessons:
                spec = _lesson_spec(row, prefix="", uid_owner=0, homework=[], tz=tz, kinds={})
                specs.append(dataclasses.replace(spec, summary=f"{row['group__name']}: {spec.summary}"))
    etag = _digest(name=name, specs=specs, tz=tz, span=span)
    cache = caches["default"]
    key = f"timetable:feed:{etag}"
    stored = cache.get(key)
    if stored is not None:
        body = zlib.decompress(stored)
    else:
        body = feed_render(name=name, specs=specs, tz=tz, span=span)
        cache.set(key, zlib.compress(body, 1), timeout=CACHE_SECONDS)
    return Feed(body=body, etag=etag, student_ids=[s.pk for s in students])
