from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from inzage.accounts.models import User


@admin.register(User)
class SchoolUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "school", "is_staff", "is_active")
    list_filter = ("school", "is_staff", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Inzage", {"fields": ("school", "preferred_language")}))
