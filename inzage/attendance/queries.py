"""Reads of attendance: what a registration means (ziek gemeld, verlof, nog niet verklaard, ongeoorloofd...), who
is asking, the overviews and the DUO scan's history. Every read of one student's registrations goes through the
engine (`ctx.filter` with `ATTENDANCE_FIELDS` / `BEHAVIOUR_FIELDS`, `ctx.decide` with the same items)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
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
from inzage.visibility.policy import Context, Item, ItemFields, Viewer
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


def duo_history(
    *, school_id: int, at: dt.datetime, calendar: SchoolCalendar, student_ids: Iterable[int] | None = None
) -> dict[int, list[duo.Absence]]:
    """Per student the unauthorised absences that count, by the rule everyone sees (`meaning`): covered by a sick
    report or approved leave, or with an authorised reason: not counted; without a reason: counted once the school's
    deadline for explaining has passed."""
    settings_row = settings_for(school_id)
    base = Registration.objects.filter(school_id=school_id, starts_at__lte=at, status__in=[Status.ABSENT, Status.LATE])
    if student_ids is not None:
        base = base.filter(student_id__in=list(student_ids))
    rows = base.order_by().values_list(
        "student_id", "starts_at", "minutes", "status", "late_minutes", "reason__authorised"
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
    """The mentor's classes: per mentee this school year's absence counts and the hours in the current DUO window
    (through the engine: only mentees whose attendance the mentor sees), and new sick reports. Constant queries."""
    from inzage.staff.queries import class_members, mentor_classes
    from inzage.visibility.policy import context_for
    from inzage.visibility.policy.facts import staff_facts_prime

    assert viewer.school_id is not None
    calendar = SchoolCalendar.load(viewer.school_id)
    today = calendar.local_date(at)
    classes = mentor_classes(viewer=viewer, at=at, today=today)
    members = class_members(classes, today=today)
    ids = {s.pk for group in members.values() for s in group}
    staff_facts_prime(viewer=viewer, student_ids=ids)
    shown = {sid for sid in ids if sees(context_for(viewer=viewer, student_id=sid, at=at), DataKind.ATTENDANCE)}
    year_start = next((c.school_year.start for c in classes), today)
    lines = {sid: MenteeLine(s) for group in members.values() for s in group if (sid := s.pk) in shown}
    covers = covers_for(shown, at=at)
    settings_row = settings_for(viewer.school_id)
    regs = Registration.objects.filter(
        student_id__in=shown, starts_at__gte=calendar.start_of_day(year_start), starts_at__lte=at
    ).select_related("reason")
    for reg in regs:
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
        elif m.code == "removed":
            line.removed += 1
        elif m.code == "unauthorised":
            line.unauthorised += 1
        elif m.code == "unexplained":
            line.unexplained += 1
        elif m.code != "present":
            line.explained += 1
    history = duo_history(school_id=viewer.school_id, at=at, calendar=calendar, student_ids=shown)
    last = last_report_until(school_id=viewer.school_id, student_ids=shown)
    duo_settings = duo.DuoSettings(settings_row.late_counts, settings_row.late_minutes_per_hour)
    for sid, absences in history.items():
        minutes = duo.window_minutes(
            history=absences, calendar=calendar, settings=duo_settings, today=today, counted_after=last.get(sid)
        )
        lines[sid].window_hours = float(minutes / 60)
    for sid, line in lines.items():
        line.sick_now = covers[sid].sick_at(at)
    new_reports = list(
        SickReport.objects.filter(student_id__in=shown, reported_at__gte=at - dt.timedelta(days=3))
        .select_related("student")
        .order_by("-reported_at")
    )
    return {
        "classes": [(c, [lines[s.pk] for s in members[c.pk] if s.pk in lines]) for c in classes],
        "new_reports": new_reports,
    }


def officer_overview(*, viewer: Viewer, at: dt.datetime, state: str = "", klas: str = "") -> dict[str, object]:
    """The attendance officer's worklist: new sick reports, DUO signals and reports (filterable by status), reports
    due within 5 working days, pending leave, open measures, and unauthorised absence per class this year.

    The officer's role reaches every student of the school; whether it gives `attendance` is the school's staff
    table, asked once (it is the same for every student of a whole-school role)."""
    from inzage.schools.models import ClassMembership
    from inzage.visibility.policy.facts import active_policy

    assert viewer.school_id is not None
    school_id = viewer.school_id
    if DataKind.ATTENDANCE not in active_policy(school_id).staff.get("attendance_officer", frozenset()):
        return {"allowed": False}
    calendar = SchoolCalendar.load(school_id)
    today = calendar.local_date(at)
    reports = DuoReport.objects.filter(school_id=school_id).select_related("student").order_by("due_on", "pk")
    if state in DuoReport.State.values:
        reports = reports.filter(state=state)
    else:
        reports = reports.exclude(state__in=[DuoReport.State.CLOSED, DuoReport.State.WITHDRAWN])
    report_list = list(reports[:200])
    due_soon = [
        r for r in report_list if r.state == DuoReport.State.NEW and r.due_on <= calendar.add_school_days(today, 5)
    ]
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
    open_measures = Measure.objects.filter(school_id=school_id, state=Measure.State.OPEN, due_at__lt=at).count()
    year = SchoolYearSpan.of(calendar, today)
    per_class = (
        Registration.objects.filter(
            school_id=school_id,
            status=Status.ABSENT,
            reason__authorised=False,
            starts_at__gte=calendar.start_of_day(year[0]),
            starts_at__lte=at,
        )
        .values("student__class_memberships__school_class__name")
        .annotate(n=models.Count("pk"), students=models.Count("student", distinct=True))
        .filter(student__class_memberships__school_year__start=year[0])
        .order_by("student__class_memberships__school_class__name")
    )
    if klas:
        per_class = per_class.filter(student__class_memberships__school_class__name__iexact=klas)
    del ClassMembership
    return {
        "allowed": True,
        "reports": report_list,
        "due_soon": due_soon,
        "sick": sick,
        "leave": leave,
        "open_measures": open_measures,
        "per_class": list(per_class),
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
