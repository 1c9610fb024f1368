"""Django admin for the school's organisation; school administrators see only their own school (admin_scope)."""

from django.contrib import admin

from inzage.schools import models
from inzage.schools.admin_scope import SchoolScopedAdmin, SchoolScopedTabularInline


class PeriodInline(SchoolScopedTabularInline):
    model = models.Period
    extra = 0
    fields = ("number", "name", "start", "end")


class CalendarRangeInline(SchoolScopedTabularInline):
    model = models.CalendarRange
    extra = 0
    fields = ("kind", "name", "code", "start", "end")


@admin.register(models.School)
class SchoolAdmin(SchoolScopedAdmin):
    list_display = ("name", "brin", "region")
    search_fields = ("name", "brin")


@admin.register(models.SchoolYear)
class SchoolYearAdmin(SchoolScopedAdmin):
    list_display = ("name", "school", "start", "end")
    list_filter = ("school",)
    inlines = [PeriodInline, CalendarRangeInline]


@admin.register(models.Period)
class PeriodAdmin(SchoolScopedAdmin):
    list_display = ("name", "school_year", "start", "end")
    list_filter = ("school_year",)
    list_select_related = ("school_year",)


@admin.register(models.CalendarRange)
class CalendarRangeAdmin(SchoolScopedAdmin):
    list_display = ("name", "kind", "code", "start", "end", "school_year")
    list_filter = ("kind", "school_year")
    list_select_related = ("school_year",)


@admin.register(models.Level)
class LevelAdmin(SchoolScopedAdmin):
    list_display = ("name", "code", "years", "school")


@admin.register(models.YearGroup)
class YearGroupAdmin(SchoolScopedAdmin):
    list_display = ("__str__", "school_year")
    list_filter = ("school_year", "level")
    list_select_related = ("level", "school_year")


@admin.register(models.Subject)
class SubjectAdmin(SchoolScopedAdmin):
    list_display = ("name", "code", "school")
    search_fields = ("name", "code")


@admin.register(models.SchoolClass)
class SchoolClassAdmin(SchoolScopedAdmin):
    list_display = ("name", "year_group", "school_year")
    list_filter = ("school_year",)
    search_fields = ("name",)
    filter_horizontal = ("mentors",)
    list_select_related = ("year_group__level", "school_year")


@admin.register(models.ClassMembership)
class ClassMembershipAdmin(SchoolScopedAdmin):
    list_display = ("student", "school_class", "school_year")
    list_filter = ("school_year",)
    search_fields = ("student__student_number", "student__last_name", "school_class__name")
    raw_id_fields = ("student", "school_class")
    list_select_related = ("student", "school_class", "school_year")


@admin.register(models.TeachingGroup)
class TeachingGroupAdmin(SchoolScopedAdmin):
    list_display = ("name", "subject", "school_year")
    list_filter = ("school_year", "subject")
    search_fields = ("name",)
    filter_horizontal = ("teachers",)
    raw_id_fields = ("students",)
    list_select_related = ("subject", "school_year")
