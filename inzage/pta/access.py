"""Who may open which testing programme (PTA/PTO) page, and who may change one. The ONE place these pages decide.

Read: the school's administrators; coordinators of the programme's level (the examination secretary's role until
the school has its own; with a year, only while the cohort is in that year or later); teachers of the subject (a
teaching group of that subject); students of the cohort; their parents, when the policy would show them the
student's period report (the legal floor: custodial parents of a minor, court restrictions, an adult student's
choice — asked of the engine). Change: administrators and those coordinators. Everybody else: 404, as for a
programme that does not exist.

A student's cohort: a programme's `cohort` names its exam year ("examen 2027", "2025-2027": the last four-digit
year in it); a student belongs to it when their class (in the school year the programme was fixed for, else
their latest) is of the programme's level and leads to that exam year, and they take the subject (a teaching group
of it). A cohort without a year matches no student (fail closed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from inzage.grades.models import TestingProgramme
from inzage.grades.programmes import cohort_exam_year, exam_year_of
from inzage.people.models import Student
from inzage.schools.models import ClassMembership, TeachingGroup
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Viewer, context_for
from inzage.visibility.queries import kind_probe, portal_students


def cohort_year_in_level(programme: TestingProgramme) -> int | None:
    """Which year of its level the cohort is in during the programme's school year (havo, examen 2027, 2025–2026:
    4); None when the cohort names no exam year."""
    exam = cohort_exam_year(programme.cohort)
    if exam is None:
        return None
    return programme.level.years - (exam - programme.school_year.start.year - 1)


@dataclass(frozen=True)
class ProgrammeAccess:
    programme: TestingProgramme
    may_change: bool
    as_student_id: int | None = None  # set when opened as a student or parent: whose cohort it is


def _staff_may_change(viewer: Viewer, programme: TestingProgramme) -> bool:
    if viewer.has_role("administrator"):
        return True
    cohort_year = cohort_year_in_level(programme)
    for role, level_id, year in viewer.roles:
        if role != "coordinator" or level_id not in (None, programme.level_id):
            continue
        if year is None or (cohort_year is not None and year >= cohort_year):
            return True
    return False


def _teaches_subject(viewer: Viewer, subject_id: int) -> bool:
    return TeachingGroup.objects.filter(pk__in=viewer.group_ids, subject_id=subject_id).exists()


def _base(viewer: Viewer) -> QuerySet[TestingProgramme]:
    assert viewer.school_id is not None  # callers return early for an account without a school
    return TestingProgramme.objects.filter(school_id=viewer.school_id).select_related(
        "subject", "level", "school_year", "school"
    )


def students_in_cohort(*, students: list[Student], programmes: list[TestingProgramme]) -> dict[int, set[int]]:
    """Programme id → the ids of `students` in its cohort (see the module docstring). Three queries."""
    if not students or not programmes:
        return {}
    ids = [s.pk for s in students]
    memberships: dict[int, list[ClassMembership]] = {}
    for m in (
        ClassMembership.objects.filter(student_id__in=ids)
        .select_related("school_year", "school_class__year_group__level")
        .order_by("-school_year__start")
    ):
        memberships.setdefault(m.student_id, []).append(m)
    subjects: dict[int, set[int]] = {}
    for student_id, subject_id in TeachingGroup.students.through.objects.filter(student_id__in=ids).values_list(
        "student_id", "teachinggroup__subject_id"
    ):
        subjects.setdefault(student_id, set()).add(subject_id)
    out: dict[int, set[int]] = {}
    for programme in programmes:
        exam = cohort_exam_year(programme.cohort)
        if exam is None:
            continue
        for student_id in ids:
            found = memberships.get(student_id, [])
            chosen = next(
                (m for m in found if m.school_year_id == programme.school_year_id), found[0] if found else None
            )
            if chosen is None or programme.subject_id not in subjects.get(student_id, set()):
                continue
            year_group = chosen.school_class.year_group
            if year_group.level_id == programme.level_id and exam_year_of(year_group, chosen.school_year) == exam:
                out.setdefault(programme.pk, set()).add(student_id)
    return out


def _portal_readers(viewer: Viewer, at: dt.datetime) -> list[Student]:
    """The students whose cohort's programmes this student or parent may read: themselves; a parent's children
    for whom the engine shows the parent the period report (the legal floor)."""
    readers = []
    for student in portal_students(viewer=viewer, at=at):
        ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
        if ctx.audience == "student" or (
            ctx.audience == "guardian"
            and ctx.decide(kind_probe(student_id=student.pk, kind=DataKind.PERIOD_REPORT)).visible
        ):
            readers.append(student)
    return readers


def readable_programmes(*, viewer: Viewer, at: dt.datetime) -> list[tuple[TestingProgramme, list[Student]]]:
    """The programmes this viewer may open, with (for a student or parent) the students whose cohort each is."""
    if viewer.school_id is None:
        return []
    base = _base(viewer)
    order = ("-school_year__start", "subject__name", "level__code", "cohort")
    if viewer.is_staff_member:
        if viewer.has_role("administrator", "coordinator"):
            candidates = list(base.order_by(*order))
        else:
            subject_ids = TeachingGroup.objects.filter(pk__in=viewer.group_ids).values("subject_id")
            candidates = list(base.filter(subject_id__in=subject_ids).order_by(*order))
        teaches = set(TeachingGroup.objects.filter(pk__in=viewer.group_ids).values_list("subject_id", flat=True))
        return [(p, []) for p in candidates if p.subject_id in teaches or _staff_may_change(viewer, p)]
    readers = _portal_readers(viewer, at)
    if not readers:
        return []
    level_ids = set()
    for m in ClassMembership.objects.filter(student_id__in=[s.pk for s in readers]).select_related(
        "school_class__year_group"
    ):
        level_ids.add(m.school_class.year_group.level_id)
    candidates = list(base.filter(level_id__in=level_ids).order_by(*order))
    cohort = students_in_cohort(students=readers, programmes=candidates)
    by_id = {s.pk: s for s in readers}
    return [(p, [by_id[i] for i in sorted(cohort[p.pk])]) for p in candidates if p.pk in cohort]


def access_programme(*, viewer: Viewer, programme_id: int, at: dt.datetime) -> ProgrammeAccess:
    """The programme if this viewer may open it (see the module docstring); otherwise 404."""
    if viewer.school_id is None:
        raise Http404
    programme = _base(viewer).filter(pk=programme_id).first()
    if programme is None:
        raise Http404
    if viewer.is_staff_member:
        if _staff_may_change(viewer, programme):
            return ProgrammeAccess(programme, may_change=True)
        if _teaches_subject(viewer, programme.subject_id):
            return ProgrammeAccess(programme, may_change=False)
        raise Http404
    readers = _portal_readers(viewer, at)
    cohort = students_in_cohort(students=readers, programmes=[programme]).get(programme.pk)
    if not cohort:
        raise Http404
    return ProgrammeAccess(programme, may_change=False, as_student_id=min(cohort))


def access_programme_for_change(*, viewer: Viewer, programme_id: int, at: dt.datetime) -> TestingProgramme:
    """The programme if this viewer may change it; 404 otherwise (a reader does not learn more than "not found")."""
    found = access_programme(viewer=viewer, programme_id=programme_id, at=at)
    if not found.may_change:
        raise Http404
    return found.programme


def approvers_q(school_id: int) -> Q:
    """The accounts whose approval a late change may record: the school's administrators (school leadership)."""
    return Q(school_id=school_id, staff__roles__role="administrator")
