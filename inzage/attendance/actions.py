"""Writes of the attendance work. Each action says what its caller must have checked; every change keeps who,
when and why, and nothing is deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from inzage.attendance import rules
from inzage.attendance.models import (
    AttendanceSettings,
    DuoReport,
    DuoReportChange,
    LeaveRequest,
    LessonRegistration,
    Measure,
    MeasureRule,
    ReasonCode,
    Registration,
    RegistrationVersion,
    SickReport,
    Status,
)
from inzage.people.models import Student
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import School
from inzage.timetable.models import Lesson

DEFAULT_REASONS = [
    # code, name, category, authorised, by guardian, by adult student, needs approval, needs end
    ("ziek", "Ziek", "sick", True, True, True, False, True),
    ("medisch", "Huisarts, tandarts of ziekenhuis", "medical", True, True, True, False, False),
    ("verlof", "Verlof (toegekend)", "leave", True, False, False, True, True),
    ("familie", "Familieomstandigheden", "family", True, True, True, True, False),
    ("vrijstelling", "Vrijstelling", "exempt", True, False, False, True, True),
    ("spijbelen", "Spijbelen", "truancy", False, False, False, False, False),
    ("onbekend", "Zonder geldige reden", "other", False, False, False, False, False),
]

DEFAULT_MEASURE_RULES = [
    ("late", "Om 08:00 melden bij de conciërge", MeasureRule.When.NEXT_SCHOOL_DAY, dt.time(8, 0)),
    ("removed", "Melden bij de coördinator", MeasureRule.When.SAME_DAY, dt.time(15, 30)),
]


def attendance_defaults_ensure(*, school: School) -> AttendanceSettings:
    """The school's settings, reason codes and come-back rules, created with the defaults when missing."""
    settings_row, _ = AttendanceSettings.objects.get_or_create(school=school)
    if not ReasonCode.objects.filter(school=school).exists():
        ReasonCode.objects.bulk_create(
            ReasonCode(
                school=school,
                code=code,
                name=name,
                category=category,
                authorised=authorised,
                by_guardian=by_guardian,
                by_adult_student=by_adult,
                needs_approval=approval,
                needs_end=needs_end,
            )
            for code, name, category, authorised, by_guardian, by_adult, approval, needs_end in DEFAULT_REASONS
        )
    if not MeasureRule.objects.filter(school=school).exists():
        MeasureRule.objects.bulk_create(
            MeasureRule(school=school, trigger=trigger, text=text, when=when, at_time=at_time)
            for trigger, text, when, at_time in DEFAULT_MEASURE_RULES
        )
    return settings_row


def settings_of(school_id: int) -> AttendanceSettings:
    """The school's settings row (the defaults when the school never changed them; nothing is written)."""
    found = AttendanceSettings.objects.filter(school_id=school_id).first()
    return found if found is not None else AttendanceSettings(school_id=school_id)


# --------------------------------------------------------------------------------------------------- sick reports


def sick_report_create(
    *, student: Student, user_id: int, by: str, starts_at: dt.datetime, at: dt.datetime, calendar: SchoolCalendar
) -> SickReport:
    """Report a student sick from `starts_at`. Caller checked `rules.sick_report_refusal` for this person."""
    late = rules.sick_report_is_late(
        calendar=calendar, starts_on=calendar.local_date(starts_at), reported_on=calendar.local_date(at)
    )
    return SickReport.objects.create(
        school_id=student.school_id,
        student=student,
        reported_by_id=user_id,
        reported_by_kind=by,
        reported_at=at,
        starts_at=starts_at,
        late=late,
    )


def sick_report_end(*, report: SickReport, user_id: int, ends_at: dt.datetime, at: dt.datetime) -> SickReport:
    """Report better (beter melden) from `ends_at`. Caller checked that this person may report for the student."""
    report.ends_at = max(ends_at, report.starts_at)
    report.ended_by_id = user_id
    report.ended_reported_at = at
    report.save(update_fields=["ends_at", "ended_by", "ended_reported_at"])
    return report


# ---------------------------------------------------------------------------------------------------------- leave


def leave_request_create(
    *,
    student: Student,
    user_id: int,
    kind: str,
    start: dt.date,
    end: dt.date,
    explanation: str,
    school_days: int,
    at: dt.datetime,
) -> LeaveRequest:
    """Store a leave request. Caller ran `rules.leave_check` (no errors) and `rules.leave_request_refusal`."""
    return LeaveRequest.objects.create(
        school_id=student.school_id,
        student=student,
        kind=kind,
        start=start,
        end=end,
        school_days=school_days,
        explanation=explanation,
        requested_by_id=user_id,
        requested_at=at,
    )


def leave_request_decide(
    *, request: LeaveRequest, user_id: int, state: str, reason: str, at: dt.datetime
) -> LeaveRequest:
    """Approve, refuse or forward a pending request, with the reason. Caller checked the decider's role."""
    if request.state != LeaveRequest.State.PENDING:
        raise ValueError("only a pending request is decided")
    request.state = state
    request.decision_reason = reason
    request.decided_by_id = user_id
    request.decided_at = at
    request.save(update_fields=["state", "decision_reason", "decided_by", "decided_at"])
    return request


# ---------------------------------------------------------------------------------------------------- registration


@dataclass(frozen=True)
class Entry:
    """What the teacher marked for one student: status, minutes late, a note (removal)."""

    status: str
    late_minutes: int = 0
    note: str = ""


def _guardian_release(recorded_at: dt.datetime, status: str, settings_row: AttendanceSettings) -> dt.datetime:
    if status == Status.REMOVED and settings_row.removal_guardian_delay_hours:
        return recorded_at + dt.timedelta(hours=settings_row.removal_guardian_delay_hours)
    return recorded_at


def lesson_register(
    *,
    lesson: Lesson,
    entries: Mapping[int, Entry],
    user_id: int,
    at: dt.datetime,
    calendar: SchoolCalendar,
    why: str = "",
    leave_alone: frozenset[int] = frozenset(),
) -> int:
    """Save the whole lesson at once (students not in `entries` are present, except those in `leave_alone`, whose
    rows stay as they are: the caller could not show them). Constant queries in the class size.

    Caller checked that the user may register this lesson and that every student id belongs to it. Returns the
    number of rows written. One transaction: the lesson is registered completely or not at all.
    """
    school_id = lesson.school_id
    starts_at = lesson.starts_at
    minutes = round((lesson.ends_at - lesson.starts_at).total_seconds() / 60)
    settings_row = settings_of(school_id)
    rule_rows = list(MeasureRule.objects.filter(school_id=school_id, active=True))
    with transaction.atomic():
        existing = {r.student_id: r for r in Registration.objects.filter(lesson=lesson)}
        new: list[Registration] = []
        changed: list[Registration] = []
        for student_id, entry in entries.items():
            row = existing.get(student_id)
            if row is None:
                if entry.status == Status.PRESENT:
                    continue
                new.append(
                    Registration(
                        school_id=school_id,
                        student_id=student_id,
                        group_id=lesson.group_id,
                        lesson=lesson,
                        starts_at=starts_at,
                        minutes=minutes,
                        status=entry.status,
                        late_minutes=entry.late_minutes if entry.status == Status.LATE else 0,
                        note=entry.note,
                        recorded_at=at,
                        guardian_release_at=_guardian_release(at, entry.status, settings_row),
                        recorded_by_id=user_id,
                    )
                )
            elif (row.status, row.late_minutes, row.note) != (entry.status, entry.late_minutes, entry.note):
                row.status = entry.status
                row.late_minutes = entry.late_minutes if entry.status == Status.LATE else 0
                row.note = entry.note
                row.recorded_at = at
                row.guardian_release_at = _guardian_release(at, entry.status, settings_row)
                row.recorded_by_id = user_id
                row.version += 1
                changed.append(row)
        for student_id, row in existing.items():  # left out of the form: present again
            if student_id not in entries and student_id not in leave_alone and row.status != Status.PRESENT:
                row.status, row.late_minutes, row.note = Status.PRESENT, 0, ""
                row.recorded_at, row.recorded_by_id, row.guardian_release_at = at, user_id, at
                row.version += 1
                changed.append(row)
        Registration.objects.bulk_create(new)
        if changed:
            Registration.objects.bulk_update(
                changed,
                ["status", "late_minutes", "note", "recorded_at", "guardian_release_at", "recorded_by", "version"],
            )
        RegistrationVersion.objects.bulk_create(
            RegistrationVersion(
                school_id=school_id,
                registration=row,
                version=row.version,
                status=row.status,
                late_minutes=row.late_minutes,
                note=row.note,
                reason_id=row.reason_id,
                changed_at=at,
                changed_by_id=user_id,
                why=why,
            )
            for row in new + changed
        )
        LessonRegistration.objects.update_or_create(
            lesson=lesson, defaults={"school_id": school_id, "registered_at": at, "registered_by_id": user_id}
        )
        measures = [
            Measure(
                school_id=school_id,
                student_id=row.student_id,
                registration=row,
                rule=rule,
                text=rule.text,
                due_at=_measure_due(rule, calendar, calendar.local_date(starts_at)),
                created_at=at,
            )
            for row in new
            for rule in rule_rows
            if rule.trigger == row.status
        ]
        Measure.objects.bulk_create(measures)
    return len(new) + len(changed)


def _measure_due(rule: MeasureRule, calendar: SchoolCalendar, day: dt.date) -> dt.datetime:
    if rule.when == MeasureRule.When.NEXT_SCHOOL_DAY:
        day = rules.school_days_after(calendar, day, 1)
    return calendar.local_datetime(day, rule.at_time)


def registration_correct(
    *,
    registration: Registration,
    user_id: int,
    status: str,
    late_minutes: int,
    reason: ReasonCode | None,
    why: str,
    at: dt.datetime,
) -> Registration:
    """Correct one registration (status, minutes, reason) with the reason for the change. Caller checked staff rights
    and that `why` is not empty."""
    with transaction.atomic():  # the row and its new version together, or neither
        registration.status = status
        registration.late_minutes = late_minutes if status == Status.LATE else 0
        registration.reason = reason
        registration.recorded_at = at
        registration.guardian_release_at = max(registration.guardian_release_at, at)
        registration.recorded_by_id = user_id
        registration.version += 1
        registration.save()
        RegistrationVersion.objects.create(
            school_id=registration.school_id,
            registration=registration,
            version=registration.version,
            status=registration.status,
            late_minutes=registration.late_minutes,
            note=registration.note,
            reason=reason,
            changed_at=at,
            changed_by_id=user_id,
            why=why,
        )
    return registration


# -------------------------------------------------------------------------------------------------------- measures


def measure_close(*, measure: Measure, user_id: int, state: str, at: dt.datetime) -> Measure:
    """Mark an open measure done, waived or escalated. Caller checked staff rights."""
    if measure.state != Measure.State.OPEN:
        raise ValueError("only an open measure is closed")
    measure.state = state
    measure.closed_at = at
    measure.closed_by_id = user_id
    measure.save(update_fields=["state", "closed_at", "closed_by"])
    return measure


# ------------------------------------------------------------------------------------------------------------- DUO


def duo_report_set_state(*, report: DuoReport, user_id: int | None, state: str, note: str, at: dt.datetime) -> None:
    """Move a report to another status with a note; the change is kept. Caller checked the attendance officer."""
    with transaction.atomic():  # the status and its history together
        report.state = state
        report.save(update_fields=["state"])
        DuoReportChange.objects.create(
            school_id=report.school_id, report=report, state=state, changed_at=at, changed_by_id=user_id, note=note
        )


def duo_scan(*, school: School, at: dt.datetime, calendar: SchoolCalendar) -> list[DuoReport]:
    """Turn new threshold signals into reports (status "nieuw signaal", due in 5 working days). Idempotent: a
    signal is counted only after the last report of the student. One transaction for all new reports."""
    from inzage.attendance.queries import duo_signals

    found = duo_signals(school_id=school.pk, at=at, calendar=calendar)
    reports = []
    for student_id, signal in found.signals:
        assert signal.crossed_at is not None
        reports.append(
            DuoReport(
                school=school,
                student_id=student_id,
                kind=DuoReport.Kind.THRESHOLD,
                start=signal.start,
                end=signal.end,
                counted_until=signal.crossed_at,
                minutes=int(signal.minutes),
                days_absent=0,
                signalled_at=at,
                due_on=rules.school_days_after(calendar, calendar.local_date(at), DUO_WORKING_DAYS),
                suspected_reason="",
            )
        )
    with transaction.atomic():  # the reports and their first history line together
        DuoReport.objects.bulk_create(reports)
        DuoReportChange.objects.bulk_create(
            DuoReportChange(
                school=school, report=r, state=DuoReport.State.NEW, changed_at=at, note="gesignaleerd door de scan"
            )
            for r in reports
        )
    return reports


DUO_WORKING_DAYS = 5
