"""Reads for the portal, the explain page and command, and the timeline. Every function takes the viewer and the
instant; the engine (`inzage.visibility.policy`) decides everything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import Http404

from inzage.grades.models import Result
from inzage.people.models import Student
from inzage.schools.models import TeachingGroup
from inzage.visibility.derived import ALWAYS_RELEASED, SubjectAverage, average_item, visible_averages
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import Override, Share
from inzage.visibility.policy import Decision, Item, Viewer, context_for, items_from_results, visible_results
from inzage.visibility.policy.transitions import Transition, transitions


def kind_probe(*, student_id: int, kind: str) -> Item:
    """An item standing for "the kind in general" (released long ago): used for kind-level explanations."""
    return Item(kind=kind, id=0, student_id=student_id, released_at=ALWAYS_RELEASED)


def portal_students(*, viewer: Viewer, at: dt.datetime) -> list[Student]:
    """The students whose portal this account may open: itself, or the children of a guardian (current relation).

    One query. The engine's rule for who is a guardian of a student at an instant (`_make_context`: a relation
    current on the school's local date, a student of the viewer's own school) is applied to the relations the viewer
    already holds, instead of loading every child's facts just to learn that (the sibling switch)."""
    if viewer.school_id is None:
        return []
    ids = set(viewer.relations)
    if viewer.student_id is not None:
        ids.add(viewer.student_id)
    students = Student.objects.filter(pk__in=ids, school_id=viewer.school_id).select_related("school")
    out = []
    for student in students.order_by("first_name", "pk"):
        relation = viewer.relations.get(student.pk)
        if student.pk == viewer.student_id or (
            relation is not None and relation.is_current_on(at.astimezone(ZoneInfo(student.school.timezone)).date())
        ):
            out.append(student)
    return out


def access_portal_student(*, viewer: Viewer, student_id: int, at: dt.datetime) -> Student:
    """The student if this account may open their portal; otherwise 404 ("not yours" looks like "not found")."""
    ctx = context_for(viewer=viewer, student_id=student_id, at=at)
    if ctx.audience not in ("student", "guardian") or ctx.facts is None:
        raise Http404
    return ctx.facts.student


@dataclass(frozen=True)
class Pending:
    """A result of the student's own that is released but not yet visible (e.g. until 17:00)."""

    label: str
    subject_name: str
    decision: Decision


@dataclass(frozen=True)
class GradeOverview:
    student: Student
    results: list[Any]
    averages: list[SubjectAverage]
    kind_decision: Decision  # the grades kind in general: closed windows, base settings, consent...
    pending: list[Pending]
    shared_ids: frozenset[int]
    audience: str


def grade_overview(*, viewer: Viewer, student: Student, at: dt.datetime) -> GradeOverview:
    """What the viewer sees of the student's grades now, with averages from those grades only. Constant queries."""
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    results = list(visible_results(viewer=viewer, student=student, at=at).order_by("column__date", "pk"))
    averages = visible_averages(viewer=viewer, student=student, at=at, results=results)
    pending: list[Pending] = []
    shared: frozenset[int] = frozenset()
    if ctx.audience == "student":
        # Only the student hears about their own not-yet-visible results; guardians get the kind-level reason only,
        # so a page never hints at a result the engine hides from them.
        visible_ids = [r.pk for r in results]
        waiting = list(
            Result.objects.filter(student_id=student.pk, column__release_at__isnull=False, entered_at__isnull=False)
            .exclude(pk__in=visible_ids)
            .filter(retracted_at__isnull=True, column__retracted_at__isnull=True)
            .select_related("column", "column__subject")
        )
        # A resit waits for its original too: its moment is the later of the two (the engine's `links`).
        for r, item in zip(waiting, items_from_results(waiting), strict=True):
            decision = ctx.decide(item)
            if decision.visible_from is not None:
                pending.append(Pending(r.column.name, r.column.subject.name, decision))
        shared = frozenset(
            Share.objects.filter(student_id=student.pk, kind=DataKind.GRADES).values_list("item_id", flat=True)
        )
    return GradeOverview(
        student=student,
        results=results,
        averages=averages,
        kind_decision=ctx.decide(kind_probe(student_id=student.pk, kind=DataKind.GRADES)),
        pending=pending,
        shared_ids=shared,
        audience=ctx.audience,
    )


def overrides_for_student(*, viewer: Viewer, student: Student, at: dt.datetime) -> list[Override]:
    """The school's overrides concerning a student (always visible to the student; to staff who may manage them)."""
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    allowed = ctx.audience == "student" or may_manage_overrides(viewer=viewer, student=student, at=at)
    if not allowed:
        return []
    return list(
        Override.objects.filter(student_id=student.pk).select_related("guardian", "created_by").order_by("-created_at")
    )


def may_manage_overrides(*, viewer: Viewer, student: Student, at: dt.datetime) -> bool:
    """Mentors of the student and coordinators over the student (by level/year) may set overrides."""
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    if ctx.audience != "staff" or ctx.facts is None:
        return False
    roles = ctx.facts.staff_roles_for(viewer, ctx.today)
    return "mentor" in roles or "coordinator" in roles


def may_handle_information_requests(*, viewer: Viewer, student: Student, at: dt.datetime) -> bool:
    """Record and decide requests of a parent without custody (what `information_request_decide` asks the caller to
    check): coordinators over the student (by level/year) and administrators of the student's school."""
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    if ctx.audience != "staff" or ctx.facts is None:
        return False
    roles = ctx.facts.staff_roles_for(viewer, ctx.today)
    return "coordinator" in roles or "administrator" in roles


def may_explain(*, viewer: Viewer, student: Student, at: dt.datetime) -> bool:
    """The explain page is for the student's mentor, coordinators over the student, and administrators."""
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    if ctx.audience != "staff" or ctx.facts is None:
        return False
    roles = ctx.facts.staff_roles_for(viewer, ctx.today)
    return bool({"mentor", "coordinator", "administrator"} & set(roles))


def staff_may_see_group_results(*, viewer: Viewer, group: TeachingGroup) -> bool:
    """For the teacher pages: may this staff viewer see the results of a teaching group? Its teachers may; so may
    administrators and coordinators over the group's year (the same staff table the engine uses)."""
    if viewer.staff_id is None or viewer.school_id != group.school_id:
        return False
    if group.pk in viewer.group_ids:
        return True
    for role, level_id, year in viewer.roles:
        if role == "administrator":
            return True
        if role == "coordinator":
            yg = group.year_group
            if (level_id is None and year is None) or (
                yg is not None and (level_id in (None, yg.level_id)) and (year in (None, yg.year))
            ):
                return True
    return False


# ----------------------------------------------------------------------------------------------- explain, simulate


@dataclass(frozen=True)
class Explained:
    kind: str
    id: int | None
    subject: str
    label: str
    decision: Decision

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "subject": self.subject,
            "label": self.label,
            "visible": self.decision.visible,
            "reason": self.decision.explanation_nl,
            "reason_en": self.decision.explanation_en,
            "reason_code": self.decision.reason,
            "rule": self.decision.rule,
            "visible_from": self.decision.visible_from.isoformat() if self.decision.visible_from else None,
        }


def student_items(*, student: Student) -> list[Item]:
    """Every item the engine knows of a student: each result, each subject's average, and one item per other kind
    (their data arrives with later packages; id 0 stands for the kind)."""
    results = sorted(
        Result.objects.filter(student_id=student.pk).select_related("column", "column__subject"),
        key=lambda r: (r.column.date, r.pk),
    )
    items = items_from_results(results)  # a resit carries its originals, so it is explained as hidden with them
    subjects: dict[int, tuple[str, str, set[int]]] = {}
    for r in results:
        entry = subjects.setdefault(r.column.subject_id, (r.column.subject.code, r.column.subject.name, set()))
        entry[2].add(r.column.teaching_group_id)
    for subject_id, (code, name, groups) in sorted(subjects.items(), key=lambda kv: kv[1][0]):
        base = average_item(
            student_id=student.pk, subject_id=subject_id, group_id=next(iter(groups)) if len(groups) == 1 else None
        )
        items.append(Item(**{**_fields(base), "subject": code, "subject_name": name, "label": name}))
    for kind in DataKind.values:
        if kind not in (DataKind.GRADES, DataKind.AVERAGES):
            items.append(kind_probe(student_id=student.pk, kind=kind))
    return items


def _fields(item: Item) -> dict[str, Any]:
    return {name: getattr(item, name) for name in Item.__slots__}


def explain(
    *,
    viewer: Viewer,
    student: Student,
    at: dt.datetime,
    asked_by: Viewer | None = None,
    now: dt.datetime | None = None,
) -> list[Explained]:
    """What `viewer` sees of the student at `at`, and why. With `asked_by` and `now` (the person looking at the
    explain page), only items `asked_by` may see at `now` are listed: the page shows nothing its user may not see."""
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    items = student_items(student=student)
    if asked_by is not None:
        own = context_for(viewer=asked_by, student_id=student.pk, at=now or at)
        items = [it for it in items if it.id == 0 or own.decide(it).visible]
    return [
        Explained(kind=it.kind, id=it.id or None, subject=it.subject, label=it.label, decision=ctx.decide(it))
        for it in items
    ]


def upcoming(*, viewer: Viewer, student: Student, start: dt.datetime, end: dt.datetime) -> list[Transition]:
    """When items of the student become visible for the viewer between start and end."""
    return transitions(viewer=viewer, student_id=student.pk, items=student_items(student=student), start=start, end=end)


def find_student(*, school_id: int | None, ref: str) -> Student | None:
    """A student by student number or by the student's username (within a school when given)."""
    qs = Student.objects.filter(Q(student_number=ref) | Q(user__username=ref))
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    return qs.first()


# ------------------------------------------------------------------------------------------------- policy preview


@dataclass(frozen=True)
class PreviewRow:
    """What a draft policy changes for one person looking at one student at the preview instant."""

    person: str
    role: str
    student: str
    visible_before: int
    visible_after: int
    opened: list[str]  # items this person would newly see
    closed: list[str]  # items this person would no longer see


def policy_preview(*, school_id: int, draft: Any, at: dt.datetime, sample: int = 5) -> list[PreviewRow]:
    """The diff of decisions, current policy against the draft, for a sample of students and their guardians.

    Only who sees which item changes is shown (kind, subject, column name), never a value.
    """
    from inzage.visibility.policy import viewer_for

    students = list(
        Student.objects.filter(school_id=school_id, user__isnull=False)
        .select_related("user")
        .prefetch_related("guardian_relations__guardian__user")
        .order_by("pk")[:sample]
    )
    rows: list[PreviewRow] = []
    for student in students:
        items = student_items(student=student)
        people: list[tuple[Any, str]] = [(student.user, "leerling")] + [
            (rel.guardian.user, str(rel.get_custody_display()))
            for rel in student.guardian_relations.all()
            if rel.guardian.user is not None
        ]
        for user, role in people:
            before_ctx = context_for(viewer=viewer_for(user), student_id=student.pk, at=at)
            after_ctx = context_for(viewer=viewer_for(user, policy=draft), student_id=student.pk, at=at)
            before = [before_ctx.decide(it).visible for it in items]
            after = [after_ctx.decide(it).visible for it in items]
            labels = [f"{it.kind} {it.subject} {it.label}".strip() for it in items]
            rows.append(
                PreviewRow(
                    person=str(user.get_full_name() or user.username),
                    role=str(role),
                    student=student.full_name,
                    visible_before=sum(before),
                    visible_after=sum(after),
                    opened=[lbl for lbl, b, a in zip(labels, before, after, strict=True) if a and not b],
                    closed=[lbl for lbl, b, a in zip(labels, before, after, strict=True) if b and not a],
                )
            )
    return rows


CONSENT_KINDS = (
    DataKind.GRADES,
    DataKind.AVERAGES,
    DataKind.PERIOD_REPORT,
    DataKind.ATTENDANCE,
    DataKind.BEHAVIOUR,
    DataKind.HOMEWORK,
    DataKind.TIMETABLE,
    DataKind.PLAN,
)


@dataclass(frozen=True)
class ConsentRow:
    guardian: Any
    choices: list[tuple[str, str, bool]]  # (kind, label, given now)


@dataclass(frozen=True)
class ConsentOverview:
    has_say: bool
    model: str
    age: int
    rows: list[ConsentRow]


def consent_overview(*, viewer: Viewer, student: Student, at: dt.datetime) -> ConsentOverview:
    """The student's own choices per guardian and kind, and whether the school's model gives them a say now."""
    from inzage.people.models import GuardianRelation
    from inzage.visibility.models import Consent

    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    if ctx.audience != "student" or ctx.facts is None:
        raise Http404
    age = ctx.age()
    model = ctx.policy.consent.model
    has_say = age >= 18 or model == "always" or (model == "from_16" and age >= 16)
    default = ctx.policy.consent.default_before_18 if age < 18 else False
    latest: dict[tuple[int, str], bool] = {}
    for guardian_id, kind, granted in (
        Consent.objects.filter(student_id=student.pk, recorded_at__lte=at)
        .order_by("recorded_at", "pk")
        .values_list("guardian_id", "kind", "granted")
    ):
        latest[(guardian_id, kind)] = granted
    rows = []
    for rel in GuardianRelation.objects.filter(student_id=student.pk).select_related("guardian"):
        if not rel.is_current_on(ctx.today):
            continue
        rows.append(
            ConsentRow(
                guardian=rel.guardian,
                choices=[(k, str(DataKind(k).label), latest.get((rel.guardian_id, k), default)) for k in CONSENT_KINDS],
            )
        )
    return ConsentOverview(has_say=has_say, model=model, age=age, rows=rows)


@dataclass(frozen=True)
class ReleaseMoments:
    """When a result value released at an instant reaches students and guardians under the school's release rules
    (publication moment; student-first for guardians), before windows, consent and overrides of each person."""

    students: dt.datetime | None
    guardians: dt.datetime | None


def release_moments(*, school_id: int, released_at: dt.datetime | None) -> ReleaseMoments:
    """For the teacher pages (a correction: "shown from ..."): the policy's release arithmetic for one instant.

    Staff see every value at once; this tells the teacher when students and guardians will. None: held back, or no
    such moment within a year."""
    from inzage.visibility.policy import moments
    from inzage.visibility.policy.facts import school_calendar_policy

    if released_at is None:
        return ReleaseMoments(None, None)
    calendar, policy = school_calendar_policy(school_id=school_id, version=None)
    publication = (
        policy.publication if policy.publication.times and DataKind.GRADES in policy.publication.kinds else None
    )
    student = moments.student_moment(calendar, publication, released_at)
    guardian = student
    sf = policy.student_first
    if student is not None and sf.school_days > 0 and DataKind.GRADES in sf.kinds:
        guardian = moments.guardian_moment(calendar, publication, sf.school_days, student)
    tz = calendar.timezone
    return ReleaseMoments(
        students=student.astimezone(tz) if student else None, guardians=guardian.astimezone(tz) if guardian else None
    )
