"""The public-page kit as a Django app: it owns templates/public/ and no model."""

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "protect.public"
    label = "protect_public"
    default_auto_field = "django.db.models.BigAutoField"
