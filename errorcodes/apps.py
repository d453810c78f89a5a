from django.apps import AppConfig


class ErrorcodesConfig(AppConfig):
    name = "errorcodes"
    verbose_name = "SMTP error code directory"

    def ready(self):
        from . import signals

        signals.connect()
