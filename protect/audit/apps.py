"""The append-only audit log, chained under a key kept outside the database."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "protect.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin
        from django.core.signals import setting_changed

        from .admin import audit_admin_writes
        from .keys import reset_audit_key_cache

        # django.contrib.admin comes first in INSTALLED_APPS, so every admin module is loaded by now.
        audit_admin_writes(admin.site)

        def _reload(*, setting: str, **kwargs: object) -> None:
            if setting in {"PROTECT_AUDIT_KEY", "PROTECT_KEYS_DIR", "PRODUCTION"}:
                reset_audit_key_cache()

        setting_changed.connect(_reload, weak=False, dispatch_uid="protect.audit.keys")
