from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "inzage.attendance"
    label = "attendance"
    verbose_name = "Aanwezigheid en verzuim"
