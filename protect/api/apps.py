"""The partner REST API: routers, authentication, throttles, schema, error mapping."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "protect.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"
