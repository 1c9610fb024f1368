"""Demo timetable: lesson hours, rooms and a weekly pattern for every teaching group of the demo school, the lessons
of the whole school year (`lessons_sync`), test-week sittings, a few cancellations, substitutions and room changes
every week up to next week, and homework and test announcements around `today`.

The pattern is made by a greedy planner in memory: each group gets its weekly hours by subject and year (lower years
in whole classes, upper years in clusters), on different days where it can, without a student, teacher or room in
two places at once (students and teachers as 39-bit masks of the week's lesson hours; a teacher teaches in their
own room, so a free teacher means a free room). An hour that finds no free slot is left out, as a real timetable
sometimes has to. Everything is written with bulk inserts; a few dozen queries in all, whatever the school's size.

The demo class (H3A: `leerling`, `ouder`) is made sure to have, this week and next, one cancelled lesson with its
reason, a substitute and a room change, and homework due on the next school day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from inzage.accounts.models import User
from inzage.demo.seed import LEVELS
from inzage.grades.bulk_insert import insert_rows
from inzage.people.models import Staff, StaffRole
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import CalendarRange, School, SchoolYear, TeachingGroup
from inzage.timetable.actions import lessons_sync
from inzage.timetable.models import Homework, Lesson, LessonChange, PatternEntry, Room, Slot
from inzage.timetable.weeks import monday_of

DEMO_CLASS = "H3A"

# Lesson hours: 50 minutes on Monday, Tuesday, Thursday and Friday; a short Wednesday of seven 45-minute hours (the
# afternoon is for the staff meeting), so the times differ per day as the issue allows.
LONG_DAY = [("08:30", "09:20"), ("09:20", "10:10"), ("10:30", "11:20"), ("11:20", "12:10"),
            ("12:40", "13:30"), ("13:30", "14:20"), ("14:30", "15:20"), ("15:20", "16:10")]  # fmt: skip
SHORT_DAY = [("08:30", "09:15"), ("09:15", "10:00"), ("10:20", "11:05"), ("11:05", "11:50"),
             ("12:20", "13:05"), ("13:05", "13:50"), ("13:50", "14:35")]  # fmt: skip
DAYS = {1: LONG_DAY, 2: LONG_DAY, 3: SHORT_DAY, 4: LONG_DAY, 5: LONG_DAY}

# Weekly hours per subject: (every week, one more in A-weeks). Lower years (whole classes) and upper years (clusters).
LOWER_HOURS = {"ne": (4, 0), "en": (3, 0), "fa": (2, 0), "du": (2, 0), "gs": (2, 0), "ak": (1, 1), "wi": (4, 0),
               "bi": (2, 0), "nask": (2, 0), "lo": (3, 0), "kv": (1, 1)}  # fmt: skip
UPPER_HOURS = {"ne": (3, 0), "en": (3, 0), "fa": (3, 0), "du": (3, 0), "gs": (3, 0), "ak": (3, 0), "wi": (4, 0),
               "bi": (3, 1), "nask": (3, 0), "na": (3, 1), "sk": (3, 0), "ec": (3, 1), "lo": (2, 0),
               "kv": (2, 0)}  # fmt: skip
# Rooms by wing: languages A, maths and social studies B, science labs L, arts K, gyms G; spare rooms R for moves.
WINGS = {"ne": "A", "en": "A", "fa": "A", "du": "A", "wi": "B", "gs": "B", "ak": "B", "ec": "B",
         "bi": "L", "nask": "L", "na": "L", "sk": "L", "kv": "K", "lo": "G"}  # fmt: skip
SPARE_ROOMS = ["R001", "R002", "R003", "R004", "Aula"]
# Test-week sittings: three a day.
SITTINGS = [("08:30", "10:00"), ("10:30", "12:00"), ("12:30", "14:00")]
NO_TESTS = {"lo", "kv"}

CANCEL_REASONS = ["Docent ziek", "Docent op studiereis", "Docent volgt een nascholing", "Excursie van de klas",
                  "Docent begeleidt een excursie", "Lokaal niet beschikbaar, geen vervangend lokaal"]  # fmt: skip
SUBSTITUTE_REASONS = ["Docent ziek, een collega neemt de les over", "Docent op studiereis", "Docent bij een examen"]
ROOM_REASONS = ["Lokaal nodig voor een examen", "Lekkage in het lokaal", "Digibord defect", "Open dag-voorbereiding"]
HOMEWORK_TEXTS = {
    "ne": ["Lees hoofdstuk {n} van je leesboek en maak de vragen in je schrift.",
           "Maak de opdrachten van paragraaf {n}.{m} (spelling).\nNeem je leesboek mee."],
    "en": ["Learn the words of unit {n}, A and B.", "Maak opdracht {a} t/m {b} van unit {n} (workbook)."],
    "fa": ["Leer de woordjes van chapitre {n}, A en B.", "Maak oefening {a} t/m {b} van chapitre {n}."],
    "du": ["Leer de woorden van Kapitel {n} (Wortschatz).", "Maak opdracht {a} t/m {b} van Kapitel {n}."],
    "gs": ["Lees paragraaf {n}.{m} en maak opdracht {a} t/m {b}.", "Maak de samenvatting van hoofdstuk {n}."],
    "ak": ["Maak opdracht {a} t/m {b} van paragraaf {n}.{m}.", "Zoek de kaart op in de Bosatlas (blz. {a})."],
    "wi": ["Paragraaf {n}.{m}: maak opgave {a} t/m {b}.", "Maak de diagnostische toets van hoofdstuk {n}.\n"
           "Uitleg: https://www.wiskundeacademie.nl"],
    "bi": ["Lees basisstof {m} van thema {n} en maak de opdrachten.", "Leer de begrippen van thema {n}."],
    "nask": ["Maak opgave {a} t/m {b} van paragraaf {n}.{m}.", "Werk het practicumverslag van paragraaf {n}.{m} uit."],
    "na": ["Maak opgave {a} t/m {b} van paragraaf {n}.{m}.", "Werk het practicumverslag uit."],
    "sk": ["Maak opgave {a} t/m {b} van paragraaf {n}.{m}.", "Leer de reactievergelijkingen van hoofdstuk {n}."],
    "ec": ["Maak opgave {a} t/m {b} van hoofdstuk {n}.", "Lees de casus van hoofdstuk {n} en maak de vragen."],
    "kv": ["Neem materiaal mee voor je kunstwerk (zie de opdracht).", "Maak je schetsen af."],
    "lo": ["Neem je sportkleding mee: we gaan naar buiten.", "Sportdag: neem sportkleding en een lunch mee."],
}  # fmt: skip
TEST_TEXTS = ["Toets hoofdstuk {n} (paragraaf {n}.1 t/m {n}.{m}).", "Schriftelijke overhoring: woorden unit {n}."]
HAND_IN_TEXTS = ["Lever je verslag in via de ELO.", "Lever het werkstuk in (minimaal 800 woorden)."]


@dataclass
class _Group:
    pk: int
    subject: str
    lower: bool
    year_group_id: int
    name: str
    teacher_id: int
    members: list[int]
    entries: list[tuple[int, int, str]] = field(default_factory=list)  # (weekday, slot number, week)


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _current_year(school_id: int, today: dt.date) -> SchoolYear | None:
    years = list(SchoolYear.objects.filter(school_id=school_id).order_by("start"))
    for year in years:
        if year.start <= today <= year.end:
            return year
    started = [y for y in years if y.start <= today]
    return started[-1] if started else None


def _slot_index() -> list[tuple[int, int]]:
    """Every (weekday, slot number) of the week, in a fixed order: bit i of a mask is the i-th."""
    return [(day, n) for day, hours in DAYS.items() for n in range(1, len(hours) + 1)]


def _load_groups(year: SchoolYear) -> list[_Group]:
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, student_id in (
        TeachingGroup.students.through.objects.filter(teachinggroup__school_year=year)
        .order_by("teachinggroup_id", "student_id")
        .values_list("teachinggroup_id", "student_id")
    ):
        members[group_id].append(student_id)
    teacher: dict[int, int] = {}
    for group_id, staff_id in (
        TeachingGroup.teachers.through.objects.filter(teachinggroup__school_year=year)
        .order_by("teachinggroup_id", "staff_id")
        .values_list("teachinggroup_id", "staff_id")
    ):
        teacher.setdefault(group_id, staff_id)
    lower_last = {code: last for code, _name, _years, _prefix, last in LEVELS}
    groups = []
    for pk, subject, year_group_id, name, level_code, in_year in (
        TeachingGroup.objects.filter(school_year=year)
        .order_by("pk")
        .values_list("pk", "subject__code", "year_group_id", "name", "year_group__level__code", "year_group__year")
    ):
        if pk not in teacher or not members.get(pk):
            continue
        lower = in_year is not None and in_year <= lower_last.get(level_code, 3)
        groups.append(_Group(pk, subject, lower, year_group_id or 0, name, teacher[pk], members[pk]))
    return groups


def _plan(groups: list[_Group], rng: random.Random) -> int:
    """Give every group its weekly hours (`_Group.entries`); returns how many hours found no free slot."""
    index = _slot_index()
    busy_student: dict[int, int] = defaultdict(int)
    busy_teacher: dict[int, int] = defaultdict(int)
    last_hours = {i for i, (day, n) in enumerate(index) if n == len(DAYS[day])}
    dropped = 0
    # Most hours first, so the heavy subjects get the good hours; ties in a random but fixed order.
    order = sorted(groups, key=lambda g: (-sum((LOWER_HOURS if g.lower else UPPER_HOURS).get(g.subject, (2, 0))),
                                          rng.random()))  # fmt: skip
    for group in order:
        every, extra = (LOWER_HOURS if group.lower else UPPER_HOURS).get(group.subject, (2, 0))
        weeks = [""] * every + ["A"] * extra
        days_used: set[int] = set()
        for week in weeks:
            taken = busy_teacher[group.teacher_id]
            for student in group.members:
                taken |= busy_student[student]
            candidates = [i for i in range(len(index)) if not taken >> i & 1]
            if not candidates:
                dropped += 1
                continue
            # Prefer a new day, then not the day's last hour; among equals a random one.
            rng.shuffle(candidates)
            best = min(candidates, key=lambda i: (index[i][0] in days_used, i in last_hours))
            bit = 1 << best
            busy_teacher[group.teacher_id] |= bit
            for student in group.members:
                busy_student[student] |= bit
            days_used.add(index[best][0])
            group.entries.append((index[best][0], index[best][1], week))
    return dropped


def seed_demo_data(*, school: School, rng: random.Random, today: dt.date) -> None:
    """A year's timetable for the demo school, with changes and homework around `today` (see module docstring)."""
    year = _current_year(school.pk, today)
    if year is None:
        return
    tz = ZoneInfo(school.timezone)
    calendar = SchoolCalendar.load(school)
    Slot.objects.bulk_create(
        Slot(school=school, school_year=year, weekday=day, number=n, start=_time(s), end=_time(e))
        for day, hours in DAYS.items()
        for n, (s, e) in enumerate(hours, start=1)
    )
    groups = _load_groups(year)
    if not groups:
        return
    _plan(groups, rng)

    # Rooms: each teacher teaches in their own room in the wing of their subject; a few spare rooms.
    teacher_subject: dict[int, str] = {}
    for g in groups:
        teacher_subject.setdefault(g.teacher_id, g.subject)
    per_wing: dict[str, int] = defaultdict(int)
    rooms: dict[int, Room] = {}
    for teacher_id in sorted(teacher_subject):
        wing = WINGS.get(teacher_subject[teacher_id], "C")
        per_wing[wing] += 1
        n = per_wing[wing]
        if wing == "G":
            rooms[teacher_id] = Room(school=school, code=f"G{n}", name=f"Gymzaal {n}")
        else:
            code = f"{wing}{1 + (n - 1) // 8}{(n - 1) % 8 + 1:02d}"
            rooms[teacher_id] = Room(school=school, code=code, name=f"Lokaal {code}")
    spare = [Room(school=school, code=code, name=code) for code in SPARE_ROOMS]
    Room.objects.bulk_create([*rooms.values(), *spare])

    entries = [
        PatternEntry(
            school=school,
            school_year=year,
            group_id=g.pk,
            weekday=day,
            slot_number=n,
            teacher_id=g.teacher_id,
            room=rooms[g.teacher_id],
            week=week,
            valid_from=year.start,
            valid_until=year.end,
        )
        for g in groups
        for day, n, week in g.entries
    ]
    PatternEntry.objects.bulk_create(entries, batch_size=2000)
    planned_at = dt.datetime.combine(year.start - dt.timedelta(days=10), dt.time(12), tzinfo=tz)
    lessons_sync(school_year=year, at=planned_at, calendar=calendar)
    _sittings(school=school, year=year, groups=groups, rooms=rooms, calendar=calendar, tz=tz)
    admin = User.objects.filter(school=school, username="admin").first()
    _changes(
        school=school,
        year=year,
        groups=groups,
        entries=entries,
        calendar=calendar,
        tz=tz,
        today=today,
        rng=rng,
        by=admin,
        spare=spare,
    )
    _homework(school=school, year=year, groups=groups, calendar=calendar, tz=tz, today=today, rng=rng)


# ------------------------------------------------------------------------------------------------ test weeks


def _sittings(
    *,
    school: School,
    year: SchoolYear,
    groups: list[_Group],
    rooms: dict[int, Room],
    calendar: SchoolCalendar,
    tz: ZoneInfo,
) -> None:
    """Every group with a test subject sits one test in each test week: per year group, one subject per sitting."""
    by_year_group: dict[int, dict[str, list[_Group]]] = defaultdict(lambda: defaultdict(list))
    for g in groups:
        if g.subject not in NO_TESTS:
            by_year_group[g.year_group_id][g.subject].append(g)
    rows: list[tuple[object, ...]] = []
    for r in CalendarRange.objects.filter(school_year=year, kind=CalendarRange.Kind.TEST_WEEK).order_by("start"):
        days = [r.start + dt.timedelta(days=i) for i in range((r.end - r.start).days + 1)]
        days = [d for d in days if calendar.is_school_day(d)]
        if not days:
            continue
        moments = [(d, s, e) for d in days for s, e in SITTINGS]
        recorded = dt.datetime.combine(r.start - dt.timedelta(days=21), dt.time(12), tzinfo=tz)
        recorded = max(recorded, dt.datetime.combine(year.start - dt.timedelta(days=10), dt.time(12), tzinfo=tz))
        for offset, subjects in enumerate(by_year_group.values()):
            for i, subject in enumerate(sorted(subjects)):
                day, s, e = moments[(i + offset) % len(moments)]
                for g in subjects[subject]:
                    room = rooms[g.teacher_id]
                    starts = dt.datetime.combine(day, _time(s), tzinfo=tz)
                    ends = dt.datetime.combine(day, _time(e), tzinfo=tz)
                    label = f"{r.name}: toets {g.name}"
                    rows.append(
                        (school.pk, year.pk, g.pk, Lesson.Kind.TEST.value, None, day.isoformat(), None, starts, ends,
                         g.teacher_id, room.pk, g.teacher_id, room.pk, Lesson.Status.NORMAL.value, "", label,
                         recorded, recorded, False)
                    )  # fmt: skip
    fields = (
        "school_id", "school_year_id", "group_id", "kind", "pattern_entry_id", "date", "slot_number", "starts_at",
        "ends_at", "planned_teacher_id", "planned_room_id", "teacher_id", "room_id", "status", "reason", "label",
        "recorded_at", "changed_at", "changed_same_day",
    )  # fmt: skip
    ids = insert_rows(Lesson, fields, rows, returning=True)
    insert_rows(
        LessonChange,
        ("school_id", "lesson_id", "kind", "room_id", "teacher_id", "reason", "made_by_id", "made_at", "same_day"),
        [
            (school.pk, pk, LessonChange.Kind.TEST.value, row[10], row[11], "Toetsweekrooster", None, row[16], False)
            for pk, row in zip(ids, rows, strict=True)
        ],
    )


# ------------------------------------------------------------------------------------------- changes each week


def _school_days(calendar: SchoolCalendar, start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if calendar.is_school_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _anchor(calendar: SchoolCalendar, year: SchoolYear, today: dt.date) -> dt.date:
    """The demo's "this week": today's, or that of the next school day (today may be in a holiday)."""
    day = today
    while day <= year.end and not calendar.is_school_day(day):
        day += dt.timedelta(days=1)
    return day if day <= year.end else today


def _changes(
    *,
    school: School,
    year: SchoolYear,
    groups: list[_Group],
    entries: list[PatternEntry],
    calendar: SchoolCalendar,
    tz: ZoneInfo,
    today: dt.date,
    rng: random.Random,
    by: User | None,
    spare: list[Room],
) -> None:
    """Per week from the start of the year to next week: a few cancellations, substitutes and room changes across the
    school; this week and next, one of each for the demo class."""
    anchor = _anchor(calendar, year, today)
    last = min(year.end, monday_of(anchor) + dt.timedelta(days=11))
    days = _school_days(calendar, year.start, last)
    if not days:
        return
    demo = {g.pk for g in groups if g.name.startswith(DEMO_CLASS.lower() + "-")}
    entry_group = {e.pk: e.group_id for e in entries}
    by_weekday: dict[int, list[PatternEntry]] = defaultdict(list)
    for e in entries:
        by_weekday[e.weekday].append(e)
    # (entry, date) → the kind of change; picked in memory, the lessons fetched in one query afterwards.
    wanted: dict[tuple[int, dt.date], str] = {}
    weeks: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in days:
        weeks[monday_of(day)].append(day)
    for monday, week_days in sorted(weeks.items()):
        for kind in ["cancel"] * rng.randint(2, 4) + ["substitute"] * rng.randint(1, 3) + ["room"] * rng.randint(1, 2):
            day = rng.choice(week_days)
            todays = by_weekday.get(day.isoweekday())
            if todays:
                e = rng.choice(todays)
                wanted.setdefault((e.pk, day), kind)
        if monday >= monday_of(anchor):
            # The demo class: the last lesson of the week's last day is cancelled; a substitute and a room change.
            demo_days = [d for d in week_days if d >= anchor] or week_days
            demo_entries = [(d, e) for d in demo_days for e in by_weekday.get(d.isoweekday(), []) if e.group_id in demo]
            if demo_entries:
                latest = max(d for d, _e in demo_entries)
                last_lesson = max((e for d, e in demo_entries if d == latest), key=lambda e: e.slot_number)
                wanted[(last_lesson.pk, latest)] = "cancel"
                rest = [(d, e) for d, e in demo_entries if d != latest]
                for kind in ("substitute", "room"):
                    if rest:
                        d, e = rest.pop(rng.randrange(len(rest)))
                        wanted[(e.pk, d)] = kind
    lessons = {
        (lesson.pattern_entry_id, lesson.date): lesson
        for lesson in Lesson.objects.filter(
            school_year=year,
            pattern_entry_id__in={pk for pk, _d in wanted},
            date__in={d for _pk, d in wanted},
            withdrawn_at__isnull=True,
        )
    }
    busy = {(e.weekday, e.slot_number, e.teacher_id) for e in entries}
    teachers_by_subject: dict[str, set[int]] = defaultdict(set)
    for g in groups:
        teachers_by_subject[g.subject].add(g.teacher_id)
    subject_of = {g.pk: g.subject for g in groups}
    stand_ins = list(
        Staff.objects.filter(school=school, roles__role=StaffRole.Role.COORDINATOR)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    spare_used: set[tuple[dt.date, int, int]] = set()
    changes: list[LessonChange] = []
    changed: list[Lesson] = []
    for (entry_id, day), kind in sorted(wanted.items(), key=lambda item: (item[0][1], item[0][0])):
        lesson = lessons.get((entry_id, day))
        if lesson is None:
            continue
        made_day = min(day - dt.timedelta(days=rng.choice([0, 1, 1, 2])), today)
        made_at = dt.datetime.combine(made_day, dt.time(7, 30) if made_day == day else dt.time(16, 15), tzinfo=tz)
        same_day = made_day == day
        change = LessonChange(school=school, lesson=lesson, kind=kind, made_by=by, made_at=made_at, same_day=same_day)
        if kind == "cancel":
            change.reason = lesson.reason = rng.choice(CANCEL_REASONS)
            lesson.status = Lesson.Status.CANCELLED
        elif kind == "substitute":
            weekday, n = day.isoweekday(), lesson.slot_number
            colleagues = sorted(teachers_by_subject[subject_of[entry_group[entry_id]]] - {lesson.teacher_id})
            free = [t for t in colleagues + stand_ins if (weekday, n, t) not in busy]
            if not free:
                continue
            change.teacher_id = lesson.teacher_id = free[0] if free[0] in colleagues else rng.choice(free)
            change.reason = rng.choice(SUBSTITUTE_REASONS)
        else:
            free_rooms = [r for r in spare if (day, lesson.slot_number or 0, r.pk) not in spare_used]
            if not free_rooms:
                continue
            room = free_rooms[0]
            spare_used.add((day, lesson.slot_number or 0, room.pk))
            change.room = room
            lesson.room_id = room.pk
            change.reason = rng.choice(ROOM_REASONS)
        lesson.changed_at, lesson.changed_same_day = made_at, same_day
        changes.append(change)
        changed.append(lesson)
    LessonChange.objects.bulk_create(changes)
    Lesson.objects.bulk_update(
        changed, ["status", "reason", "teacher", "room", "changed_at", "changed_same_day"], batch_size=500
    )


# ------------------------------------------------------------------------------------------------------ homework


def _text(rng: random.Random, templates: list[str]) -> str:
    a = rng.randint(1, 30)
    return rng.choice(templates).format(n=rng.randint(1, 8), m=rng.randint(1, 6), a=a, b=a + rng.randint(3, 12))


def _homework(
    *,
    school: School,
    year: SchoolYear,
    groups: list[_Group],
    calendar: SchoolCalendar,
    tz: ZoneInfo,
    today: dt.date,
    rng: random.Random,
) -> None:
    """Homework at about half the lessons of the lower years from two weeks before to two weeks after `today`, a test
    announcement per group (upper years too) in that span, and for the demo class homework at the next school day's
    first two lessons (what "due tomorrow" shows)."""
    anchor = _anchor(calendar, year, today)
    start = max(year.start, anchor - dt.timedelta(days=14))
    end = min(year.end, anchor + dt.timedelta(days=14))
    lower = {g.pk for g in groups if g.lower}
    by_pk = {g.pk: g for g in groups}
    demo = {g.pk for g in groups if g.name.startswith(DEMO_CLASS.lower() + "-")}
    school_days = _school_days(calendar, today + dt.timedelta(days=1), year.end)
    tomorrow = school_days[0] if school_days else None
    lessons = list(
        Lesson.objects.filter(
            school_year=year, kind=Lesson.Kind.REGULAR, date__gte=start, date__lte=end, withdrawn_at__isnull=True
        )
        .order_by("date", "slot_number", "group_id")
        .values_list("pk", "group_id", "date", "status")
    )
    items: list[Homework] = []
    tested: set[int] = set()
    due_tomorrow = 0
    for pk, group_id, date, status in lessons:
        group = by_pk.get(group_id)
        if group is None or status == Lesson.Status.CANCELLED:
            continue
        kind, text = None, ""
        if date == tomorrow and group_id in demo and due_tomorrow < 2:
            due_tomorrow += 1
            kind, text = Homework.Kind.HOMEWORK, _text(rng, HOMEWORK_TEXTS.get(group.subject, HAND_IN_TEXTS))
        elif group_id not in tested and date > anchor and rng.random() < 0.25 and group.subject not in NO_TESTS:
            tested.add(group_id)
            kind, text = Homework.Kind.TEST, _text(rng, TEST_TEXTS)
        elif group_id in lower and rng.random() < 0.5:
            kind, text = Homework.Kind.HOMEWORK, _text(rng, HOMEWORK_TEXTS.get(group.subject, HAND_IN_TEXTS))
        elif group_id not in lower and rng.random() < 0.08:
            kind, text = Homework.Kind.HAND_IN, rng.choice(HAND_IN_TEXTS)
        if kind is None:
            continue
        entered_day = min(date - dt.timedelta(days=rng.randint(2, 7) if kind != Homework.Kind.TEST else 14),
                          today - dt.timedelta(days=1))  # fmt: skip
        items.append(
            Homework(
                school=school,
                group_id=group_id,
                lesson_id=pk,
                due_date=date,
                kind=kind,
                text=text,
                entered_by_id=group.teacher_id,
                entered_at=dt.datetime.combine(entered_day, dt.time(16, 30), tzinfo=tz),
            )
        )
    Homework.objects.bulk_create(items, batch_size=2000)
