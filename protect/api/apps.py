"""The partner REST API: routers, authentication, throttles, schema, error mapping."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "protect.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from protect.workflow import on_transition

        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
        from .services import referral_status_changed

        # A referral's partner hears of every status change, of every kind, from the one engine.
        on_transition(referral_status_changed)
