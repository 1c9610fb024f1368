from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "inzage.timetable"
    label = "timetable"
    verbose_name = "Rooster en huiswerk"
