"""Accounts in the Django admin. A school administrator manages their own school's accounts and cannot hand out
more rights than the "Schoolbeheer" group gives."""

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from inzage.accounts.actions import SCHOOL_ADMIN_GROUP
from inzage.accounts.models import User
from inzage.schools.admin_scope import SchoolScopedAdmin


@admin.register(User)
class SchoolUserAdmin(SchoolScopedAdmin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "school", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Inzage", {"fields": ("school", "preferred_language")}))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ("is_superuser", "user_permissions", "last_login", "date_joined")
        return readonly

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name=SCHOOL_ADMIN_GROUP)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# The admin's own sign-in form would skip the throttle's clear message, the second factor and SSO: /beheer/login/
# sends to the one sign-in page (allauth's) instead, and back to the admin afterwards.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
