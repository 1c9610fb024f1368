"""The personal calendar feed (iCalendar, RFC 5545), built with the `icalendar` library.

What a feed holds: for a student, their lessons (cancelled ones with STATUS:CANCELLED) and homework and tests due;
for a parent, the same for each child the parent may see, each event's title starting with the child's first name;
for staff, their own lessons. Everything a student or parent gets comes through the engine (`visible_lessons`,
`visible_homework`): a guardian without the `timetable` kind gets no lessons. Times are in Europe/Amsterdam (the
school's zone) with a VTIMEZONE covering the feed's span. The span is the school year containing the day (or, in
the summer, the next one).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from django.utils.translation import gettext as _

from inzage.people.models import Staff, Student
from inzage.schools.models import SchoolYear
from inzage.timetable.models import Homework, Lesson
from inzage.timetable.queries import visible_homework, visible_lessons
from inzage.visibility.policy import Viewer
from inzage.visibility.queries import portal_students

PRODID = "-//Inzage//Rooster//NL"


def feed_span(*, school_id: int, day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The school year a feed covers on a day: the one containing it, else the next one, else the last one."""
    years = list(SchoolYear.objects.filter(school_id=school_id).order_by("start").values_list("start", "end"))
    for start, end in years:
        if day <= end:
            return (start, end)
    return years[-1] if years else None


def _lesson_event(
    lesson: Lesson, *, prefix: str, uid_owner: int, homework: list[Homework], tz: ZoneInfo
) -> icalendar.Event:
    event = icalendar.Event()
    subject = lesson.group.subject.name
    title = f"{subject} ({_('toets')})" if lesson.kind == Lesson.Kind.TEST else subject
    if lesson.cancelled:
        title = f"{title}: {_('vervalt')}"
    # Properties set as icalendar values directly: `Event.add` looks up each property's type and parameters again,
    # which doubled the cost of building a year's feed (about 1,000 events).
    event["UID"] = icalendar.vText(f"lesson-{lesson.pk}-{uid_owner}@inzage")
    event["SUMMARY"] = icalendar.vText(f"{prefix}{title}")
    event["DTSTART"] = icalendar.vDDDTypes(lesson.starts_at.astimezone(tz))  # local time with TZID, not UTC
    event["DTEND"] = icalendar.vDDDTypes(lesson.ends_at.astimezone(tz))
    event["DTSTAMP"] = icalendar.vDDDTypes((lesson.changed_at or lesson.recorded_at).astimezone(dt.UTC))
    if lesson.room is not None:
        event["LOCATION"] = icalendar.vText(lesson.room.code)
    event["STATUS"] = icalendar.vText("CANCELLED" if lesson.cancelled else "CONFIRMED")
    lines = [f"{lesson.group.name} · {lesson.teacher.code}"]
    if lesson.cancelled and lesson.reason:
        lines.append(f"{_('Vervalt')}: {lesson.reason}")
    if lesson.room_changed and not lesson.cancelled:
        lines.append(
            _("Ander lokaal (was %(was)s)") % {"was": lesson.planned_room.code if lesson.planned_room else "–"}
        )
    if lesson.label:
        lines.append(lesson.label)
    for h in homework:
        lines.append(f"{h.get_kind_display()}: {h.text}")
    event["DESCRIPTION"] = icalendar.vText("\n".join(lines))
    return event


def _homework_event(h: Homework, *, prefix: str, uid_owner: int) -> icalendar.Event:
    event = icalendar.Event()
    first_line = h.text.splitlines()[0] if h.text else ""
    event.add("uid", f"homework-{h.pk}-{uid_owner}@inzage")
    event.add("summary", f"{prefix}{h.get_kind_display()} {h.group.subject.name}: {first_line}"[:200])
    event.add("dtstart", h.due_date)  # a date: an all-day item on the day it is due
    event.add("dtend", h.due_date + dt.timedelta(days=1))
    event.add("dtstamp", (h.updated_at or h.entered_at).astimezone(dt.UTC))
    event.add("description", h.text)
    event.add("categories", [h.get_kind_display()])
    event.add("transp", "TRANSPARENT")
    return event


def _new_calendar(name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Amsterdam")
    return cal


def _student_events(
    cal: icalendar.Calendar,
    *,
    viewer: Viewer,
    student: Student,
    at: dt.datetime,
    span: tuple[dt.date, dt.date],
    prefix: str,
    tz: ZoneInfo,
) -> None:
    lessons = list(visible_lessons(viewer=viewer, student=student, at=at, start=span[0], end=span[1]))
    homework = list(visible_homework(viewer=viewer, student=student, at=at, start=span[0], end=span[1]))
    at_lesson: dict[int, list[Homework]] = {}
    for h in homework:
        if h.lesson_id is not None:
            at_lesson.setdefault(h.lesson_id, []).append(h)
    for lesson in lessons:
        cal.add_component(
            _lesson_event(lesson, prefix=prefix, uid_owner=student.pk, homework=at_lesson.get(lesson.pk, []), tz=tz)
        )
    for h in homework:
        cal.add_component(_homework_event(h, prefix=prefix, uid_owner=student.pk))


def feed_for(*, viewer: Viewer, at: dt.datetime) -> tuple[bytes, list[int]]:
    """The viewer's feed at the instant, and the ids of the students whose data it holds (for the access log)."""
    cal = _new_calendar(_("Rooster (Inzage)"))
    if viewer.school_id is None:
        return cal.to_ical(), []
    from inzage.schools.models import School

    tz = ZoneInfo(School.objects.values_list("timezone", flat=True).get(pk=viewer.school_id))
    span = feed_span(school_id=viewer.school_id, day=at.astimezone(tz).date())
    students: list[Student] = []
    if span is not None:
        students = portal_students(viewer=viewer, at=at)
        for student in students:
            own = student.pk == viewer.student_id
            prefix = "" if own else f"{student.first_name}: "
            _student_events(cal, viewer=viewer, student=student, at=at, span=span, prefix=prefix, tz=tz)
        if not students and viewer.staff_id is not None:
            staff = Staff.objects.get(pk=viewer.staff_id)
            lessons = (
                Lesson.objects.filter(
                    teacher_id=staff.pk, date__gte=span[0], date__lte=span[1], withdrawn_at__isnull=True
                )
                .select_related("group", "group__subject", "teacher", "room", "planned_room")
                .order_by("starts_at")
            )
            for lesson in lessons:
                event = _lesson_event(lesson, prefix="", uid_owner=0, homework=[], tz=tz)
                event["summary"] = f"{lesson.group.name}: {event['summary']}"
                cal.add_component(event)
        cal.add_component(
            icalendar.Timezone.from_tzid(str(tz), first_date=span[0], last_date=span[1] + dt.timedelta(days=1))
        )
    return cal.to_ical(), [s.pk for s in students]
