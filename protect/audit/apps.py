"""The append-only, hash-chained audit log."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "protect.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
