"""Reads for the staff pages: the mentor's class, the year coordinator's year, the one-page student overview, the
student search. Every function takes the viewer and the instant; the engine (`inzage.visibility.policy`) decides
every figure, and list pages narrow one query per page by the engine's per-student gates (constant query count).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext

from inzage.grades.averages import GradeItem, student_averages
from inzage.grades.models import Column, PeriodReportStudent, Result
from inzage.grades.queries import class_averages, grade_rules
from inzage.people.models import CourtRestriction, GuardianRelation, StaffRole, Student
from inzage.schools.models import ClassMembership, SchoolClass, Subject
from inzage.staff import attention
from inzage.visibility.derived import average_item
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import Consent, InformationRequest, Override
from inzage.visibility.policy import RESULT_FIELDS, Context, ItemFields, Viewer, context_for
from inzage.visibility.policy.facts import staff_facts_prime
from inzage.visibility.queries import (
    kind_probe,
    may_handle_information_requests,
    may_manage_overrides,
    overrides_for_student,
)

RECENT_DAYS = 14
SEARCH_LIMIT = 25

# ------------------------------------------------------------------------------------------------------ access


def staff_roles(ctx: Context) -> list[str]:
    """The viewer's roles that reach this student today ([] for anyone not seeing the student as staff)."""
    if ctx.audience != "staff" or ctx.facts is None:
        return []
    return ctx.facts.staff_roles_for(ctx.viewer, ctx.today)


def reaches(ctx: Context) -> bool:
    """Staff who reach the student by a role or by teaching one of the student's groups."""
    if ctx.audience != "staff" or ctx.facts is None:
        return False
    return bool(staff_roles(ctx)) or bool(ctx.facts.student_group_ids & ctx.viewer.group_ids)


def access_staff_student(*, viewer: Viewer, student_id: int, at: dt.datetime) -> Context:
    """The engine's context for a student this staff viewer reaches; otherwise 404 ("not yours" = "not found").

    Students and guardians (also staff who are the student's guardian) have the portal instead: 404 here."""
    ctx = context_for(viewer=viewer, student_id=student_id, at=at)
    if not reaches(ctx):
        raise Http404
    return ctx


def has_role(viewer: Viewer, *roles: str) -> bool:
    return viewer.is_staff_member and viewer.has_role(*roles)


# ------------------------------------------------------------------------------------------------- classes


def _current(classes: list[SchoolClass], today: dt.date) -> list[SchoolClass]:
    """The classes of the school year containing today; between years, those of the latest year begun."""
    now = [c for c in classes if c.school_year.start <= today <= c.school_year.end]
    if now:
        return now
    begun = [c for c in classes if c.school_year.start <= today]
    if not begun:
        return []
    latest = max(c.school_year.start for c in begun)
    return [c for c in begun if c.school_year.start == latest]


def mentor_classes(*, viewer: Viewer, at: dt.datetime, today: dt.date) -> list[SchoolClass]:
    """The classes this viewer mentors today (one query)."""
    if not viewer.mentor_class_ids or viewer.school_id is None:
        return []
    classes = list(
        SchoolClass.objects.filter(pk__in=viewer.mentor_class_ids, school_id=viewer.school_id).select_related(
            "school_year", "year_group__level"
        )
    )
    return sorted(_current(classes, today), key=lambda c: c.name)


def coordinator_classes(*, viewer: Viewer, today: dt.date) -> list[SchoolClass]:
    """The classes of today's school year within the viewer's coordinator scopes (level and/or year; none: all)."""
    scopes = [(level_id, year) for role, level_id, year in viewer.roles if role == "coordinator"]
    if not scopes or viewer.school_id is None:
        return []
    wanted = Q(pk__in=[])
    for level_id, year in scopes:
        scope = Q()
        if level_id is not None:
            scope &= Q(year_group__level_id=level_id)
        if year is not None:
            scope &= Q(year_group__year=year)
        wanted |= scope
    classes = list(
        SchoolClass.objects.filter(wanted, school_id=viewer.school_id).select_related(
            "school_year", "year_group__level"
        )
    )
    return sorted(_current(classes, today), key=lambda c: (c.year_group.level.code, c.year_group.year, c.name))


def class_members(classes: Iterable[SchoolClass], *, today: dt.date) -> dict[int, list[Student]]:
    """Students per class (who have not left before today), by name, in one query."""
    out: dict[int, list[Student]] = {c.pk: [] for c in classes}
    if not out:
        return out
    members = (
        ClassMembership.objects.filter(school_class_id__in=out)
        .filter(Q(student__leave_date__isnull=True) | Q(student__leave_date__gte=today))
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student_id")
    )
    for m in members:
        out[m.school_class_id].append(m.student)
    return out


# ---------------------------------------------------------------------------------------------- mentor's class


@dataclass(frozen=True)
class GradeLine:
    subject: Any  # the subject's name (a subject id while the page is being put together)
    label: str
    value: Decimal | None
    status: str
    date: dt.date
    changed_at: dt.datetime | None = None


@dataclass
class MenteeRow:
    student: Student
    fails: list[GradeLine] = field(default_factory=list)  # visible numeric grades below a pass
    failing_averages: list[tuple[str, Decimal]] = field(default_factory=list)  # (subject, year average)
    recent: list[GradeLine] = field(default_factory=list)  # entered or changed in the last RECENT_DAYS days
    signals: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ClassOverview:
    school_class: SchoolClass
    rows: list[MenteeRow]


def mentees_overview(
    *, viewer: Viewer, at: dt.datetime, classes: list[SchoolClass], members: dict[int, list[Student]]
) -> list[ClassOverview]:
    """Per class, each student's failing grades and averages, recent changes and signals, from what the engine lets
    this viewer see: the results narrowed by every student's own gate (numeric grades, recent changes: two
    queries), averages summed by the database (three), subject names (one) — the same count for 5 or 50 students."""
    students = [s for c in classes for s in members.get(c.pk, [])]
    staff_facts_prime(viewer=viewer, student_ids=[s.pk for s in students])
    contexts = {s.pk: context_for(viewer=viewer, student_id=s.pk, at=at) for s in students}
    narrowed = Q(pk__in=[])
    for ctx in contexts.values():
        narrowed |= ctx.gate(DataKind.GRADES).q(RESULT_FIELDS)  # each clause pins its own student
    rows: dict[int, MenteeRow] = {s.pk: MenteeRow(student=s) for s in students}
    if students:
        visible = Result.objects.filter(narrowed)
        since = at - dt.timedelta(days=RECENT_DAYS)
        values: dict[int, list[tuple[dt.date, int, Decimal | None]]] = {}
        groups: dict[tuple[int, int], set[int]] = {}
        # Numeric grades for fails and trends: a class holds thousands, so only the columns needed, the grade as
        # text (exact, and it skips the backend's per-row float → Decimal converter) and no datetimes.
        numbers = (
            visible.filter(column__result_type=Column.ResultType.NUMBER, status=Result.Status.NORMAL)
            .exclude(value__isnull=True)
            .annotate(_value=Cast("value", CharField()))
            .values_list(
                "student_id", "pk", "column__date", "_value", "column__subject_id", "column__teaching_group_id"
            )
            .order_by()
        )
        for student_id, pk, date, text, subject_id, group_id in sorted(numbers, key=lambda r: (r[2], r[1])):
            value = Decimal(text)
            groups.setdefault((student_id, subject_id), set()).add(group_id)
            values.setdefault(student_id, []).append((date, pk, value))
            if attention.is_fail(value):
                rows[student_id].fails.append(GradeLine(subject_id, "", value, Result.Status.NORMAL, date))
        # Recent changes: few rows, with everything the page shows.
        recent = visible.filter(
            Q(updated_at__gte=since, updated_at__lte=at)
            | Q(updated_at__isnull=True, entered_at__gte=since, entered_at__lte=at)
        ).values_list(
            "student_id",
            "value",
            "status",
            "entered_at",
            "updated_at",
            "column__date",
            "column__name",
            "column__subject__name",
            "column__result_type",
        )
        for student_id, shown, status, entered, updated, date, label, subject, rtype in recent:
            numeric = rtype == Column.ResultType.NUMBER and status == Result.Status.NORMAL
            rows[student_id].recent.append(
                GradeLine(subject, label, shown if numeric else None, status, date, updated or entered)
            )
        subject_names = dict(
            Subject.objects.filter(pk__in={subject_id for _, subject_id in groups}).values_list("pk", "name")
        )
        for row in rows.values():
            row.fails = [replace(g, subject=subject_names.get(g.subject, "")) for g in row.fails]
        averages = class_averages(visible, rules=grade_rules(students[0].school_id))
        for student_id, row in rows.items():
            ctx = contexts[student_id]
            year = averages.get(student_id)
            for subject_id, average in sorted((year.year_averages if year else {}).items()):
                group_ids = groups.get((student_id, subject_id), set())
                item = average_item(
                    student_id=student_id,
                    subject_id=subject_id,
                    group_id=next(iter(group_ids)) if len(group_ids) == 1 else None,
                )
                if average is not None and attention.is_fail(average) and ctx.decide(item).visible:
                    row.failing_averages.append((subject_names[subject_id], average))
            row.recent.sort(key=lambda g: g.changed_at or at, reverse=True)
            row.signals = attention.signals(
                failing_subjects=len(row.failing_averages),
                values_in_order=attention.dated_values(values.get(student_id, [])),
            )
    return [ClassOverview(c, [rows[s.pk] for s in members.get(c.pk, [])]) for c in classes]


# --------------------------------------------------------------------------------------------- student overview


@dataclass(frozen=True, slots=True)
class ResultLine:
    """One result as the overview shows it (prepared here: a year has hundreds, and template lookups add up)."""

    grade: str  # Dutch notation: 7,5 / inhalen / vrijstelling / goed
    fail: bool
    label: str
    meta: str  # "12-09-2025 · weging 1,0"


@dataclass(frozen=True)
class SubjectBlock:
    subject: str
    results: list[ResultLine]
    average: Decimal | None  # None: no average, or the viewer may not see this subject's average
    trend: str  # "up" / "down" / ""


def grade_text(*, status: str, value: Decimal | None, judgement: str, text: str) -> str:
    """A result in Dutch notation, as `portal_format.nl_grade` shows it."""
    if status == Result.Status.NOT_MADE:
        return "inhalen"
    if status == Result.Status.EXEMPT:
        return "vrijstelling"
    if status == Result.Status.NOT_COUNTING:
        return "telt niet mee" if value is None else f"{value:.1f} (telt niet mee)".replace(".", ",")
    if value is not None:
        return f"{value:.1f}".replace(".", ",")
    if judgement:
        return str(Result.Judgement(judgement).label)
    return "verslag" if text else "–"


def _subject_blocks(*, ctx: Context) -> list[SubjectBlock]:
    """Per subject the visible results, the average of those results (when the averages kind is visible) and the
    trend: one query, the engine's filter, no model instances."""
    student_id = ctx.student_id
    rows = list(
        ctx.filter(Result.objects.filter(student_id=student_id), RESULT_FIELDS)
        .values_list(
            "column_id",
            "column__subject_id",
            "column__subject__name",
            "column__period_id",
            "column__date",
            "column__weight",
            "column__exam_weight",
            "column__result_type",
            "column__resit_of_id",
            "column__resit_rule",
            "column__teaching_group_id",
            "column__name",
            "value",
            "status",
            "judgement",
            "text",
            "pk",
            # the first test of a resit chain: a resit counts in its period, with its weights (grades.averages)
            "column__resit_of__resit_of_id",
            "column__resit_of__period_id",
            "column__resit_of__weight",
            "column__resit_of__resit_of__period_id",
            "column__resit_of__resit_of__weight",
        )
        .order_by("column__date", "pk")
    )
    by_subject: dict[int, list[tuple[Any, ...]]] = {}
    names: dict[int, str] = {}
    for row in rows:
        by_subject.setdefault(row[1], []).append(row)
        names[row[1]] = row[2]
    items = [
        GradeItem(
            column_id=r[0],
            subject_id=r[1],
            period_id=r[3],
            date=r[4],
            weight=r[5],
            exam_weight=r[6],
            value=r[12],
            status=r[13],
            result_type=r[7],
            resit_of_id=r[8],
            resit_rule=r[9],
            retracted=False,  # the engine's filter leaves retracted results and columns out
            resit_root_id=r[17] or r[8],
            root_period_id=r[21] if r[17] else r[18],
            root_weight=r[22] if r[17] else r[19],
        )
        for r in rows
    ]
    school_id = ctx.viewer.school_id  # a staff context: the viewer's school is the student's
    year = student_averages(items, rules=grade_rules(school_id) if rows and school_id else None).year_averages
    weighting = gettext("weging")
    blocks = []
    for subject_id, subject_rows in sorted(by_subject.items(), key=lambda kv: names[kv[0]]):
        groups = {r[10] for r in subject_rows}
        item = average_item(
            student_id=student_id, subject_id=subject_id, group_id=groups.pop() if len(groups) == 1 else None
        )
        numeric = [
            (r[4], r[16], r[12])
            for r in subject_rows
            if r[7] == Column.ResultType.NUMBER and r[13] == Result.Status.NORMAL
        ]
        blocks.append(
            SubjectBlock(
                subject=names[subject_id],
                results=[
                    ResultLine(
                        grade=grade_text(status=r[13], value=r[12], judgement=r[14], text=r[15]),
                        fail=r[7] == Column.ResultType.NUMBER and attention.is_fail(r[12]),
                        label=r[11],
                        meta=f"{r[4]:%d-%m-%Y} · {weighting} {r[5]:.1f}".replace(".", ","),
                    )
                    for r in subject_rows
                ],
                average=year.get(subject_id) if ctx.decide(item).visible else None,
                trend=attention.trend(attention.dated_values(numeric)),
            )
        )
    return blocks


@dataclass(frozen=True)
class ReportBlock:
    """The current (latest) version of one published period report of the student."""

    period: str
    version: int
    published_at: dt.datetime
    grades: list[tuple[str, str]]  # (subject, report grade in Dutch notation or "–")
    remark: str


PERIOD_REPORT_FIELDS = ItemFields(kind=DataKind.PERIOD_REPORT, release=("published_at",))


def period_reports(*, ctx: Context) -> list[ReportBlock]:
    """The student's published period reports the engine shows this viewer, latest version per period (one query)."""
    latest: dict[int, PeriodReportStudent] = {}
    for report in ctx.filter(
        PeriodReportStudent.objects.filter(student_id=ctx.student_id), PERIOD_REPORT_FIELDS
    ).select_related("period"):
        kept = latest.get(report.period_id)
        if kept is None or report.version > kept.version:
            latest[report.period_id] = report
    return [
        ReportBlock(
            period=r.period.name,
            version=r.version,
            published_at=r.published_at,
            grades=[
                (
                    str(g.get("name") or code),
                    "–" if g.get("grade") in (None, "") else str(g["grade"]).replace(".", ","),
                )
                for code, g in sorted((r.grades or {}).items(), key=lambda kv: str(kv[1].get("name") or kv[0]))
                if isinstance(g, dict)
            ],
            remark=r.mentor_remark,
        )
        for r in sorted(latest.values(), key=lambda r: r.period.start)
    ]


@dataclass(frozen=True)
class FamilyRow:
    relation: GuardianRelation
    current: bool
    court_flag: bool  # a court restriction in force today (details only for those who may see them)
    court: list[CourtRestriction]


@dataclass
class StudentOverview:
    student: Student
    school_class: str
    roles: list[str]
    role_names: list[str]
    subjects: list[SubjectBlock]
    reports: list[ReportBlock]
    grades_visible: bool
    family_visible: bool
    family: list[FamilyRow]
    court_details: bool
    overrides: list[Override]
    may_set_overrides: bool
    consents: list[tuple[str, str, bool]]  # (guardian, kind label, granted) latest choices
    requests: list[InformationRequest]
    may_handle_requests: bool
    care_notes: list[Any] = field(default_factory=list)
    care_notes_visible: bool = False
    care_may_write: bool = False


COURT_DETAIL_ROLES = frozenset({"administrator", "care_coordinator", "coordinator"})


def student_overview(*, viewer: Viewer, ctx: Context, at: dt.datetime) -> StudentOverview:
    """Everything this staff viewer may see of one student, block by block through the engine. Constant queries."""
    assert ctx.facts is not None
    student = ctx.facts.student
    roles = staff_roles(ctx)
    membership = ctx.facts.membership_on(ctx.today)

    subjects = _subject_blocks(ctx=ctx)

    family_visible = ctx.decide(kind_probe(student_id=student.pk, kind=DataKind.PERSONAL_DATA)).visible
    court_details = bool(COURT_DETAIL_ROLES & set(roles))
    family: list[FamilyRow] = []
    if family_visible:
        relations = list(
            GuardianRelation.objects.filter(student_id=student.pk)
            .select_related("guardian")
            .order_by("guardian__last_name", "guardian__first_name")
        )
        court: dict[int, list[CourtRestriction]] = {}
        for c in CourtRestriction.objects.filter(relation__student_id=student.pk).order_by("effective_from"):
            in_force = c.effective_from <= ctx.today and (c.effective_until is None or ctx.today <= c.effective_until)
            if in_force:
                court.setdefault(c.relation_id, []).append(c)
        family = [
            FamilyRow(
                relation=rel,
                current=rel.is_current_on(ctx.today),
                court_flag=rel.pk in court,
                court=court.get(rel.pk, []) if court_details else [],
            )
            for rel in relations
        ]

    may_set = may_manage_overrides(viewer=viewer, student=student, at=at)
    may_requests = may_handle_information_requests(viewer=viewer, student=student, at=at)
    consents: list[tuple[str, str, bool]] = []
    if may_set or may_requests:
        latest: dict[tuple[int, str], tuple[str, bool]] = {}
        for consent in (
            Consent.objects.filter(student_id=student.pk, recorded_at__lte=at)
            .select_related("guardian")
            .order_by("recorded_at", "pk")
        ):
            latest[(consent.guardian_id, consent.kind)] = (consent.guardian.full_name, consent.granted)
        consents = [(name, str(DataKind(kind).label), granted) for (_, kind), (name, granted) in latest.items()]
    requests: list[InformationRequest] = []
    if may_requests:
        requests = list(
            InformationRequest.objects.filter(relation__student_id=student.pk)
            .select_related("relation__guardian")
            .order_by("-requested_on", "-pk")
        )
    return StudentOverview(
        student=student,
        school_class=membership.class_name if membership else "",
        roles=roles,
        role_names=[str(StaffRole.Role(r).label) for r in roles],
        subjects=subjects,
        reports=period_reports(ctx=ctx),
        grades_visible=ctx.decide(kind_probe(student_id=student.pk, kind=DataKind.GRADES)).visible,
        family_visible=family_visible,
        family=family,
        court_details=court_details,
        overrides=overrides_for_student(viewer=viewer, student=student, at=at),
        may_set_overrides=may_set,
        consents=consents,
        requests=requests,
        may_handle_requests=may_requests,
    )


# ----------------------------------------------------------------------------------------------------- search


def student_search(*, viewer: Viewer, at: dt.datetime, text: str) -> list[Student]:
    """Students of the viewer's school matching a name or number, limited to those this viewer reaches."""
    text = text.replace("\x00", "").strip()  # PostgreSQL refuses NUL in a query parameter (a 500, not "nothing")
    if not text or viewer.school_id is None or not viewer.is_staff_member:
        return []
    match = Q(student_number__iexact=text)
    for word in text.split()[:4]:
        match |= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    found = list(
        Student.objects.filter(match, school_id=viewer.school_id).order_by("last_name", "first_name", "pk")[
            : SEARCH_LIMIT * 2
        ]
    )
    staff_facts_prime(viewer=viewer, student_ids=[s.pk for s in found])
    return [s for s in found if reaches(context_for(viewer=viewer, student_id=s.pk, at=at))][:SEARCH_LIMIT]


# ------------------------------------------------------------------------------------------- the exam candidate

CANDIDATE_ROLES = frozenset({"exam_secretary", "administrator"})


def access_candidate(*, viewer: Viewer, student_id: int, at: dt.datetime) -> Context:
    """The engine's context for a candidate whose exam dossier this viewer keeps (an examination secretary whose
    level/year reaches the student, or an administrator); otherwise 404."""
    ctx = context_for(viewer=viewer, student_id=student_id, at=at)
    if not CANDIDATE_ROLES & set(staff_roles(ctx)):
        raise Http404
    return ctx


@dataclass(frozen=True)
class CandidateSubject:
    subject: Subject
    outcome: Any  # grades.exam.SubjectOutcome
    declared: bool  # False: the school has not declared it an exam subject of the level (has a CE is assumed)
    average_visible: bool


@dataclass(frozen=True)
class CandidateOverview:
    student: Student
    school_class: str
    school_year: Any  # SchoolYear | None
    grades_visible: bool
    subjects: list[CandidateSubject]
    combination: int | None
    combination_subjects: list[str]
    history: list[Any]  # CentralExamResult rows, newest first


def candidate_overview(*, ctx: Context, at: dt.datetime) -> CandidateOverview:
    """A candidate's exam year from what the engine lets this viewer see: per subject the school exam (SE) from the
    visible results' exam weights, the central exam attempts (highest counts), the final grade, and the combination
    grade (grades.exam). A constant number of queries, whatever the number of subjects and results."""
    from inzage.grades.averages import weighted_average
    from inzage.grades.exam import candidate_outcome, subject_outcome
    from inzage.grades.models import CentralExamResult, ExamSubject
    from inzage.schools.models import SchoolYear

    assert ctx.facts is not None
    student = ctx.facts.student
    membership = ctx.facts.membership_on(ctx.today)
    school_year = (
        SchoolYear.objects.filter(school_id=student.school_id, start__lte=ctx.today).order_by("-start").first()
    )
    grades_visible = ctx.decide(kind_probe(student_id=student.pk, kind=DataKind.GRADES)).visible
    results = (
        list(
            ctx.filter(Result.objects.filter(student_id=student.pk), RESULT_FIELDS).select_related(
                "column", "column__subject", "column__resit_of", "column__resit_of__resit_of"
            )
        )
        if grades_visible
        else []
    )
    declared = {
        e.subject_id: e
        for e in (
            ExamSubject.objects.filter(school_id=student.school_id, level_id=membership.level_id).select_related(
                "subject"
            )
            if membership
            else []
        )
    }
    by_subject: dict[int, list[Result]] = {}
    subjects: dict[int, Subject] = {e.subject_id: e.subject for e in declared.values()}
    for r in results:
        by_subject.setdefault(r.column.subject_id, []).append(r)
        if r.column.exam_weight > 0:
            subjects.setdefault(r.column.subject_id, r.column.subject)
    history = (
        list(
            CentralExamResult.objects.filter(student_id=student.pk, school_year=school_year)
            .select_related("subject", "entered_by")
            .order_by("-entered_at", "-pk")
        )
        if grades_visible and school_year
        else []
    )
    attempts: dict[tuple[int, int], Decimal] = {}
    for row in sorted(history, key=lambda h: h.version):  # the latest version of each attempt counts
        attempts[(row.subject_id, row.attempt)] = row.value
    rows = []
    for subject_id, subject in sorted(subjects.items(), key=lambda kv: kv[1].name):
        own = by_subject.get(subject_id, [])
        groups = {r.column.teaching_group_id for r in own}
        item = average_item(
            student_id=student.pk, subject_id=subject_id, group_id=groups.pop() if len(groups) == 1 else None
        )
        average_visible = grades_visible and ctx.decide(item).visible
        exam = declared.get(subject_id)
        outcome = subject_outcome(
            subject_id=subject_id,
            school_exam_average=weighted_average(own, dossier="exam") if average_visible else None,
            central_exam_attempts=[attempts.get((subject_id, 1)), attempts.get((subject_id, 2))],
            has_central_exam=exam.has_central_exam if exam else True,
            in_combination=bool(exam and exam.in_combination),
        )
        rows.append(CandidateSubject(subject, outcome, exam is not None, average_visible))
    total = candidate_outcome(r.outcome for r in rows)
    return CandidateOverview(
        student=student,
        school_class=membership.class_name if membership else "",
        school_year=school_year,
        grades_visible=grades_visible,
        subjects=rows,
        combination=total.combination,
        combination_subjects=[r.subject.name for r in rows if r.outcome.in_combination],
        history=history,
    )
