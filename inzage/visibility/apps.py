from django.apps import AppConfig


class VisibilityConfig(AppConfig):
    name = "inzage.visibility"
    verbose_name = "Zichtbaarheid"

    def ready(self) -> None:
        from inzage.visibility.versions import connect_signals

        connect_signals()  # every write of a tracked model bumps a version counter (docs/caching.md)
