from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "inzage.care"
    label = "care"
    verbose_name = "Zorg"
