"""Urgent alerts: consent, translations, review, publication, distribution."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import workflow  # noqa: F401  registers the alert table with the engine
