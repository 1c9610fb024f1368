"""Who may work on a teaching group's grades: its teachers and the school's administrators. Nobody else.

This is the ONE place the teacher pages decide access. Reading a group's results is a read of student data, so it is
asked of the visibility policy (`staff_may_see_group_results`); working on the grades is a separate, narrower right
(teachers of the group and administrators), never derived from the right to see. A group that does not exist and a
group that is not yours look the same: Http404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from inzage.accounts.models import User
from inzage.grades.models import Column
from inzage.people.models import Staff, StaffRole
from inzage.schools.models import TeachingGroup
from inzage.visibility.queries import staff_may_see_group_results


def staff_of(user: User) -> Staff:
    """The staff member behind an account, or Http404 for students, guardians, anonymous and unlinked accounts."""
    if not user.is_authenticated:
        raise Http404
    staff = Staff.objects.filter(user_id=user.pk).first()
    if staff is None:
        raise Http404
    return staff


def access_teaching_group(*, user: User, group_id: int) -> TeachingGroup:
    """The teaching group if `user` teaches it or administers its school; Http404 otherwise (also when missing)."""
    staff = staff_of(user)
    is_admin = StaffRole.objects.filter(staff_id=staff.pk, role=StaffRole.Role.ADMINISTRATOR)
    teaches = TeachingGroup.teachers.through.objects.filter(teachinggroup_id=OuterRef("pk"), staff_id=staff.pk)
    group = (
        TeachingGroup.objects.filter(pk=group_id, school_id=staff.school_id)
        .filter(Q(Exists(teaches)) | Q(Exists(is_admin)))
        .select_related("subject", "school", "school_year")
        .first()
    )
    if group is None or not staff_may_see_group_results(viewer_user=user, group=group):
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
    staff = staff_of(user)
    groups = TeachingGroup.objects.filter(school_id=staff.school_id).select_related("subject", "school_year")
    if not StaffRole.objects.filter(staff_id=staff.pk, role=StaffRole.Role.ADMINISTRATOR).exists():
        groups = groups.filter(teachers=staff)
    return list(groups.order_by("-school_year__start", "name"))
