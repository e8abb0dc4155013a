"""Shared plumbing: errors, middleware, logging, health and the public pages."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "protect.core"
    label = "protect_core"
    default_auto_field = "django.db.models.BigAutoField"
