"""Emergency grants: intake, workflow, routing, disbursement, reporting."""

from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    default_auto_field = "django.db.models.BigAutoField"
