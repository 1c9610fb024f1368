"""Reads of attendance: what a registration means (a stable code with a translated label: ziek gemeld, verlof, nog
niet verklaard, ongeoorloofd...), who is asking, the overviews and the DUO scan's history.

Every read of attendance data shown to someone goes through the engine: registrations (`ATTENDANCE_FIELDS`, or
`BEHAVIOUR_FIELDS` for a removal from class), sick reports (`SICK_FIELDS`), leave requests (`LEAVE_FIELDS`), DUO reports
(`DUO_FIELDS`) and measures (`MEASURE_FIELDS`) are items of their kind, decided by `ctx.decide` on the `*_item`
functions below and filtered by `ctx.filter`/`ctx.q` with the same fields (`inzage/visibility/tests/test_agreement.py`
checks the two agree). A teacher's lesson page asks per student for `lesson_attendance_item` (the lesson's group).
The DUO scan itself (`duo_history` without contexts) is the school's legal duty, not a read shown to anyone: what it
finds reaches people only as DUO reports, through the engine."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, ngettext

from inzage.attendance import duo, rules
from inzage.attendance.models import (
    AttendanceSettings,
    DuoReport,
    LeaveRequest,
    Measure,
    Registration,
    SickReport,
    Status,
)
from inzage.people.models import GuardianRelation, Student
from inzage.schools.calendar import SchoolCalendar
from inzage.timetable.models import Lesson
from inzage.visibility.derived import ALWAYS_RELEASED
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Context, Item, ItemFields, Viewer, context_for
from inzage.visibility.queries import kind_probe

# Absence, lateness, sick reports, leave and DUO reports are `attendance`; a removal from class and its measure are
# `behaviour`. A removal reaches guardians at `guardian_release_at` (the school's delay: the student tells first); the
# student and staff see it at `recorded_at`. A registration belongs to its lesson's group (teachers see their own
# groups' registrations); sick reports, leave and DUO reports belong to no group (a subject teacher sees only their
# effect on the teacher's own lessons, through `lesson_attendance_item`).
ATTENDANCE_FIELDS = ItemFields(kind=DataKind.ATTENDANCE, release=("recorded_at",), group="group_id")
BEHAVIOUR_FIELDS = ItemFields(kind=DataKind.BEHAVIOUR, release=("recorded_at",), group="group_id")
BEHAVIOUR_GUARDIAN_FIELDS = ItemFields(kind=DataKind.BEHAVIOUR, release=("guardian_release_at",), group="group_id")
MEASURE_FIELDS = ItemFields(kind=DataKind.BEHAVIOUR, release=("created_at",))
SICK_FIELDS = ItemFields(kind=DataKind.ATTENDANCE, release=("reported_at",))
LEAVE_FIELDS = ItemFields(kind=DataKind.ATTENDANCE, release=("requested_at",))
DUO_FIELDS = ItemFields(kind=DataKind.ATTENDANCE, release=("signalled_at",))

ATTENDANCE_STATUSES = (Status.ABSENT, Status.LATE, Status.PRESENT)


def kind_of(status: str) -> str:
    return DataKind.BEHAVIOUR if status == Status.REMOVED else DataKind.ATTENDANCE


def registration_item(reg: Registration, *, audience: str) -> Item:
    """The engine's item for a registration (the same fields `registrations_visible` filters on)."""
    kind = kind_of(reg.status)
    released = reg.recorded_at
    if kind == DataKind.BEHAVIOUR and audience == "guardian":
        released = reg.guardian_release_at
    return Item(kind=kind, id=reg.pk, student_id=reg.student_id, released_at=released, group_id=reg.group_id)


def sick_report_item(report: SickReport) -> Item:
    return Item(kind=DataKind.ATTENDANCE, id=report.pk, student_id=report.student_id, released_at=report.reported_at)


def leave_item(leave: LeaveRequest) -> Item:
    return Item(kind=DataKind.ATTENDANCE, id=leave.pk, student_id=leave.student_id, released_at=leave.requested_at)


def duo_report_item(report: DuoReport) -> Item:
    return Item(kind=DataKind.ATTENDANCE, id=report.pk, student_id=report.student_id, released_at=report.signalled_at)


def measure_item(measure: Measure) -> Item:
    return Item(kind=DataKind.BEHAVIOUR, id=measure.pk, student_id=measure.student_id, released_at=measure.created_at)


def lesson_attendance_item(lesson: Lesson, *, student_id: int, kind: str = DataKind.ATTENDANCE) -> Item:
    """One student's attendance (or, with `kind`, behaviour) in one lesson, as part of the lesson's group: what the
    lesson page shows of that student (the registration, and "ziek gemeld" where a sick report covers it)."""
    return Item(kind=kind, id=lesson.pk, student_id=student_id, released_at=ALWAYS_RELEASED, group_id=lesson.group_id)


def registration_q(ctx: Context) -> Q:
    """The registrations of the context's student this viewer may see now, as a Q that pins the student: attendance
    rows and removals, each by its own kind (OR several contexts' Qs for a list of students)."""
    if ctx.facts is None or ctx.audience == "none":
        return Q(pk__in=[])
    behaviour = BEHAVIOUR_GUARDIAN_FIELDS if ctx.audience == "guardian" else BEHAVIOUR_FIELDS
    shown = (Q(status__in=ATTENDANCE_STATUSES) & ctx.q(ATTENDANCE_FIELDS)) | (
        Q(status=Status.REMOVED) & ctx.q(behaviour)
    )
    return Q(student_id=ctx.student_id) & shown


def any_of(contexts: Iterable[Context], fields: ItemFields | None = None) -> Q:
    """The OR of several students' gates (each pins its own student): registrations, or items of `fields`."""
    out = Q(pk__in=[])
    for ctx in contexts:
        out |= registration_q(ctx) if fields is None else (Q(student_id=ctx.student_id) & ctx.q(fields))
    return out


def registrations_visible(ctx: Context, queryset: QuerySet[Registration] | None = None) -> QuerySet[Registration]:
    """The student's registrations this viewer may see now: attendance rows and behaviour rows, each by its kind."""
    if ctx.facts is None or ctx.audience == "none":
        return Registration.objects.none()
    qs = queryset if queryset is not None else Registration.objects.all()
    return qs.filter(registration_q(ctx))


def sees(ctx: Context, kind: str) -> bool:
    """Kind-level: whether this viewer sees the student's data of this kind at all (who appears on a list)."""
    return ctx.facts is not None and ctx.decide(kind_probe(student_id=ctx.student_id, kind=kind)).visible


def sick_reports_visible(ctx: Context) -> QuerySet[SickReport]:
    if ctx.facts is None or ctx.audience == "none":
        return SickReport.objects.none()
    return ctx.filter(SickReport.objects.filter(student_id=ctx.student_id), SICK_FIELDS)


def leave_visible(ctx: Context) -> QuerySet[LeaveRequest]:
    if ctx.facts is None or ctx.audience == "none":
        return LeaveRequest.objects.none()
    return ctx.filter(LeaveRequest.objects.filter(student_id=ctx.student_id), LEAVE_FIELDS)


# ------------------------------------------------------------------------------------------------- who is asking


def lives_on_own(*, student_id: int, today: dt.date) -> bool:
    """A student none of whose current parents or carers lives with them lives on their own (reports themself)."""
    relations = GuardianRelation.objects.filter(student_id=student_id)
    return not any(r.lives_with_student and r.is_current_on(today) for r in relations)


def reporter_of(ctx: Context) -> rules.Reporter:
    """The person asking, as the sick-report and leave rules see them."""
    if ctx.audience == "student":
        return rules.Reporter("student")
    if ctx.audience == "guardian" and ctx.relation is not None:
        return rules.Reporter("guardian", ctx.relation.custody, ctx.relation.is_current_on(ctx.today))
    if ctx.audience == "staff" and sees(ctx, DataKind.ATTENDANCE):
        return rules.Reporter("staff")
    return rules.Reporter("other")


def sick_refusal(ctx: Context) -> str | None:
    """None when this viewer may report this student sick or better; else the Dutch reason."""
    if ctx.facts is None:
        return rules.sick_report_refusal(reporter=rules.Reporter("other"), student_age=0, lives_on_own=False)
    reporter = reporter_of(ctx)
    on_own = reporter.kind == "student" and lives_on_own(student_id=ctx.student_id, today=ctx.today)
    return rules.sick_report_refusal(reporter=reporter, student_age=ctx.age(), lives_on_own=on_own)


def leave_refusal(ctx: Context) -> str | None:
    if ctx.facts is None:
        return rules.leave_request_refusal(reporter=rules.Reporter("other"), student_age=0)
    return rules.leave_request_refusal(reporter=reporter_of(ctx), student_age=ctx.age())


# ---------------------------------------------------------------------------------------------- what it means


@dataclass(frozen=True)
class Cover:
    """A student's sick reports and approved leave, for looking up which lessons they cover."""

    sick: Sequence[tuple[dt.datetime, dt.datetime | None]] = ()
    leave: Sequence[tuple[dt.date, dt.date]] = ()

    def sick_at(self, instant: dt.datetime) -> bool:
        # A student has a handful of reports a year: a scan is cheaper than keeping an interval index.
        return any(start <= instant and (end is None or instant < end) for start, end in self.sick)

    def leave_on(self, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.leave)


def covers_for(
    student_ids: Iterable[int],
    *,
    at: dt.datetime,
    contexts: Mapping[int, Context] | None = None,
    school_id: int | None = None,
) -> dict[int, Cover]:
    """Sick reports (made by `at`) and approved leave per student: two queries.

    With `contexts` (student id → the viewer's context) only the reports and leave the engine lets each viewer see
    are read; without, every one (the DUO scan, and the lesson page, which decides per student with
    `lesson_attendance_item` before it shows a cover). `school_id`: the students are a whole school's (the scan),
    filtered by school rather than by a list of ids."""
    sick: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    ids = list(student_ids)
    by = {"school_id": school_id} if school_id is not None and contexts is None else {"student_id__in": ids}
    sick_rows = SickReport.objects.filter(reported_at__lte=at, **by)
    leave_rows = LeaveRequest.objects.filter(state=LeaveRequest.State.APPROVED, **by)
    if contexts is not None:
        sick_rows = sick_rows.filter(any_of((contexts[i] for i in ids), SICK_FIELDS))
        leave_rows = leave_rows.filter(any_of((contexts[i] for i in ids), LEAVE_FIELDS))
    for sid, start, end in sick_rows.order_by("starts_at").values_list("student_id", "starts_at", "ends_at"):
        sick[sid].append((start, end))
    leave: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for sid, first, last in leave_rows.values_list("student_id", "start", "end"):
        leave[sid].append((first, last))
    return {sid: Cover(sick=sick.get(sid, ()), leave=leave.get(sid, ())) for sid in ids}


NO_COVER = Cover()


class Code:
    """The stable codes of what a registration means (templates and CSS compare these, never the words)."""

    PRESENT = "present"
    REMOVED = "removed"
    SICK_REPORTED = "sick_reported"
    LEAVE = "leave"
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"
    UNEXPLAINED = "unexplained"


@dataclass(frozen=True)
class Meaning:
    """What a registration means now: a stable code, authorised (True/False) or not yet known (None), and what the
    label needs (minutes late, the reason's name, the removal's note); `label` is the words in the active language."""

    code: str
    authorised: bool | None
    counts_minutes: int = 0  # minutes of absence (or lateness) this registration adds, before the lateness setting
    late_minutes: int = 0  # > 0: the student was late, not absent
    reason: str = ""  # the school's own name of the reason code (the school's words, not translated)
    note: str = ""

    @property
    def label(self) -> str:
        return meaning_label(self)


def meaning_label(m: Meaning) -> str:
    """The words for a meaning, translated when the page is read (not when the meaning was worked out)."""
    if m.code == Code.PRESENT:
        return gettext("aanwezig")
    if m.code == Code.REMOVED:
        return gettext("uitgestuurd: %(note)s") % {"note": m.note} if m.note else gettext("uitgestuurd")
    if m.code == Code.SICK_REPORTED:
        return gettext("ziek gemeld")
    if m.code == Code.LEAVE:
        return gettext("verlof")
    late = m.late_minutes > 0
    values = {"minutes": m.late_minutes, "reason": m.reason.lower()}
    if m.code == Code.AUTHORISED:
        text = gettext("te laat (%(minutes)s min), geoorloofd (%(reason)s)") if late else None
        return text % values if text else gettext("afwezig, geoorloofd (%(reason)s)") % values
    if m.code == Code.UNAUTHORISED and m.reason:
        if late:
            return gettext("te laat (%(minutes)s min), ongeoorloofd (%(reason)s)") % values
        return gettext("afwezig, ongeoorloofd (%(reason)s)") % values
    if m.code == Code.UNAUTHORISED:
        return gettext("te laat (%(minutes)s min), ongeoorloofd") % values if late else gettext("afwezig, ongeoorloofd")
    if m.code == Code.UNEXPLAINED:
        if late:
            return gettext("te laat (%(minutes)s min), nog niet verklaard") % values
        return gettext("afwezig, nog niet verklaard")
    return m.code  # fail loud rather than show a blank


SICK_REPORTED = Meaning(Code.SICK_REPORTED, True)


def meaning(
    reg: Registration,
    *,
    cover: Cover,
    calendar: SchoolCalendar,
    deadline_days: int,
    at: dt.datetime,
    reason_authorised: bool | None = None,
    reason_name: str = "",
) -> Meaning:
    """The rule shown to everyone: a lesson covered by a sick report is "ziek gemeld" (never unauthorised), approved
    leave is "verlof", a reason decides by its own rule, and an absence without a reason is "nog niet verklaard" until
    the school's deadline (`deadline_days` school days after the lesson), then "ongeoorloofd"."""
    if reg.status == Status.PRESENT:
        return Meaning(Code.PRESENT, True)
    if reg.status == Status.REMOVED:
        return Meaning(Code.REMOVED, None, note=reg.note)
    day = calendar.local_date(reg.starts_at)
    late = reg.late_minutes if reg.status == Status.LATE else 0
    minutes = reg.late_minutes if late else reg.minutes
    if cover.sick_at(reg.starts_at):
        return SICK_REPORTED
    if cover.leave_on(day):
        return Meaning(Code.LEAVE, True)
    if reason_authorised is not None:
        if reason_authorised:
            return Meaning(Code.AUTHORISED, True, late_minutes=late, reason=reason_name)
        return Meaning(Code.UNAUTHORISED, False, minutes, late_minutes=late, reason=reason_name)
    deadline = calendar.end_of_day(rules.school_days_after(calendar, day, deadline_days))
    if at < deadline:
        return Meaning(Code.UNEXPLAINED, None, late_minutes=late)
    return Meaning(Code.UNAUTHORISED, False, minutes, late_minutes=late)


def settings_for(school_id: int) -> AttendanceSettings:
    found = AttendanceSettings.objects.filter(school_id=school_id).first()
    return found if found is not None else AttendanceSettings(school_id=school_id)


@dataclass
class Row:
    reg: Registration
    meaning: Meaning


def student_registrations(*, ctx: Context, at: dt.datetime, since: dt.date | None = None) -> list[Row]:
    """The student's registrations this viewer may see, newest first, each with its meaning (constant queries)."""
    if ctx.facts is None:
        return []
    qs = registrations_visible(ctx).select_related("reason").order_by("-starts_at")
    if since is not None:
        qs = qs.filter(starts_at__gte=ctx.calendar.start_of_day(since))
    rows = list(qs[:500])
    cover = covers_for([ctx.student_id], at=at, contexts={ctx.student_id: ctx})[ctx.student_id]
    deadline = settings_for(ctx.facts.student.school_id).explain_deadline_school_days
    return [
        Row(
            r,
            meaning(
                r,
                cover=cover,
                calendar=ctx.calendar,
                deadline_days=deadline,
                at=at,
                reason_authorised=r.reason.authorised if r.reason else None,
                reason_name=r.reason.name if r.reason else "",
            ),
        )
        for r in rows
    ]


@dataclass
class Week:
    monday: dt.date
    explained: int = 0
    unexplained: int = 0
    unauthorised: int = 0
    late: int = 0
    removed: int = 0

    @property
    def words(self) -> str:
        """The week in plain words, in the active language."""
        parts = []
        if self.explained:
            parts.append(
                ngettext("%(n)s les afwezig met reden", "%(n)s lessen afwezig met reden", self.explained)
                % {"n": self.explained}
            )
        if self.unexplained:
            parts.append(gettext("%(n)s nog niet verklaard") % {"n": self.unexplained})
        if self.unauthorised:
            parts.append(gettext("%(n)s ongeoorloofd afwezig") % {"n": self.unauthorised})
        if self.late:
            parts.append(gettext("%(n)s keer te laat") % {"n": self.late})
        if self.removed:
            parts.append(gettext("%(n)s keer uitgestuurd") % {"n": self.removed})
        return ", ".join(parts) if parts else gettext("geen absenties")


def weeks_of(rows: Iterable[Row], calendar: SchoolCalendar) -> list[Week]:
    """Per week, in plain words: explained, not yet explained, unauthorised, late, removed."""
    weeks: dict[dt.date, Week] = {}
    for row in rows:
        monday = duo.week_start(calendar.local_date(row.reg.starts_at))
        week = weeks.setdefault(monday, Week(monday))
        code = row.meaning.code
        if row.reg.status == Status.LATE and code in (Code.UNAUTHORISED, Code.UNEXPLAINED):
            week.late += 1
        elif code == Code.REMOVED:
            week.removed += 1
        elif code == Code.UNEXPLAINED:
            week.unexplained += 1
        elif code == Code.UNAUTHORISED:
            week.unauthorised += 1
        elif code != Code.PRESENT:
            week.explained += 1
    return sorted(weeks.values(), key=lambda w: w.monday, reverse=True)


def pending_sick_report(*, student_id: int, at: dt.datetime) -> SickReport | None:
    """The student's running sick report, for the writes only (one report at a time; "beter melden" ends it): what a
    page shows comes from `pending_sick_report_visible`."""
    return (
        SickReport.objects.filter(student_id=student_id, reported_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .order_by("-starts_at")
        .first()
    )


def pending_sick_report_visible(ctx: Context) -> SickReport | None:
    """The running sick report this viewer may see (through the engine), if any."""
    return (
        sick_reports_visible(ctx).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=ctx.at)).order_by("-starts_at").first()
    )


def leave_requests_visible(ctx: Context, *, limit: int = 10) -> list[LeaveRequest]:
    return list(leave_visible(ctx).order_by("-start")[:limit])


def today_lessons(ctx: Context, day: dt.date) -> list[Lesson]:
    """The student's lessons of a day as the viewer may see them (the timetable kind), withdrawn ones left out."""
    from inzage.timetable.queries import visible_lessons

    if ctx.facts is None or ctx.audience == "none":
        return []
    return [
        lesson
        for lesson in visible_lessons(viewer=ctx.viewer, student=ctx.facts.student, at=ctx.at, start=day, end=day)
        if lesson.withdrawn_at is None
    ]


@dataclass
class LessonRow:
    """One student on the teacher's lesson page: shown (the engine lets this viewer see the student's attendance in
    this lesson) with the registration and the sick flag, or not shown (left alone when the lesson is saved)."""

    student: Student
    shown: bool
    reg: Registration | None = None
    status: str = Status.PRESENT
    late: int | str = ""
    note: str = ""
    sick: bool = False
    error: str = ""


def lesson_rows(*, viewer: Viewer, lesson: Lesson, at: dt.datetime) -> list[LessonRow]:
    """The lesson's students with what this viewer may see of their attendance in it: each student's attendance item
    of this lesson (and, for a removal, its behaviour item) decided by the engine; registrations read through each
    student's gate. Constant queries in the class size (facts primed in three)."""
    from inzage.visibility.policy.facts import staff_facts_prime

    students = list(lesson.group.students.order_by("last_name", "first_name", "pk"))
    ids = [s.pk for s in students]
    staff_facts_prime(viewer=viewer, student_ids=ids)
    contexts = {sid: context_for(viewer=viewer, student_id=sid, at=at) for sid in ids}
    # The page shows and saves absence and removals together: a student is on it when the viewer sees both kinds of
    # this lesson (a school that hides removals from teachers leaves the student's row alone rather than overwrite a
    # removal the teacher cannot see).
    shown = {
        sid
        for sid in ids
        if all(
            contexts[sid].decide(lesson_attendance_item(lesson, student_id=sid, kind=kind)).visible
            for kind in (DataKind.ATTENDANCE, DataKind.BEHAVIOUR)
        )
    }
    regs = {
        r.student_id: r
        for r in Registration.objects.filter(lesson=lesson).filter(any_of(contexts[sid] for sid in shown))
    }
    covers = covers_for(shown, at=at)  # shown per student: decided by the lesson's attendance item above
    rows = []
    for s in students:
        if s.pk not in shown:
            rows.append(LessonRow(student=s, shown=False))
            continue
        reg = regs.get(s.pk)
        rows.append(
            LessonRow(
                student=s,
                shown=True,
                reg=reg,
                status=reg.status if reg else Status.PRESENT,
                late=reg.late_minutes if reg and reg.late_minutes else "",
                note=reg.note if reg else "",
                sick=covers[s.pk].sick_at(lesson.starts_at),
            )
        )
    return rows


def measures_visible(ctx: Context) -> list[Measure]:
    if ctx.facts is None or ctx.audience == "none":
        return []
    qs = ctx.filter(Measure.objects.filter(student_id=ctx.student_id), MEASURE_FIELDS)
    return list(qs.order_by("-due_at")[:50])


# ------------------------------------------------------------------------------------------------------- DUO scan


@dataclass
class ScanResult:
    signals: list[tuple[int, duo.Signal]] = field(default_factory=list)
    students: int = 0
    registrations: int = 0


def duo_history(
    *, school_id: int, at: dt.datetime, calendar: SchoolCalendar, contexts: Mapping[int, Context] | None = None
) -> dict[int, list[duo.Absence]]:
    """Per student the unauthorised absences that count, by the rule everyone sees (`meaning`): covered by a sick
    report or approved leave, or with an authorised reason: not counted; without a reason: counted once the school's
    deadline for explaining has passed.

    Without `contexts`: the whole school, for the scan (the school's duty, shown to nobody as such). With them (student
    id → a viewer's context): those students only, through the engine, for a page that shows the counts."""
    settings_row = settings_for(school_id)
    # What can never count is left in the database: lateness while it does not count, and absence with an
    # authorised reason (most absence is explained; the scan of a whole year reads a fraction of the rows).
    counted = [Status.ABSENT, Status.LATE] if settings_row.late_counts else [Status.ABSENT]
    base = Registration.objects.filter(school_id=school_id, starts_at__lte=at, status__in=counted).filter(
        Q(reason__isnull=True) | Q(reason__authorised=False)
    )
    if contexts is not None:
        base = base.filter(any_of(contexts.values()))
    rows = base.order_by().values_list(
        "student_id", "starts_at", "minutes", "status", "late_minutes", "reason__authorised"
    )
    by_student: dict[int, list[tuple[dt.datetime, int, str, int, bool | None]]] = defaultdict(list)
    for sid, starts_at, minutes, status, late_minutes, reason_ok in rows.iterator(chunk_size=20000):
        by_student[sid].append((starts_at, minutes, status, late_minutes, reason_ok))
    covers = covers_for(by_student.keys(), at=at, contexts=contexts, school_id=school_id)
    deadline_days = settings_row.explain_deadline_school_days
    deadline_cache: dict[dt.date, dt.datetime] = {}
    out: dict[int, list[duo.Absence]] = {}
    for sid, items in by_student.items():
        cover = covers.get(sid, NO_COVER)
        absences = []
        for starts_at, minutes, status, late_minutes, reason_known in items:
            late = status == Status.LATE
            authorised: bool
            if cover.sick_at(starts_at):
                authorised = True
            else:
                day = calendar.local_date(starts_at)
                if cover.leave_on(day):
                    authorised = True
                elif reason_known is not None:
                    authorised = reason_known
                else:
                    deadline = deadline_cache.get(day)
                    if deadline is None:
                        deadline = calendar.end_of_day(rules.school_days_after(calendar, day, deadline_days))
                        deadline_cache[day] = deadline
                    if at < deadline:
                        continue  # not yet explained: not counted until the deadline passes
                    authorised = False
            if not authorised:
                absences.append(duo.Absence(starts_at, late_minutes if late else minutes, False, late))
        out[sid] = absences
    return out


def duo_signals(*, school_id: int, at: dt.datetime, calendar: SchoolCalendar) -> ScanResult:
    """Threshold signals for students of compulsory school age, counting only after their last report."""
    settings_row = settings_for(school_id)
    duo_settings = duo.DuoSettings(settings_row.late_counts, settings_row.late_minutes_per_hour)
    history = duo_history(school_id=school_id, at=at, calendar=calendar)
    last: dict[int, dt.datetime] = {}
    for sid, until in DuoReport.objects.filter(school_id=school_id, kind=DuoReport.Kind.THRESHOLD).values_list(
        "student_id", "counted_until"
    ):
        if sid not in last or until > last[sid]:
            last[sid] = until
    today = calendar.local_date(at)
    students = {
        s.pk: s
        for s in Student.objects.filter(school_id=school_id).only("pk", "date_of_birth", "has_starting_qualification")
    }
    result = ScanResult(students=len(history), registrations=sum(len(v) for v in history.values()))
    # One numbering of the school weeks for everyone (only differences count), instead of one per student.
    instants = [a.at for absences in history.values() for a in absences]
    weeks = (
        duo.school_week_index(calendar, [calendar.local_date(min(instants)), calendar.local_date(max(instants))])
        if instants
        else {}
    )
    for sid, absences in history.items():
        student = students.get(sid)
        if student is None or not duo.of_compulsory_school_age(
            age=student.age_on(today), has_starting_qualification=student.has_starting_qualification
        ):
            continue
        for signal in duo.threshold_signals(
            history=absences, calendar=calendar, settings=duo_settings, counted_after=last.get(sid), weeks=weeks
        ):
            result.signals.append((sid, signal))
    return result


def last_report_until(*, school_id: int, student_ids: Iterable[int] | None = None) -> dict[int, dt.datetime]:
    qs = DuoReport.objects.filter(school_id=school_id, kind=DuoReport.Kind.THRESHOLD).exclude(
        state=DuoReport.State.WITHDRAWN
    )
    if student_ids is not None:
        qs = qs.filter(student_id__in=list(student_ids))
    last: dict[int, dt.datetime] = {}
    for sid, until in qs.values_list("student_id", "counted_until"):
        if sid not in last or until > last[sid]:
            last[sid] = until
    return last


# ------------------------------------------------------------------------------------------------- overviews

APPROACHING_MINUTES = 10 * 60  # the mentor's list: 10 of the 16 hours in the current window


@dataclass
class MenteeLine:
    student: Student
    unauthorised: int = 0
    unexplained: int = 0
    explained: int = 0
    late: int = 0
    removed: int = 0
    window_hours: float = 0.0
    sick_now: bool = False

    @property
    def approaching(self) -> bool:
        return self.window_hours * 60 >= APPROACHING_MINUTES


def mentor_overview(*, viewer: Viewer, at: dt.datetime) -> dict[str, object]:
    """The mentor's classes: per mentee this school year's absence counts and the hours in the current DUO window, and
    new sick reports. Mentees whose attendance the engine does not give the mentor are left out; everything else is
    read through each mentee's own gate (registrations, sick reports, leave). Constant queries."""
    from inzage.staff.queries import class_members, mentor_classes
    from inzage.visibility.policy.facts import staff_facts_prime

    assert viewer.school_id is not None
    calendar = SchoolCalendar.load(viewer.school_id)
    today = calendar.local_date(at)
    classes = mentor_classes(viewer=viewer, at=at, today=today)
    members = class_members(classes, today=today)
    ids = {s.pk for group in members.values() for s in group}
    staff_facts_prime(viewer=viewer, student_ids=ids)
    all_contexts = {sid: context_for(viewer=viewer, student_id=sid, at=at) for sid in ids}
    contexts = {sid: ctx for sid, ctx in all_contexts.items() if sees(ctx, DataKind.ATTENDANCE)}
    year_start = next((c.school_year.start for c in classes), today)
    lines = {sid: MenteeLine(s) for group in members.values() for s in group if (sid := s.pk) in contexts}
    covers = covers_for(contexts, at=at, contexts=contexts)
    settings_row = settings_for(viewer.school_id)
    regs = (
        Registration.objects.filter(starts_at__gte=calendar.start_of_day(year_start), starts_at__lte=at)
        .filter(any_of(contexts.values()))
        .select_related("reason")
    )
    for reg in regs if contexts else ():
        m = meaning(
            reg,
            cover=covers[reg.student_id],
            calendar=calendar,
            deadline_days=settings_row.explain_deadline_school_days,
            at=at,
            reason_authorised=reg.reason.authorised if reg.reason else None,
            reason_name=reg.reason.name if reg.reason else "",
        )
        line = lines[reg.student_id]
        if reg.status == Status.LATE:
            line.late += 1
        elif m.code == Code.REMOVED:
            line.removed += 1
        elif m.code == Code.UNAUTHORISED:
            line.unauthorised += 1
        elif m.code == Code.UNEXPLAINED:
            line.unexplained += 1
        elif m.code != Code.PRESENT:
            line.explained += 1
    history = duo_history(school_id=viewer.school_id, at=at, calendar=calendar, contexts=contexts) if contexts else {}
    last = last_report_until(school_id=viewer.school_id, student_ids=contexts)
    duo_settings = duo.DuoSettings(settings_row.late_counts, settings_row.late_minutes_per_hour)
    for sid, absences in history.items():
        minutes = duo.window_minutes(
            history=absences, calendar=calendar, settings=duo_settings, today=today, counted_after=last.get(sid)
        )
        lines[sid].window_hours = float(minutes / 60)
    for sid, line in lines.items():
        line.sick_now = covers[sid].sick_at(at)
    new_reports = (
        list(
            SickReport.objects.filter(reported_at__gte=at - dt.timedelta(days=3))
            .filter(any_of(contexts.values(), SICK_FIELDS))
            .select_related("student")
            .order_by("-reported_at")
        )
        if contexts
        else []
    )
    return {
        "classes": [(c, [lines[s.pk] for s in members[c.pk] if s.pk in lines]) for c in classes],
        "new_reports": new_reports,
    }


def officer_overview(*, viewer: Viewer, at: dt.datetime, state: str = "", klas: str = "") -> dict[str, object]:
    """The attendance officer's worklist: new sick reports, DUO signals and reports (filterable by status), reports
    due within 5 working days, pending leave, open measures, and unauthorised absence per class this year.

    Every row is decided by the engine for its student (facts primed for all listed students at once): DUO reports,
    sick reports and leave as `attendance` items, the per-class counts per student by the student's `attendance`.
    When the school's staff table gives attendance officers no attendance at all the page says so."""
    from inzage.visibility.policy.facts import active_policy, staff_facts_prime

    assert viewer.school_id is not None
    school_id = viewer.school_id
    if DataKind.ATTENDANCE not in active_policy(school_id).staff.get("attendance_officer", frozenset()):
        return {"allowed": False}  # the engine would hide every row below; say why instead of showing empty lists
    calendar = SchoolCalendar.load(school_id)
    today = calendar.local_date(at)
    reports = DuoReport.objects.filter(school_id=school_id).select_related("student").order_by("due_on", "pk")
    if state in DuoReport.State.values:
        reports = reports.filter(state=state)
    else:
        reports = reports.exclude(state__in=[DuoReport.State.CLOSED, DuoReport.State.WITHDRAWN])
    report_list = list(reports[:200])
    sick = list(
        SickReport.objects.filter(school_id=school_id, reported_at__gte=at - dt.timedelta(days=3))
        .select_related("student")
        .order_by("-reported_at")[:100]
    )
    leave = list(
        LeaveRequest.objects.filter(school_id=school_id, state=LeaveRequest.State.PENDING)
        .select_related("student")
        .order_by("start")[:100]
    )
    year = SchoolYearSpan.of(calendar, today)
    per_student = (
        Registration.objects.filter(
            school_id=school_id,
            status=Status.ABSENT,
            reason__authorised=False,
            starts_at__gte=calendar.start_of_day(year[0]),
            starts_at__lte=at,
        )
        .filter(student__class_memberships__school_year__start=year[0])
        .values("student__class_memberships__school_class__name", "student_id")
        .annotate(n=models.Count("pk"))
        .order_by("student__class_memberships__school_class__name")
    )
    if klas:
        per_student = per_student.filter(student__class_memberships__school_class__name__iexact=klas)
    counts = list(per_student)
    measures = list(
        Measure.objects.filter(school_id=school_id, state=Measure.State.OPEN, due_at__lt=at).only(
            "pk", "student_id", "created_at"
        )
    )
    ids = {r.student_id for r in report_list} | {s.student_id for s in sick} | {x.student_id for x in leave}
    ids |= {row["student_id"] for row in counts} | {m.student_id for m in measures}
    staff_facts_prime(viewer=viewer, student_ids=ids)

    def shows(item: Item) -> bool:
        return context_for(viewer=viewer, student_id=item.student_id, at=at).decide(item).visible

    report_list = [r for r in report_list if shows(duo_report_item(r))]
    due_soon = [
        r
        for r in report_list
        if r.state == DuoReport.State.NEW and r.due_on <= rules.school_days_after(calendar, today, 5)
    ]
    per_class: dict[str, dict[str, Any]] = {}
    for row in counts:
        if not sees(context_for(viewer=viewer, student_id=row["student_id"], at=at), DataKind.ATTENDANCE):
            continue
        name = row["student__class_memberships__school_class__name"]
        line = per_class.setdefault(name, {"name": name, "n": 0, "students": 0})
        line["n"] += row["n"]
        line["students"] += 1
    open_measures = sum(1 for m in measures if shows(measure_item(m)))
    return {
        "allowed": True,
        "reports": report_list,
        "due_soon": due_soon,
        "sick": [x for x in sick if shows(sick_report_item(x))],
        "leave": [x for x in leave if shows(leave_item(x))],
        "open_measures": open_measures,
        "per_class": list(per_class.values()),
        "states": DuoReport.State.choices,
    }


class SchoolYearSpan:
    @staticmethod
    def of(calendar: SchoolCalendar, today: dt.date) -> tuple[dt.date, dt.date]:
        for start, end in calendar.years:
            if start <= today <= end:
                return start, end
        earlier = [y for y in calendar.years if y[0] <= today]
        return earlier[-1] if earlier else (today, today)


def duo_report_fields(*, report: DuoReport, reporter: Any) -> list[tuple[str, str]]:
    """The fields of the Besluit Verzuimmelding, in order, as (Dutch label, value)."""
    from inzage.people.models import Guardian

    student = report.student
    staff = getattr(reporter, "staff", None)
    relations = list(GuardianRelation.objects.filter(student=student).select_related("guardian").order_by("pk"))
    phones = ", ".join(r.guardian.phone for r in relations if r.guardian.phone and r.has_gezag)
    other_address = next(
        (r.guardian.address for r in relations if not r.lives_with_student and r.has_gezag and r.guardian.address), ""
    )
    hours, minutes = divmod(report.minutes, 60)
    del Guardian
    return [
        ("Leerlingnummer (PGN)", student.student_number),
        ("Naam leerling", student.full_name),
        ("Geboortedatum", f"{student.date_of_birth:%d-%m-%Y}"),
        ("Begindatum verzuim", f"{report.start:%d-%m-%Y}"),
        ("Einddatum verzuim", f"{report.end:%d-%m-%Y}"),
        ("Vermoedelijke soort verzuim", report.get_kind_display()),
        ("Vermoedelijke reden", report.suspected_reason or "onbekend"),
        ("Alle lessen verzuimd", "J" if report.all_lessons_missed else "N"),
        ("Actie ondernomen door de school", report.school_action or ""),
        ("Actie van de gemeente gewenst", "J" if report.municipality_action_wanted else "N"),
        ("Naam vestiging", str(getattr(student, "school", ""))),
        ("Melder: naam", staff.full_name if staff else getattr(reporter, "username", "")),
        ("Melder: functie", "verzuimcoördinator"),
        ("Melder: telefoon", ""),
        ("Melder: e-mail", (staff.email if staff else "") or getattr(reporter, "email", "")),
        ("Telefoon ouder/leerling", phones),
        ("Alternatief adres", other_address),
        ("Dagen afwezig", str(report.days_absent)),
        ("Uren afwezig", f"{hours}:{minutes:02d}"),
        ("Status", report.get_state_display()),
    ]
