"""Host institutions, temporary relocations and stipends."""

from django.apps import AppConfig


class RelocationConfig(AppConfig):
    name = "relocation"
    default_auto_field = "django.db.models.BigAutoField"
