"""Factories and a small ready timetable for tests of the timetable and of packages built on its lessons.

`standard_slots(year)` makes eight lesson hours Monday to Friday; `LessonFactory` makes one concrete lesson (an
extra lesson unless given a pattern entry); `personas_timetable(p)` gives the personas' two groups a weekly pattern
and materialises the school year.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from inzage.schools.models import SchoolYear
from inzage.testing.factories import StaffFactory, TeachingGroupFactory
from inzage.timetable.models import Lesson, PatternEntry, Room, Slot

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOURS = [
    (dt.time(8, 30), dt.time(9, 20)),
    (dt.time(9, 20), dt.time(10, 10)),
    (dt.time(10, 30), dt.time(11, 20)),
    (dt.time(11, 20), dt.time(12, 10)),
    (dt.time(12, 40), dt.time(13, 30)),
    (dt.time(13, 30), dt.time(14, 20)),
    (dt.time(14, 30), dt.time(15, 20)),
    (dt.time(15, 20), dt.time(16, 10)),
]


def standard_slots(year: SchoolYear) -> list[Slot]:
    """Eight lesson hours on each weekday of the school year (the same times every day)."""
    return Slot.objects.bulk_create(
        Slot(school_id=year.school_id, school_year=year, weekday=day, number=n, start=s, end=e)
        for day in range(1, 6)
        for n, (s, e) in enumerate(HOURS, start=1)
    )


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    school = factory.SubFactory("inzage.testing.factories.SchoolFactory")
    code = factory.Sequence(lambda n: f"B{100 + n}")


class PatternEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatternEntry

    group = factory.SubFactory(TeachingGroupFactory)
    school = factory.SelfAttribute("group.school")
    school_year = factory.SelfAttribute("group.school_year")
    weekday = 1
    slot_number = 1
    teacher = factory.SubFactory(StaffFactory, school=factory.SelfAttribute("..school"))
    room = factory.SubFactory(RoomFactory, school=factory.SelfAttribute("..school"))
    valid_from = factory.SelfAttribute("school_year.start")
    valid_until = factory.SelfAttribute("school_year.end")


class LessonFactory(factory.django.DjangoModelFactory):
    """One concrete lesson; without a pattern entry it is an extra lesson."""

    class Meta:
        model = Lesson

    group = factory.SubFactory(TeachingGroupFactory)
    school = factory.SelfAttribute("group.school")
    school_year = factory.SelfAttribute("group.school_year")
    kind = Lesson.Kind.EXTRA
    date = dt.date(2025, 9, 1)
    slot_number = 1
    starts_at = factory.LazyAttribute(lambda o: dt.datetime.combine(o.date, HOURS[0][0], tzinfo=AMSTERDAM))
    ends_at = factory.LazyAttribute(lambda o: dt.datetime.combine(o.date, HOURS[0][1], tzinfo=AMSTERDAM))
    planned_teacher = factory.SubFactory(StaffFactory, school=factory.SelfAttribute("..school"))
    teacher = factory.SelfAttribute("planned_teacher")
    planned_room = None
    room = factory.SelfAttribute("planned_room")
    recorded_at = dt.datetime(2025, 8, 1, tzinfo=AMSTERDAM)


def personas_timetable(p: object) -> None:
    """The personas' groups (`group`, `other_group`) get Monday hour 1 and Wednesday hour 3 (A-weeks) and Friday
    hour 2, in rooms B101/B102; the school year is materialised."""
    from inzage.timetable.actions import lessons_sync

    year = p.year  # type: ignore[attr-defined]
    standard_slots(year)
    rooms = [Room.objects.create(school_id=year.school_id, code=code) for code in ("B101", "B102")]
    for group, teacher, room in ((p.group, p.teacher, rooms[0]), (p.other_group, p.other_teacher, rooms[1])):  # type: ignore[attr-defined]
        for weekday, slot, week in ((1, 1, ""), (3, 3, "A"), (5, 2, "")):
            PatternEntry.objects.create(
                school_id=year.school_id,
                school_year=year,
                group=group,
                weekday=weekday,
                slot_number=slot,
                week=week,
                teacher=teacher,
                room=room,
                valid_from=year.start,
                valid_until=year.end,
            )
    lessons_sync(school_year=year, at=dt.datetime(2025, 8, 1, tzinfo=AMSTERDAM))
