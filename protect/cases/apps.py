"""The case kernel app: finds every concrete Case through the app registry."""

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "protect.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from protect.audit.phrases import register_phrases

        from .registry import audit_phrases

        register_phrases(audit_phrases())
