from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "inzage.reports"
    label = "reports"
    verbose_name = "Rapporten"
