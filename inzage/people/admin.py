"""Django admin for people; school administrators see only their own school (inzage.schools.admin_scope)."""

from django.contrib import admin

from inzage.people import models
from inzage.schools.admin_scope import SchoolScopedAdmin, SchoolScopedTabularInline


class StaffRoleInline(SchoolScopedTabularInline):
    model = models.StaffRole
    extra = 0
    fields = ("role", "level", "year")


class GuardianRelationInline(SchoolScopedTabularInline):
    model = models.GuardianRelation
    extra = 0
    raw_id_fields = ("guardian", "student")
    fields = ("guardian", "student", "custody", "lives_with_student", "preferred_channel", "start_date", "end_date")


@admin.register(models.Staff)
class StaffAdmin(SchoolScopedAdmin):
    list_display = ("full_name", "code", "school")
    list_filter = ("roles__role",)
    search_fields = ("first_name", "last_name", "code")
    raw_id_fields = ("user",)
    inlines = [StaffRoleInline]


@admin.register(models.Student)
class StudentAdmin(SchoolScopedAdmin):
    list_display = ("student_number", "full_name", "date_of_birth", "start_date", "leave_date")
    search_fields = ("student_number", "first_name", "last_name")
    raw_id_fields = ("user",)
    inlines = [GuardianRelationInline]


@admin.register(models.Guardian)
class GuardianAdmin(SchoolScopedAdmin):
    list_display = ("full_name", "email", "phone")
    search_fields = ("first_name", "last_name", "email")
    raw_id_fields = ("user",)
    inlines = [GuardianRelationInline]


@admin.register(models.GuardianRelation)
class GuardianRelationAdmin(SchoolScopedAdmin):
    list_display = ("guardian", "student", "custody", "lives_with_student")
    list_filter = ("custody",)
    search_fields = ("guardian__last_name", "student__last_name", "student__student_number")
    raw_id_fields = ("guardian", "student")
    list_select_related = ("guardian", "student")


@admin.register(models.CourtRestriction)
class CourtRestrictionAdmin(SchoolScopedAdmin):
    list_display = ("relation", "ordered_on", "effective_from", "effective_until")
    raw_id_fields = ("relation",)
    list_select_related = ("relation__guardian", "relation__student")
