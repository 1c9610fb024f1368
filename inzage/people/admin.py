from django.contrib import admin

from inzage.people import models


class StaffRoleInline(admin.TabularInline):
    model = models.StaffRole
    extra = 0
    fields = ("role", "level", "year", "school")


class GuardianRelationInline(admin.TabularInline):
    model = models.GuardianRelation
    extra = 0
    raw_id_fields = ("guardian", "student")
    fields = (
        "guardian",
        "student",
        "custody",
        "lives_with_student",
        "preferred_channel",
        "start_date",
        "end_date",
        "school",
    )


@admin.register(models.Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("full_name", "code", "school")
    list_filter = ("school", "roles__role")
    search_fields = ("first_name", "last_name", "code")
    raw_id_fields = ("user",)
    inlines = [StaffRoleInline]


@admin.register(models.Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ("student_number", "full_name", "date_of_birth", "start_date", "leave_date", "school")
    list_filter = ("school",)
    search_fields = ("student_number", "first_name", "last_name")
    raw_id_fields = ("user",)
    inlines = [GuardianRelationInline]


@admin.register(models.Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "phone", "school")
    list_filter = ("school",)
    search_fields = ("first_name", "last_name", "email")
    raw_id_fields = ("user",)
    inlines = [GuardianRelationInline]


@admin.register(models.GuardianRelation)
class GuardianRelationAdmin(admin.ModelAdmin):
    list_display = ("guardian", "student", "custody", "lives_with_student")
    list_filter = ("school", "custody")
    raw_id_fields = ("guardian", "student")
    list_select_related = ("guardian", "student")


@admin.register(models.CourtRestriction)
class CourtRestrictionAdmin(admin.ModelAdmin):
    list_display = ("relation", "ordered_on", "effective_from", "effective_until")
    raw_id_fields = ("relation",)
