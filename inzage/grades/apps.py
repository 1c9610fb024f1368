from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "inzage.grades"
    verbose_name = "Cijfers"
