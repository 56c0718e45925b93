from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "campuseval.audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        """Sign-in events are recorded from Django's and django-axes' signals; the retention
        setting is checked at start (both need the app registry, hence here)."""
        from . import checks, signals  # noqa: F401

        signals.connect()
