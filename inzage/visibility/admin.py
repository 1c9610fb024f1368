"""Django admin (/beheer/) for the visibility rows. History rows are read-only: changes go through actions/pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from inzage.visibility.models import Consent, InformationRequest, Override, PolicyVersion, Share
from inzage.web.admin_base import InzageModelAdmin


class ReadOnlyAdmin(InzageModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ("school", "number", "created_at", "created_by", "activated_at", "note")
    list_filter = ("school",)


@admin.register(Override)
class OverrideAdmin(ReadOnlyAdmin):
    list_display = ("student", "guardian", "effect", "starts_on", "until", "created_by", "revoked_at")
    list_filter = ("school", "effect")
    raw_id_fields = ("student", "guardian")


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("student", "guardian", "kind", "granted", "recorded_at")
    list_filter = ("school", "kind")


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ("student", "kind", "item_id", "shared_at")
    list_filter = ("school",)


@admin.register(InformationRequest)
class InformationRequestAdmin(ReadOnlyAdmin):
    list_display = ("relation", "requested_on", "status", "decided_at", "custodial_parent_told_on")
    list_filter = ("school", "status")
