from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "inzage.people"
    verbose_name = "Personen"
