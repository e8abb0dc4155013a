"""Key ring, field and file encryption, blind indexes, crypto-shredding."""

from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "protect.crypto"
    label = "crypto"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from . import checks  # noqa: F401 - registers the system checks
        from .keys import reset_key_cache

        def _reload(*, setting: str, **kwargs: object) -> None:
            if setting in {"PROTECT_MASTER_KEYS", "PROTECT_BLIND_INDEX_KEY", "PROTECT_KEYS_DIR", "PRODUCTION"}:
                reset_key_cache()

        setting_changed.connect(_reload, weak=False, dispatch_uid="protect.crypto.keys")
