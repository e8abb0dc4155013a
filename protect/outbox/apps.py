"""Events written in the same transaction as a change, relayed to Celery."""

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "protect.outbox"
    label = "outbox"
    default_auto_field = "django.db.models.BigAutoField"
