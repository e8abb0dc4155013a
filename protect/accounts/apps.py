"""Staff users, roles, teams, second factor and partner API tokens."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "protect.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers (models must be loaded first)
