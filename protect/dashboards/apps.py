"""Donor aggregates: counts and amounts, small cells suppressed, never a person."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "protect.dashboards"
    label = "dashboards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from protect.workflow import on_transition

        from . import tasks  # noqa: F401 - registers the Celery tasks
        from .services import queue_rollup_refresh

        on_transition(queue_rollup_refresh)
