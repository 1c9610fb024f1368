"""Care notes in the Django admin: metadata only (never the text), read-only, and only for platform operators.

School administrators do not see care notes (the engine's staff table leaves `care_notes` out for them), and the
admin does not ask the engine, so it shows no note text to anyone; notes are read and corrected on `/zorg/`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from inzage.care.models import CareNote
from inzage.schools.admin_scope import SchoolScopedAdmin


@admin.register(CareNote)
class CareNoteAdmin(SchoolScopedAdmin):
    list_display = ("student", "written_on", "audience", "version", "updated_at")
    fields = ("student", "written_on", "audience", "version", "created_at", "updated_at")
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
