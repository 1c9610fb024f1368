"""Who may work on a teaching group's grades: its teachers and the school's administrators. Nobody else.

This is the ONE place the teacher pages decide access. Reading a group's results is a read of student data, so it is
asked of the visibility policy (`staff_may_see_group_results`); working on the grades is a separate, narrower right
(teachers of the group and administrators), never derived from the right to see. A group that does not exist and a
group that is not yours look the same: Http404.
"""

from __future__ import annotations

from django.http import Http404

from inzage.accounts.models import User
from inzage.grades.models import Column
from inzage.schools.models import TeachingGroup
from inzage.visibility.policy import Viewer, viewer_for
from inzage.visibility.queries import staff_may_see_group_results


def staff_viewer(user: User) -> Viewer:
    """The policy's viewer for a staff account, or Http404 for students, guardians, anonymous and unlinked accounts."""
    viewer = viewer_for(user)
    if viewer.staff_id is None:
        raise Http404
    return viewer


def may_enter_grades(*, viewer: Viewer, group: TeachingGroup) -> bool:
    """The right to work on a group's grades: its teachers and the school's administrators (narrower than seeing)."""
    return group.pk in viewer.group_ids or viewer.has_role("administrator")


def access_teaching_group(*, user: User, group_id: int, viewer: Viewer | None = None) -> TeachingGroup:
    """The teaching group if the policy lets `user` see its results and `user` may enter its grades; else Http404
    (also when the group does not exist or belongs to another school). Pass `viewer` when the page has it."""
    viewer = viewer if viewer is not None else staff_viewer(user)
    group = (
        TeachingGroup.objects.filter(pk=group_id, school_id=viewer.school_id)
        .select_related("subject", "school", "school_year", "year_group")
        .first()
    )
    if (
        group is None
        or not staff_may_see_group_results(viewer=viewer, group=group)
        or not may_enter_grades(viewer=viewer, group=group)
    ):
        raise Http404
    return group


def access_column(*, user: User, group_id: int, column_id: int) -> tuple[TeachingGroup, Column]:
    """A column of a group the user may work on (see access_teaching_group); Http404 otherwise."""
    group = access_teaching_group(user=user, group_id=group_id)
    column = Column.objects.filter(pk=column_id, teaching_group_id=group.pk).select_related("kind", "period").first()
    if column is None:
        raise Http404
    return group, column


def groups_of(*, user: User) -> list[TeachingGroup]:
    """The groups the user may open: taught groups; for administrators every group of their school."""
    viewer = staff_viewer(user)
    groups = TeachingGroup.objects.filter(school_id=viewer.school_id).select_related("subject", "school_year")
    if not viewer.has_role("administrator"):
        groups = groups.filter(pk__in=viewer.group_ids)
    return list(groups.order_by("-school_year__start", "name"))
