from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "inzage.schools"
    verbose_name = "School en kalender"
