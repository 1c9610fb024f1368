"""The base of every Django admin (/beheer/) of Inzage: malformed ids in a request are a message or a form error.

Django's admin trusts two kinds of id it gets back from the browser:

- the rows ticked for a bulk action (`_selected_action`), which `response_action` hands to `pk__in` unchecked: a
  value that is not a number raises ValueError there (a 500);
- the chosen rows of a many-to-many field (a select or a raw-id input), which `ModelMultipleChoiceField` looks up with
  `pk__in`: on SQLite an id beyond 64 bits raises OverflowError (a 500). A single foreign key is safe in Django (its
  exact lookup knows the column's range), but takes the same check so both fields refuse alike.

`InzageModelAdmin` refuses a bulk action with such an id (back to the list with a message, nothing changed), and
`InputCheckedAdminMixin`, which it and `InzageTabularInline` hold, gives every relation field of the admin's forms a
form class that refuses an id the column cannot hold with Django's own "not a valid choice" error. Every admin of the
project is built on these (through `inzage.schools.admin_scope` or directly); `inzage/web/admin.py` puts the mixin in
front of the admins other apps register (auth's groups, allauth, the task results).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def key_storable(model_field: models.Field, value: Any) -> bool:
    """Whether `value` parses as a value of `model_field` and, for an integer column, fits the database's range."""
    try:
        parsed = model_field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    column = model_field
    while column.is_relation:  # a one-to-one primary key or a to_field: the column is the target's
        column = column.target_field  # type: ignore[attr-defined]
    if not isinstance(parsed, int):
        return True
    try:
        low, high = connections[router.db_for_read(column.model)].ops.integer_field_range(column.get_internal_type())
    except KeyError:  # not an integer column (a number parsed for a text key, say): the lookup takes any value
        return True
    return (low is None or parsed >= low) and (high is None or parsed <= high)


def _key_field(field: forms.ModelChoiceField) -> models.Field:
    """The model field a choice field's submitted values name: its `to_field_name`, or the primary key."""
    model = field.queryset.model  # type: ignore[union-attr]  # the admin's formfields always have a queryset
    return model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk


class CheckedModelChoiceField(forms.ModelChoiceField):
    """A foreign-key choice that refuses an id its column cannot hold before it reaches the database."""

    def to_python(self, value: Any) -> Any:
        if (
            value not in self.empty_values
            and not isinstance(value, self.queryset.model)  # type: ignore[union-attr]
            and not key_storable(_key_field(self), value)
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return super().to_python(value)


class CheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many choice that refuses an id its column cannot hold before `pk__in` reaches the database."""

    def _check_values(self, value: Any) -> Any:
        if isinstance(value, Iterable) and not isinstance(value, str):
            key_field = _key_field(self)
            for pk in value:
                if isinstance(pk, str | int) and not key_storable(key_field, pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]  # Django's, missing from the stubs


class InputCheckedAdminMixin:
    """For model admins and inlines: relation fields take the checked form classes above."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", CheckedModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", CheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class InputCheckedModelAdminMixin(InputCheckedAdminMixin):
    """For model admins: a bulk action whose ticked rows hold a value that cannot be an id of this model changes nothing."""

    def response_action(
        self,
        request: HttpRequest,
        queryset: models.QuerySet[Any],
        action_location: admin.ActionLocation = admin.ActionLocation.CHANGE_LIST,
    ) -> HttpResponse | None:
        pk_field = self.model._meta.pk  # type: ignore[attr-defined]
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(key_storable(pk_field, value) for value in selected):
            # None sends the browser back to the list (changelist_view's redirect), where the message shows.
            self.message_user(  # type: ignore[attr-defined]
                request,
                _("De selectie bevat een ongeldige rij; kies de rijen opnieuw. Er is niets gewijzigd."),
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset, action_location)  # type: ignore[misc]


class InzageModelAdmin(InputCheckedModelAdminMixin, admin.ModelAdmin):
    """The model admin every registration of the project builds on (see the module docstring)."""


class InzageTabularInline(InputCheckedAdminMixin, admin.TabularInline):
    """The tabular inline every inline of the project builds on."""
