"""Reads of attendance: what a registration means (ziek gemeld, verlof, nog niet verklaard, ongeoorloofd...), who
is asking, the overviews and the DUO scan's history. Every read of one student's registrations goes through the
engine (`ctx.filter` with `ATTENDANCE_FIELDS` / `BEHAVIOUR_FIELDS`, `ctx.decide` with the same items)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

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
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Context, Item, ItemFields
from inzage.visibility.queries import kind_probe

# Absence, lateness and sick reports are `attendance`; a removal from class and its measure are `behaviour`. A
# removal reaches guardians at `guardian_release_at` (the school's delay: the student tells first); the student and
# staff see it at `recorded_at`.
ATTENDANCE_FIELDS = ItemFields(kind=DataKind.ATTENDANCE, release=("recorded_at",))
BEHAVIOUR_FIELDS = ItemFields(kind=DataKind.BEHAVIOUR, release=("recorded_at",))
BEHAVIOUR_GUARDIAN_FIELDS = ItemFields(kind=DataKind.BEHAVIOUR, release=("guardian_release_at",))
MEASURE_FIELDS = ItemFields(kind=DataKind.BEHAVIOUR, release=("created_at",))


def kind_of(status: str) -> str:
    return DataKind.BEHAVIOUR if status == Status.REMOVED else DataKind.ATTENDANCE


def registration_item(reg: Registration, *, audience: str) -> Item:
    """The engine's item for a registration (the same fields `registrations_visible` filters on)."""
    kind = kind_of(reg.status)
    released = reg.recorded_at
    if kind == DataKind.BEHAVIOUR and audience == "guardian":
        released = reg.guardian_release_at
    return Item(kind=kind, id=reg.pk, student_id=reg.student_id, released_at=released, group_id=reg.group_id)


def registrations_visible(ctx: Context, queryset: QuerySet[Registration] | None = None) -> QuerySet[Registration]:
    """The student's registrations this viewer may see now: attendance rows and behaviour rows, each by its kind."""
    if ctx.facts is None or ctx.audience == "none":
        return Registration.objects.none()
    qs = queryset if queryset is not None else Registration.objects.all()
    qs = qs.filter(student_id=ctx.student_id)
    behaviour = BEHAVIOUR_GUARDIAN_FIELDS if ctx.audience == "guardian" else BEHAVIOUR_FIELDS
    shown = (Q(status__in=[Status.ABSENT, Status.LATE, Status.PRESENT]) & ctx.q(ATTENDANCE_FIELDS)) | (
        Q(status=Status.REMOVED) & ctx.q(behaviour)
    )
    return qs.filter(shown)


def sees(ctx: Context, kind: str) -> bool:
    return ctx.facts is not None and ctx.decide(kind_probe(student_id=ctx.student_id, kind=kind)).visible


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


def covers_for(student_ids: Iterable[int], *, at: dt.datetime) -> dict[int, Cover]:
    """Sick reports (made by `at`) and approved leave per student: two queries."""
    sick: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    ids = list(student_ids)
    for sid, start, end in (
        SickReport.objects.filter(student_id__in=ids, reported_at__lte=at)
        .order_by("starts_at")
        .values_list("student_id", "starts_at", "ends_at")
    ):
        sick[sid].append((start, end))
    leave: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for sid, first, last in LeaveRequest.objects.filter(
        student_id__in=ids, state=LeaveRequest.State.APPROVED
    ).values_list("student_id", "start", "end"):
        leave[sid].append((first, last))
    return {sid: Cover(sick=sick.get(sid, ()), leave=leave.get(sid, ())) for sid in ids}


@dataclass(frozen=True)
class Meaning:
    """What a registration means now: a code, the Dutch words, authorised (True/False) or not yet known (None)."""

    code: str
    label: str
    authorised: bool | None
    counts_minutes: int = 0  # minutes of absence (or lateness) this registration adds, before the lateness setting


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
        return Meaning("present", "aanwezig", True)
    if reg.status == Status.REMOVED:
        return Meaning("removed", "uitgestuurd" + (f": {reg.note}" if reg.note else ""), None)
    day = calendar.local_date(reg.starts_at)
    late = reg.status == Status.LATE
    minutes = reg.late_minutes if late else reg.minutes
    what = f"te laat ({reg.late_minutes} min)" if late else "afwezig"
    if cover.sick_at(reg.starts_at):
        return Meaning("sick_reported", "ziek gemeld", True)
    if cover.leave_on(day):
        return Meaning("leave", "verlof", True)
    if reason_authorised is not None:
        if reason_authorised:
            return Meaning("authorised", f"{what}, geoorloofd ({reason_name.lower()})", True)
        return Meaning("unauthorised", f"{what}, ongeoorloofd ({reason_name.lower()})", False, minutes)
    deadline = calendar.end_of_day(calendar.add_school_days(day, deadline_days))
    if at < deadline:
        return Meaning("unexplained", f"{what}, nog niet verklaard", None)
    return Meaning("unauthorised", f"{what}, ongeoorloofd", False, minutes)


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
    cover = covers_for([ctx.student_id], at=at)[ctx.student_id]
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
        parts = []
        if self.explained:
            parts.append(f"{self.explained} les{'sen' if self.explained > 1 else ''} afwezig met reden")
        if self.unexplained:
            parts.append(f"{self.unexplained} nog niet verklaard")
        if self.unauthorised:
            parts.append(f"{self.unauthorised} ongeoorloofd afwezig")
        if self.late:
            parts.append(f"{self.late} keer te laat")
        if self.removed:
            parts.append(f"{self.removed} keer uitgestuurd")
        return ", ".join(parts) if parts else "geen absenties"


def weeks_of(rows: Iterable[Row], calendar: SchoolCalendar) -> list[Week]:
    """Per week, in plain words: explained, not yet explained, unauthorised, late, removed."""
    weeks: dict[dt.date, Week] = {}
    for row in rows:
        monday = duo.week_start(calendar.local_date(row.reg.starts_at))
        week = weeks.setdefault(monday, Week(monday))
        code = row.meaning.code
        if row.reg.status == Status.LATE and code in ("unauthorised", "unexplained"):
            week.late += 1
        elif code == "removed":
            week.removed += 1
        elif code == "unexplained":
            week.unexplained += 1
        elif code == "unauthorised":
            week.unauthorised += 1
        elif code != "present":
            week.explained += 1
    return sorted(weeks.values(), key=lambda w: w.monday, reverse=True)


def pending_sick_report(*, student_id: int, at: dt.datetime) -> SickReport | None:
    return (
        SickReport.objects.filter(student_id=student_id, reported_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .order_by("-starts_at")
        .first()
    )


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


def duo_history(*, school_id: int, at: dt.datetime, calendar: SchoolCalendar) -> dict[int, list[duo.Absence]]:
    """Per student the absences that may count, authorised or not by the rule everyone sees (`meaning`)."""
    settings_row = settings_for(school_id)
    rows = (
        Registration.objects.filter(school_id=school_id, starts_at__lte=at, status__in=[Status.ABSENT, Status.LATE])
        .order_by()
        .values_list("student_id", "starts_at", "minutes", "status", "late_minutes", "reason__authorised")
    )
    by_student: dict[int, list[tuple[dt.datetime, int, str, int, bool | None]]] = defaultdict(list)
    for sid, starts_at, minutes, status, late_minutes, reason_ok in rows.iterator(chunk_size=20000):
        by_student[sid].append((starts_at, minutes, status, late_minutes, reason_ok))
    covers = covers_for(by_student.keys(), at=at)
    deadline_days = settings_row.explain_deadline_school_days
    deadline_cache: dict[dt.date, dt.datetime] = {}
    out: dict[int, list[duo.Absence]] = {}
    for sid, items in by_student.items():
        cover = covers[sid]
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
                        deadline = calendar.end_of_day(calendar.add_school_days(day, deadline_days))
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
        for s in Student.objects.filter(pk__in=history.keys()).only("pk", "date_of_birth", "has_starting_qualification")
    }
    result = ScanResult(students=len(history), registrations=sum(len(v) for v in history.values()))
    for sid, absences in history.items():
        student = students.get(sid)
        if student is None or not duo.of_compulsory_school_age(
            age=student.age_on(today), has_starting_qualification=student.has_starting_qualification
        ):
            continue
        for signal in duo.threshold_signals(
            history=absences, calendar=calendar, settings=duo_settings, counted_after=last.get(sid)
        ):
            result.signals.append((sid, signal))
    return result
