"""System checks for what the core relies on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

CSRF_MIDDLEWARE = "protect.core.csrf.ProtectCsrfViewMiddleware"


@checks.register(checks.Tags.security, deploy=False)
def csrf_middleware_installed(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if CSRF_MIDDLEWARE not in settings.MIDDLEWARE:
        return [checks.Error(f"{CSRF_MIDDLEWARE} must be in MIDDLEWARE: every form relies on it.",
                             id="protect.E001")]
    return []
