from django.apps import AppConfig


class VisibilityConfig(AppConfig):
    name = "inzage.visibility"
    verbose_name = "Zichtbaarheid"
