"""Load the engine's facts about many students at once, for list pages of staff (a mentor's class, a year).

`context_for` loads the facts of one student with a few queries; a class of 30 would cost ~100. For a staff viewer the
facts are only the student row, their class memberships and their teaching groups (`load_facts`), so this module
loads them for all students in three queries and hands them to the engine's per-viewer cache. The engine then decides
exactly as it would have: `test_prefetch.py` holds the two loaders together field by field.
"""

from __future__ import annotations

from collections.abc import Iterable

from inzage.people.models import Student
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import ClassMembership
from inzage.visibility.policy import Viewer
from inzage.visibility.policy.facts import Membership, StudentFacts, active_policy


def staff_facts_prime(*, viewer: Viewer, student_ids: Iterable[int]) -> None:
    """Cache the facts of these students on a staff viewer (three queries plus the calendar and policy once).

    Students the viewer is, or is a guardian of, are left to the engine's own loader: their facts hold more."""
    if viewer.staff_id is None or viewer.school_id is None:
        return
    wanted = {
        sid
        for sid in student_ids
        if sid not in viewer.facts and sid != viewer.student_id and sid not in viewer.relations
    }
    if not wanted:
        return
    students = {s.pk: s for s in Student.objects.filter(pk__in=wanted, school_id=viewer.school_id)}
    memberships: dict[int, list[Membership]] = {sid: [] for sid in students}
    for m in ClassMembership.objects.filter(student_id__in=students).select_related(
        "school_year", "school_class__year_group__level"
    ):
        memberships[m.student_id].append(
            Membership(
                start=m.school_year.start,
                end=m.school_year.end,
                class_id=m.school_class_id,
                class_name=m.school_class.name,
                level_id=m.school_class.year_group.level_id,
                level_code=m.school_class.year_group.level.code,
                year=m.school_class.year_group.year,
            )
        )
    groups: dict[int, set[int]] = {sid: set() for sid in students}
    for student_id, group_id in Student.teaching_groups.through.objects.filter(student_id__in=students).values_list(
        "student_id", "teachinggroup_id"
    ):
        groups[student_id].add(group_id)
    calendar = viewer.calendars.get(viewer.school_id)
    if calendar is None:
        calendar = SchoolCalendar.load(viewer.school_id)
        viewer.calendars[viewer.school_id] = calendar
    policy = viewer.policy_override or active_policy(viewer.school_id)
    for sid in wanted:
        student = students.get(sid)
        if student is None:
            viewer.facts[sid] = None  # not in the viewer's school: the engine says "not related"
            continue
        viewer.facts[sid] = StudentFacts(
            student=student,
            policy=policy,
            calendar=calendar,
            memberships=memberships[sid],
            student_group_ids=frozenset(groups[sid]),
        )
