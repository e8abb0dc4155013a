"""Defenders and organisations at risk, their contacts and consent records."""

from django.apps import AppConfig


class DefendersConfig(AppConfig):
    name = "protect.defenders"
    label = "defenders"
    default_auto_field = "django.db.models.BigAutoField"
