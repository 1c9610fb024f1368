"""Django admin for several schools in one database: a school administrator sees and edits only their own school.

Superusers (platform operators) see every school. Everyone else with admin access (`is_staff`, usually through the
"Schoolbeheer" group) gets, on every admin built from these classes:

- lists and detail pages filtered to rows of their school (another school's row is "not found");
- foreign-key and many-to-many choices limited to their school, also for raw-id inputs (a typed id of another
  school's row fails validation);
- the `school` field shown read-only and set to their school, so constraints that include it are validated;
- inline rows that take their school from the parent row.

Every model here carries its school directly (`school` foreign key), or is the School itself.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.forms import BaseInlineFormSet
from django.http import HttpRequest

from inzage.schools.models import School
from inzage.web.admin_base import InzageModelAdmin, InzageTabularInline


def _scoped_school_id(request: HttpRequest) -> int | None:
    """The school an admin user is limited to; None for a superuser (not limited)."""
    user: Any = request.user
    if user.is_superuser:
        return None
    # An account without a school sees nothing: -1 matches no row (fail closed).
    return user.school_id if user.school_id is not None else -1


def _limit_to_school(model: type[models.Model], school_id: int) -> models.QuerySet | None:
    if model is School:
        return School.objects.filter(pk=school_id)
    field_names = {f.name for f in model._meta.get_fields()}
    if "school" in field_names:
        return model._default_manager.filter(school_id=school_id)
    return None


class _SchoolScopeMixin:
    """Shared by model admins and inlines."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        school_id = _scoped_school_id(request)
        if school_id is None:
            return queryset
        if queryset.model is School:
            return queryset.filter(pk=school_id)
        return queryset.filter(school_id=school_id)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        school_id = _scoped_school_id(request)
        if school_id is not None:
            limited = _limit_to_school(db_field.related_model, school_id)
            if limited is not None:
                kwargs["queryset"] = limited
            if db_field.name == "school":
                kwargs["initial"] = school_id
                kwargs["disabled"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        school_id = _scoped_school_id(request)
        if school_id is not None:
            limited = _limit_to_school(db_field.related_model, school_id)
            if limited is not None:
                kwargs["queryset"] = limited
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class SchoolScopedAdmin(_SchoolScopeMixin, InzageModelAdmin):
    """A model admin limited to the user's own school (see the module docstring)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        school_id = _scoped_school_id(request)
        if school_id is not None and not isinstance(obj, School):
            obj.school_id = school_id  # belt and braces: the field is disabled, but never trust a form
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if self.model is School and _scoped_school_id(request) is not None:
            return False  # a school administrator never creates schools
        return super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.model is School and _scoped_school_id(request) is not None:
            return False
        return super().has_delete_permission(request, obj)


class _ParentSchoolFormSet(BaseInlineFormSet):
    """Inline rows belong to the parent row's school; set it before validation so model checks can use it."""

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        parent = self.instance
        parent_school_id = parent.pk if isinstance(parent, School) else getattr(parent, "school_id", None)
        if parent_school_id is not None and getattr(form.instance, "school_id", None) is None:
            form.instance.school_id = parent_school_id
        return form


class SchoolScopedTabularInline(_SchoolScopeMixin, InzageTabularInline):
    """A tabular inline whose rows take their school from the parent row (no `school` field in the row)."""

    formset = _ParentSchoolFormSet
