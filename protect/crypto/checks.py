"""System checks: `manage.py check` fails with a clear message when a key or the files folder is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .keys import blind_index_key, master_keyring


@checks.register(checks.Tags.security)
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Load both keys as the running process would (outside production this creates the demo keys)."""
    errors: list[checks.CheckMessage] = []
    for load, variable in ((master_keyring, "PROTECT_MASTER_KEYS"), (blind_index_key, "PROTECT_BLIND_INDEX_KEY")):
        try:
            load()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), hint=f"Fix {variable} (or {variable}_FILE).", id="crypto.E001"))
        except OSError as exc:
            errors.append(checks.Error(f"{variable}: the demo key file cannot be used: {exc}", id="crypto.E002"))
    return errors


@checks.register(checks.Tags.security)
def check_files_dir(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Encrypted files must never sit where a web server or whitenoise would serve them."""
    files_dir = Path(settings.PROTECT_FILES_DIR).resolve()
    public = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    public += [Path(p if isinstance(p, str | Path) else p[1]) for p in settings.STATICFILES_DIRS]
    if settings.MEDIA_ROOT:
        public.append(Path(settings.MEDIA_ROOT))
    for folder in public:
        folder = folder.resolve()
        if files_dir == folder or folder in files_dir.parents:
            return [checks.Error(f"PROTECT_FILES_DIR ({files_dir}) is inside the public folder {folder}.",
                                 id="crypto.E003")]
    return []
