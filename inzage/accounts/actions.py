"""Writes about accounts and their rights."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

SCHOOL_ADMIN_GROUP = "Schoolbeheer"
# The school's core data, managed in the Django admin by the school's own administrators.
SCHOOL_ADMIN_APPS = ("schools", "people", "accounts")
# Rows whose deletion loses history stay undeletable for school administrators: a student leaves (leave date),
# a relation ends (end date), a staff member leaves (account deactivated). Delete is granted only for these.
SCHOOL_ADMIN_DELETABLE = ("calendarrange", "staffrole", "classmembership", "courtrestriction")


def school_admin_group_ensure() -> Group:
    """Create or refresh the "Schoolbeheer" group's permissions. Caller: setup code (seed, post_migrate)."""
    # One transaction: the group never exists with half its permissions.
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=SCHOOL_ADMIN_GROUP)
        permissions = Permission.objects.filter(content_type__app_label__in=SCHOOL_ADMIN_APPS).filter(
            Q(codename__startswith="view_")
            | Q(codename__startswith="add_")
            | Q(codename__startswith="change_")
            | Q(codename__in=[f"delete_{model}" for model in SCHOOL_ADMIN_DELETABLE])
        )
        # A school administrator manages their school, never the list of schools.
        permissions = permissions.exclude(codename__in=["add_school"])
        group.permissions.set(permissions)
    return group
