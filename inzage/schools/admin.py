from django.contrib import admin

from inzage.schools import models


class PeriodInline(admin.TabularInline):
    model = models.Period
    extra = 0
    fields = ("number", "name", "start", "end", "school")


class CalendarRangeInline(admin.TabularInline):
    model = models.CalendarRange
    extra = 0
    fields = ("kind", "name", "code", "start", "end", "school")


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "brin", "region")
    search_fields = ("name", "brin")


@admin.register(models.SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ("name", "school", "start", "end")
    list_filter = ("school",)
    inlines = [PeriodInline, CalendarRangeInline]


@admin.register(models.CalendarRange)
class CalendarRangeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "start", "end", "school_year")
    list_filter = ("school", "kind", "school_year")


@admin.register(models.Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "years", "school")
    list_filter = ("school",)


@admin.register(models.YearGroup)
class YearGroupAdmin(admin.ModelAdmin):
    list_display = ("__str__", "school_year")
    list_filter = ("school", "school_year", "level")


@admin.register(models.Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "school")
    list_filter = ("school",)
    search_fields = ("name", "code")


@admin.register(models.SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("name", "year_group", "school_year")
    list_filter = ("school", "school_year")
    search_fields = ("name",)
    filter_horizontal = ("mentors",)
    list_select_related = ("year_group__level", "school_year")


@admin.register(models.ClassMembership)
class ClassMembershipAdmin(admin.ModelAdmin):
    list_display = ("student", "school_class", "school_year")
    list_filter = ("school", "school_year")
    raw_id_fields = ("student", "school_class")
    list_select_related = ("student", "school_class", "school_year")


@admin.register(models.TeachingGroup)
class TeachingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "subject", "school_year")
    list_filter = ("school", "school_year", "subject")
    search_fields = ("name",)
    filter_horizontal = ("teachers",)
    raw_id_fields = ("students",)
    list_select_related = ("subject", "school_year")
