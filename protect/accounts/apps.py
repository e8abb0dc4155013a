"""Staff users, roles, teams, second factor and partner API tokens."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "protect.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from protect.audit.targets import register_target_namer

        from . import signals  # noqa: F401 - connects the receivers (models must be loaded first)
        from .selectors import usernames_of

        register_target_namer("accounts.user", usernames_of)  # the audit page names accounts, not ids
