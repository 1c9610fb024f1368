"""The year as a calendar of open and closed: the engine asked, day by day, about a typical student.

The "typical student" is synthetic (no court order, override, consent choice or share; 14 years old; in the chosen
class, if any), so the timeline shows exactly what the school's policy and calendar do. Nothing is re-implemented:
every cell is `Context.decide` on a kind-level item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inzage.people.models import GuardianRelation, Student
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import SchoolClass, SchoolYear
from inzage.visibility.policy.document import PolicySpec
from inzage.visibility.policy.engine import Decision, Item, _make_context
from inzage.visibility.policy.facts import Membership, StudentFacts, Viewer

TIMELINE_KINDS = ("grades", "averages", "period_report", "attendance", "timetable")
AUDIENCES = ("students", "guardians")
_LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Cell:
    state: str  # "open", "closed", "partly" or "none" (no school days this week)
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Week:
    monday: dt.date
    cells: tuple[Cell, ...]  # one per (audience, kind) in `columns`
    holiday: str


def _synthetic(
    *, year: SchoolYear, policy: PolicySpec, calendar: SchoolCalendar, klas: SchoolClass | None
) -> tuple[StudentFacts, Viewer, Viewer]:
    student = Student(pk=0, school_id=year.school_id, date_of_birth=year.start.replace(year=year.start.year - 14))
    memberships = []
    if klas is not None:
        yg = klas.year_group
        memberships.append(Membership(year.start, year.end, klas.pk, klas.name, yg.level_id, yg.level.code, yg.year))
    relation = GuardianRelation(pk=0, guardian_id=0, student_id=0, custody=GuardianRelation.Custody.WITH_GEZAG)
    facts = StudentFacts(student=student, policy=policy, calendar=calendar, memberships=memberships, relation=relation)
    as_student = Viewer(user_id=None, school_id=year.school_id, student_id=0)
    as_guardian = Viewer(user_id=None, school_id=year.school_id, guardian_id=0, relations={0: relation})
    return facts, as_student, as_guardian


def year_timeline(
    *, year: SchoolYear, policy: PolicySpec, calendar: SchoolCalendar, klas: SchoolClass | None = None
) -> tuple[list[tuple[str, str]], list[Week]]:
    """Columns (audience, kind) and one row per week of the school year."""
    facts, as_student, as_guardian = _synthetic(year=year, policy=policy, calendar=calendar, klas=klas)
    columns = [(a, k) for a in AUDIENCES for k in TIMELINE_KINDS]
    weeks: list[Week] = []
    monday = year.start - dt.timedelta(days=year.start.weekday())
    while monday <= year.end:
        cells = []
        days = [monday + dt.timedelta(days=i) for i in range(5)]
        school_days = [d for d in days if calendar.is_school_day(d)]
        holiday = ", ".join(sorted({r.name for d in days for r in calendar.ranges_on(d) if r.kind == "holiday"}))
        for audience, kind in columns:
            viewer = as_student if audience == "students" else as_guardian
            decisions: list[Decision] = []
            for d in school_days or days:
                ctx = _make_context(viewer, facts, calendar.local_datetime(d, dt.time(12)))
                decisions.append(ctx.decide(Item(kind=kind, id=0, student_id=0, released_at=_LONG_AGO)))
            shown = sum(d.visible for d in decisions)
            state = "open" if shown == len(decisions) else "closed" if shown == 0 else "partly"
            cells.append(Cell(state, tuple(dict.fromkeys(d.explanation_nl for d in decisions))))
        weeks.append(Week(monday, tuple(cells), holiday))
        monday += dt.timedelta(days=7)
    return columns, weeks
