"""Donor aggregates: counts and amounts, small cells suppressed, never a person."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "protect.dashboards"
    label = "dashboards"
    default_auto_field = "django.db.models.BigAutoField"
