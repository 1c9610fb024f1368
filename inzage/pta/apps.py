from django.apps import AppConfig


class PtaConfig(AppConfig):
    name = "inzage.pta"
    label = "pta"
    verbose_name = "PTA"
