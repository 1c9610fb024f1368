from django.apps import AppConfig


class AccessLogConfig(AppConfig):
    name = "inzage.access_log"
    label = "access_log"
    verbose_name = "Inzagelog"

    def ready(self) -> None:
        import atexit

        from django.core.signals import request_finished

        from inzage.access_log import buffer

        # After the response is sent (WSGI servers close the response after writing it): the write costs the page
        # nothing. `dispatch_uid`: one receiver even if ready() runs twice.
        request_finished.connect(buffer.on_request_finished, dispatch_uid="inzage.access_log.flush")
        atexit.register(buffer.flush_now)
