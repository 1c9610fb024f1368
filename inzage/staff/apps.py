from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "inzage.staff"
    label = "staff"
    verbose_name = "Medewerkers"
